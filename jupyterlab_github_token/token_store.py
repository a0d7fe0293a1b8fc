"""An in-memory holder for one GitHub token.

SECURITY: the token lives only in this object's memory. It is never written to
disk, never logged, and never part of a ``repr``/``str`` or of an exception
message (errors raised here describe the problem, never the value).

The validation rules mirror the frontend's ``src/kernelCode.ts``
(``assertSafeToken`` / ``assertSafeEnvName`` / ``assertSafeEnvNames``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone

#: Characters (and length) a token may have.
SAFE_TOKEN = re.compile(r"[A-Za-z0-9_]{1,255}")
MAX_TOKEN_LENGTH = 255

#: Environment variable names accepted.
SAFE_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
MAX_ENV_NAMES = 16

DEFAULT_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN")

#: Names that must never receive a token (same list as src/kernelCode.ts).
RESERVED_ENV_NAMES = frozenset(
    {
        # System and session.
        "PATH",
        "HOME",
        "USER",
        "USERNAME",
        "LOGNAME",
        "PWD",
        "TMPDIR",
        "TEMP",
        "TMP",
        "LANG",
        "LANGUAGE",
        "TERM",
        "SYSTEMROOT",
        "COMSPEC",
        "PATHEXT",
        # Shells: prompts, start-up files, word splitting.
        "SHELL",
        "IFS",
        "ENV",
        "BASH_ENV",
        "PS1",
        "PS2",
        "PS3",
        "PS4",
        "PROMPT_COMMAND",
        # Programs started by git, gh, man, ssh and others.
        "EDITOR",
        "VISUAL",
        "PAGER",
        "MANPAGER",
        "BROWSER",
        "LESSOPEN",
        "LESSCLOSE",
        "GH_EDITOR",
        "GH_BROWSER",
        "GH_PAGER",
        "SSH_ASKPASS",
        "SSH_ASKPASS_REQUIRE",
        "SSH_AUTH_SOCK",
        "SUDO_ASKPASS",
        # Proxies.
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
    }
)

#: Reserved prefixes (compared case-insensitively).
RESERVED_ENV_PREFIXES = (
    "LD_",
    "DYLD_",
    "PYTHON",
    "JPY_",
    "JUPYTER",
    "IPYTHON",
    "LC_",
    "BASH_FUNC_",
    "GIT_",
)

#: Known token prefixes, longest first (kept visible by ``masked()``).
TOKEN_PREFIXES = ("github_pat_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_")

_TOKEN_LIKE_NAME = re.compile(r"(?:gh[pousr]_|github_pat_)", re.IGNORECASE)

#: A name that reads as a token variable (upper-cased): ends in TOKEN, is PAT or ends in
#: _PAT. Only such names are accepted: a list of reserved names always has gaps (HISTFILE,
#: SSLKEYLOGFILE, NODE_OPTIONS... make programs write or run the value).
_TOKEN_VARIABLE_NAME = re.compile(r".*TOKEN|PAT|.*_PAT")
_HEX40 = re.compile(r"[0-9a-fA-F]{40}")

#: Optional metadata sent along with the token (display only).
_SAFE_LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-\[\]]{0,99}")
_SAFE_EXPIRES_AT = re.compile(r"[0-9A-Za-z :+\-.]{1,64}")


class TokenValidationError(ValueError):
    """Invalid input. ``str(error)`` is a user-facing message without the token."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


def validate_token(token: object) -> str:
    """Return ``token`` if it is 1-255 characters of ``[A-Za-z0-9_]``."""
    if not isinstance(token, str) or len(token) == 0:
        raise TokenValidationError("token-empty", "There is no token.")
    if len(token) > MAX_TOKEN_LENGTH:
        raise TokenValidationError(
            "token-length",
            f"The token is {len(token)} characters long; GitHub tokens have at most {MAX_TOKEN_LENGTH}.",
        )
    if not SAFE_TOKEN.fullmatch(token):
        raise TokenValidationError(
            "token-characters",
            "The token contains characters GitHub never uses (only letters, digits and underscores are possible).",
        )
    return token


def validate_env_name(name: object) -> str:
    """Return ``name`` if it is a plain, non-reserved environment variable name."""
    if not isinstance(name, str) or not SAFE_ENV_NAME.fullmatch(name):
        raise TokenValidationError(
            "name-invalid",
            "Environment variable names must start with a letter or underscore and contain "
            "only letters, digits and underscores (at most 128 characters).",
        )
    if _TOKEN_LIKE_NAME.match(name) or _HEX40.fullmatch(name):
        raise TokenValidationError(
            "name-invalid",
            "An environment variable name looks like a GitHub token: send the token as the "
            "token, and use a name such as GITHUB_TOKEN.",
        )
    upper = name.upper()
    if upper in RESERVED_ENV_NAMES or upper.startswith(RESERVED_ENV_PREFIXES):
        raise TokenValidationError(
            "name-invalid",
            f"The environment variable {name} is used by the system or by Jupyter and cannot "
            "hold the token; choose another name such as GITHUB_TOKEN.",
        )
    if not _TOKEN_VARIABLE_NAME.fullmatch(upper):
        raise TokenValidationError(
            "name-invalid",
            f"The environment variable {name} does not look like a token variable: use a name "
            "that ends in TOKEN or PAT, such as GITHUB_TOKEN, GH_TOKEN or GITHUB_PAT.",
        )
    return name


def validate_env_names(names: object) -> list[str]:
    """Return ``names`` as a list: 1-16 safe names, distinct case-insensitively."""
    if not isinstance(names, (list, tuple)) or len(names) == 0:
        raise TokenValidationError("no-names", "Choose at least one environment variable for the token.")
    if len(names) > MAX_ENV_NAMES:
        raise TokenValidationError("name-invalid", f"Use at most {MAX_ENV_NAMES} environment variables.")
    seen = set()
    out: list[str] = []
    for name in names:
        validate_env_name(name)
        key = name.upper()
        if key in seen:
            raise TokenValidationError("name-duplicate", f"The environment variable {name} is listed twice.")
        seen.add(key)
        out.append(name)
    return out


def _validate_optional(value: object, pattern: re.Pattern[str], field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise TokenValidationError("metadata-invalid", f"The {field} value is not valid.")
    return value


def mask_token(token: str) -> str:
    """``ghp_...abcd``: the known prefix and (for long enough tokens) the last 4 characters."""
    prefix = next((p for p in TOKEN_PREFIXES if token.startswith(p)), "")
    rest = len(token) - len(prefix)
    tail = token[-4:] if rest >= 16 else ""
    return f"{prefix}...{tail}"


class TokenStore:
    """Holds at most one token, in memory only, with its metadata.

    Thread-safe; ``snapshot()`` returns the token and its variables atomically.
    """

    __slots__ = (
        "_api_base_url",
        "_expires_at",
        "_git_hosts",
        "_lock",
        "_login",
        "_set_at",
        "_token",
        "_variables",
    )

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._token: str | None = None
        self._variables: list[str] = list(DEFAULT_VARIABLES)
        self._login: str | None = None
        self._expires_at: str | None = None
        self._set_at: str | None = None
        # The API base URL the token was verified against, and the git origins it
        # serves: the token is bound to them, never offered to another allowed host.
        self._api_base_url: str | None = None
        self._git_hosts: list[str] = []

    # Never show the token in a representation.
    def __repr__(self) -> str:
        return f"<TokenStore held={self.held} masked={self.masked()!r}>"

    __str__ = __repr__

    def __reduce__(self):  # pragma: no cover - pickling a secret holder is refused
        raise TypeError("TokenStore cannot be pickled")

    def set(
        self,
        token: object,
        variables: Sequence[str] | None = None,
        login: object = None,
        expires_at: object = None,
        api_base_url: str | None = None,
        git_hosts: Iterable[str] = (),
    ) -> None:
        """Validate everything first, then replace the held token.

        ``api_base_url`` (already normalised and allowed by the caller) and its
        ``git_hosts`` bind the token: only those origins get the credential helper.
        """
        token_value = validate_token(token)
        names = validate_env_names(list(DEFAULT_VARIABLES) if variables is None else variables)
        login_value = _validate_optional(login, _SAFE_LOGIN, "login")
        expires_value = _validate_optional(expires_at, _SAFE_EXPIRES_AT, "expiresAt")
        with self._lock:
            self._token = token_value
            self._variables = names
            self._login = login_value
            self._expires_at = expires_value
            self._set_at = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
            self._api_base_url = api_base_url
            self._git_hosts = list(git_hosts)

    def clear(self) -> None:
        """Forget the token (and its metadata)."""
        with self._lock:
            self._token = None
            self._login = None
            self._expires_at = None
            self._set_at = None
            self._api_base_url = None
            self._git_hosts = []

    @property
    def held(self) -> bool:
        return self._token is not None

    @property
    def token(self) -> str | None:
        return self._token

    @property
    def variables(self) -> list[str]:
        return list(self._variables)

    @property
    def login(self) -> str | None:
        return self._login

    @property
    def expires_at(self) -> str | None:
        return self._expires_at

    @property
    def set_at(self) -> str | None:
        return self._set_at

    @property
    def api_base_url(self) -> str | None:
        return self._api_base_url

    @property
    def git_hosts(self) -> list[str]:
        """Git origins (``https://github.com``...) whose credential helper gets the token."""
        with self._lock:
            return list(self._git_hosts)

    def snapshot(self):
        """``(token, variables)`` taken together, or ``None`` when nothing is held."""
        with self._lock:
            if self._token is None:
                return None
            return self._token, list(self._variables)

    def bound_snapshot(self):
        """``(token, variables, git_hosts)`` taken together, or ``None``."""
        with self._lock:
            if self._token is None:
                return None
            return self._token, list(self._variables), list(self._git_hosts)

    def masked(self) -> str | None:
        token = self._token
        return None if token is None else mask_token(token)

    def scrub(self, text: str) -> str:
        """``text`` with every occurrence of the held token replaced (defence in depth)."""
        token = self._token
        if token and token in text:
            return text.replace(token, "[token]")
        return text
