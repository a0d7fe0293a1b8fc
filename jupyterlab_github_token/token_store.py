"""An in-memory holder for one GitHub token.

SECURITY: the token lives only in this object's memory. It is never written to
disk, never logged, and never part of a ``repr``/``str`` or of an exception
message (errors raised here describe the problem, never the value).

The validation rules are the one policy's (``src/policy/policy.json``, read
through ``policy.py``), as the page's ``src/kernel/validation.ts`` applies them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone

from .policy import ENV_NAME_POLICY, MASK_POLICY, TOKEN_POLICY, TOKEN_PREFIX_PATTERN, whole_match
from .policy import TOKEN_PREFIXES as POLICY_TOKEN_PREFIXES

#: Characters (and length) a token may have.
MAX_TOKEN_LENGTH: int = TOKEN_POLICY["maxLength"]
SAFE_TOKEN = whole_match(f"{TOKEN_POLICY['charset']}{{1,{MAX_TOKEN_LENGTH}}}")

#: Environment variable names accepted.
SAFE_ENV_NAME = whole_match(ENV_NAME_POLICY["pattern"])
MAX_ENV_NAMES: int = ENV_NAME_POLICY["maxNames"]

DEFAULT_VARIABLES: tuple[str, ...] = tuple(ENV_NAME_POLICY["defaults"])

#: Names that must never receive a token (the policy explains each group).
RESERVED_ENV_NAMES: frozenset[str] = frozenset(name.upper() for name in ENV_NAME_POLICY["reserved"])

#: Reserved prefixes (compared upper-cased).
RESERVED_ENV_PREFIXES: tuple[str, ...] = tuple(prefix.upper() for prefix in ENV_NAME_POLICY["reservedPrefixes"])

#: Known token prefixes, longest first (kept visible by ``masked()``).
TOKEN_PREFIXES: tuple[str, ...] = tuple(sorted(POLICY_TOKEN_PREFIXES, key=len, reverse=True))

#: A name that looks like a token itself (the user pasted the token into the name field).
_TOKEN_LIKE_NAME = whole_match(
    f"(?:{TOKEN_PREFIX_PATTERN}).*|{TOKEN_POLICY['legacy']}",
    re.IGNORECASE,
)

#: A name that reads as a token variable (upper-cased); see the policy for why only those.
_TOKEN_VARIABLE_NAME = whole_match(ENV_NAME_POLICY["tokenVariable"])

_TOKEN_CHARACTERS_ONLY = whole_match(f"{TOKEN_POLICY['charset']}*")
_LEGACY_TOKEN = whole_match(TOKEN_POLICY["legacy"])

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
    """Return ``token`` if it is 1 to the policy's maximum characters of its charset."""
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
    if _TOKEN_LIKE_NAME.fullmatch(name):
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
    """Return ``names`` as a list: 1 to the policy's maximum of safe names, distinct case-insensitively."""
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
    """``ghp_...abcd``: the policy's mask rule (MASK_POLICY), as the page's ``maskToken``.

    The known prefix, the separator and the last characters; an old hexadecimal
    token shows the hidden glyphs in place of a prefix; short, unrecognized or
    malformed input shows the hidden glyphs alone. Surrounding whitespace is ignored.
    """
    hidden: str = MASK_POLICY["hidden"]
    normalized = token.strip()
    if len(normalized) < MASK_POLICY["minLength"] or not _TOKEN_CHARACTERS_ONLY.fullmatch(normalized):
        return hidden
    tail = normalized[-MASK_POLICY["tail"] :]
    prefix = next((p for p in TOKEN_PREFIXES if normalized.startswith(p)), None)
    if prefix is None and _LEGACY_TOKEN.fullmatch(normalized):
        return f"{hidden}{MASK_POLICY['separator']}{tail}"
    if prefix is None or len(normalized) < len(prefix) + MASK_POLICY["minBody"]:
        return hidden
    return f"{prefix}{MASK_POLICY['separator']}{tail}"


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

    def __reduce__(self) -> str | tuple[object, ...]:  # pragma: no cover - pickling a secret holder is refused
        raise TypeError("TokenStore cannot be pickled")

    def set(
        self,
        token: object,
        variables: Sequence[str] | None = None,
        *,
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

    def snapshot(self) -> tuple[str, list[str]] | None:
        """``(token, variables)`` taken together, or ``None`` when nothing is held."""
        with self._lock:
            if self._token is None:
                return None
            return self._token, list(self._variables)

    def bound_snapshot(self) -> tuple[str, list[str], list[str]] | None:
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
