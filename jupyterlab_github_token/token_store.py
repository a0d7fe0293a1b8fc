"""The tokens the server holds: at most one per (normalised) GitHub API base URL.

SECURITY: a token lives only in this module's objects (and, when the user asks,
in the OS keychain, through ``keychain.py``). It is never written to a file of
ours, never logged, and never part of a ``repr``/``str``, a pickle or an
exception message (errors raised here describe the problem, never the value).

The validation rules are the one policy's (``src/policy/policy.json``, read
through ``policy.py``), as the page's ``src/kernel/validation.ts`` applies them.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .policy import ENV_NAME_POLICY, GITHUB_POLICY, MASK_POLICY, TOKEN_POLICY, TOKEN_PREFIX_PATTERN, whole_match
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
_SAFE_LOGIN = whole_match(GITHUB_POLICY["login"])
_SAFE_EXPIRES_AT = re.compile(r"[0-9A-Za-z :+\-.]{1,64}")
#: A classic token's OAuth scope (``repo``, ``read:user``, ``manage_runners:enterprise``):
#: display only, the server decides nothing from it.
_SAFE_SCOPE = re.compile(r"[A-Za-z][A-Za-z0-9_\-]{0,63}(?::[A-Za-z0-9_\-]{1,63}){0,3}")
MAX_SCOPES = 64

#: The kind of a token, by its prefix (the policy's kinds), longest prefix first.
_PREFIX_KINDS: tuple[tuple[str, str], ...] = tuple(
    sorted(((rule["prefix"], rule["kind"]) for rule in TOKEN_POLICY["prefixes"]), key=lambda rule: -len(rule[0]))
)

#: The server's own re-verification results (``check.status``).
CHECK_STATUSES = ("unchecked", "valid", "revoked", "expired", "unreachable")
#: Check results after which the token is no longer given to new kernels and terminals.
REFUSED_CHECKS = frozenset({"revoked", "expired"})


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


def validate_scopes(value: object) -> tuple[str, ...] | None:
    """``None`` (fine-grained or unknown) or at most ``MAX_SCOPES`` scope names."""
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or len(value) > MAX_SCOPES:
        raise TokenValidationError("metadata-invalid", "The scopes value is not valid.")
    for scope in value:
        if not isinstance(scope, str) or not _SAFE_SCOPE.fullmatch(scope):
            raise TokenValidationError("metadata-invalid", "The scopes value is not valid.")
    return tuple(value)


def validate_flag(value: object, name: str) -> bool | None:
    """``None`` when absent, else a real boolean (``1``/``"yes"`` are refused)."""
    if value is None or isinstance(value, bool):
        return value
    raise TokenValidationError("metadata-invalid", f"{name} must be true or false.")


def token_kind(token: str) -> str:
    """The policy's kind for the token's prefix, ``legacy`` for an old hexadecimal one, else ``unknown``."""
    for prefix, kind in _PREFIX_KINDS:
        if token.startswith(prefix):
            return kind
    return "legacy" if _LEGACY_TOKEN.fullmatch(token) else "unknown"


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class TokenCheckState:
    """The server's own re-verification of a held token (``check`` in the status)."""

    status: str = "unchecked"
    checked_at: str | None = None
    message: str = ""
    # GitHub's HTTP status when it answered the check (None: unchecked, or no answer).
    http_status: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "checkedAt": self.checked_at,
            "message": self.message,
            "httpStatus": self.http_status,
        }


@dataclass(frozen=True)
class HeldToken:
    """One held token and what goes with it. Immutable: the vault replaces entries.

    ``token`` is left out of ``repr`` (and so of ``str``); pickling is refused.
    """

    api_base_url: str
    token: str = field(repr=False)
    variables: tuple[str, ...] = DEFAULT_VARIABLES
    # The git origins whose credential helper gets the token (the one the API base URL serves).
    git_hosts: tuple[str, ...] = ()
    login: str | None = None
    expires_at: str | None = None
    scopes: tuple[str, ...] | None = None
    set_at: str = field(default_factory=utc_now)
    for_new_kernels: bool = False
    remembered: bool = False
    check: TokenCheckState = field(default_factory=TokenCheckState)

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("HeldToken cannot be pickled")

    @classmethod
    def create(
        cls,
        api_base_url: str,
        token: object,
        variables: object = None,
        *,
        login: object = None,
        expires_at: object = None,
        scopes: object = None,
        git_hosts: Iterable[str] = (),
        for_new_kernels: object = None,
        remembered: bool = False,
    ) -> HeldToken:
        """Validate everything (``TokenValidationError``, never quoting the token) and build the entry.

        ``api_base_url`` is already normalised (and allowed) by the caller.
        """
        token_value = validate_token(token)
        names = validate_env_names(list(DEFAULT_VARIABLES) if variables is None else variables)
        return cls(
            api_base_url=api_base_url,
            token=token_value,
            variables=tuple(names),
            git_hosts=tuple(git_hosts),
            login=_validate_optional(login, _SAFE_LOGIN, "login"),
            expires_at=_validate_optional(expires_at, _SAFE_EXPIRES_AT, "expiresAt"),
            scopes=validate_scopes(scopes),
            for_new_kernels=bool(validate_flag(for_new_kernels, "forNewKernels")),
            remembered=remembered,
        )

    @property
    def kind(self) -> str:
        return token_kind(self.token)

    @property
    def masked(self) -> str:
        return mask_token(self.token)

    @property
    def gives_new_kernels(self) -> bool:
        """On for new kernels, and not found revoked or expired by the server's check."""
        return self.for_new_kernels and self.check.status not in REFUSED_CHECKS

    def bound(self) -> tuple[str, list[str], list[str]]:
        """``(token, variables, git_hosts)``."""
        return self.token, list(self.variables), list(self.git_hosts)

    def to_status(self) -> dict[str, Any]:
        """``IHeldTokenStatus``: everything but the token (masked)."""
        return {
            "apiBaseUrl": self.api_base_url,
            "masked": self.masked,
            "kind": self.kind,
            "login": self.login,
            "expiresAt": self.expires_at,
            "scopes": None if self.scopes is None else list(self.scopes),
            "setAt": self.set_at,
            "variables": list(self.variables),
            "gitHosts": list(self.git_hosts),
            "forNewKernels": self.for_new_kernels,
            "remembered": self.remembered,
            "check": self.check.to_json(),
        }

    def to_keychain_record(self) -> dict[str, Any]:
        """What the keychain keeps (the password of the entry named by the API base URL)."""
        return {
            "token": self.token,
            "variables": list(self.variables),
            "forNewKernels": self.for_new_kernels,
            "login": self.login,
            "expiresAt": self.expires_at,
            "scopes": None if self.scopes is None else list(self.scopes),
        }

    @classmethod
    def from_keychain_record(
        cls, api_base_url: str, record: Mapping[str, Any], *, git_hosts: Iterable[str] = ()
    ) -> HeldToken:
        """A remembered entry, validated like a new one (a tampered record raises ``TokenValidationError``)."""
        if not isinstance(record, Mapping):
            raise TokenValidationError("record-invalid", "The remembered token is not in the expected form.")
        return cls.create(
            api_base_url,
            record.get("token"),
            record.get("variables"),
            login=record.get("login"),
            expires_at=record.get("expiresAt"),
            scopes=record.get("scopes"),
            git_hosts=git_hosts,
            for_new_kernels=record.get("forNewKernels"),
            remembered=True,
        )


class TokenVault:
    """The held tokens, in memory only, one per normalised API base URL.

    Thread-safe (the hooks run in the kernel manager's and terminal manager's
    threads); entries are immutable snapshots. At most one entry is for new kernels.
    """

    __slots__ = ("_entries", "_lock")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, HeldToken] = {}

    # Never show a token in a representation.
    def __repr__(self) -> str:
        with self._lock:
            masks = [f"{url}={entry.masked}" for url, entry in self._entries.items()]
        return f"<TokenVault held=[{', '.join(masks)}]>"

    __str__ = __repr__

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("TokenVault cannot be pickled")

    def _exclusive(self, url: str) -> list[HeldToken]:
        """Turn for_new_kernels off for every entry but ``url``'s; return those changed. Lock held."""
        changed = []
        for other_url, other in list(self._entries.items()):
            if other_url != url and other.for_new_kernels:
                self._entries[other_url] = dataclasses.replace(other, for_new_kernels=False)
                changed.append(self._entries[other_url])
        return changed

    def hold(self, entry: HeldToken, *, keep_for_new_kernels: bool = False) -> tuple[HeldToken, list[HeldToken]]:
        """Hold ``entry`` (replacing an earlier token for its URL).

        ``keep_for_new_kernels``: take the earlier entry's for_new_kernels (False without one).
        Returns the held entry and the other entries whose for_new_kernels was turned off.
        """
        with self._lock:
            if keep_for_new_kernels:
                previous = self._entries.get(entry.api_base_url)
                entry = dataclasses.replace(entry, for_new_kernels=bool(previous and previous.for_new_kernels))
            self._entries[entry.api_base_url] = entry
            changed = self._exclusive(entry.api_base_url) if entry.for_new_kernels else []
            return entry, changed

    def update(
        self,
        api_base_url: str,
        *,
        for_new_kernels: bool | None = None,
        remembered: bool | None = None,
        token: str | None = None,
    ) -> tuple[HeldToken, list[HeldToken]] | None:
        """Change the flags of the URL's entry; ``None`` when nothing is held there (or, with
        ``token``, when the URL holds another token: what was done was for that one only).

        Returns the entry and the other entries whose for_new_kernels was turned off.
        """
        with self._lock:
            entry = self._entries.get(api_base_url)
            if entry is None or (token is not None and entry.token != token):
                return None
            changes: dict[str, Any] = {}
            if for_new_kernels is not None:
                changes["for_new_kernels"] = for_new_kernels
            if remembered is not None:
                changes["remembered"] = remembered
            entry = dataclasses.replace(entry, **changes)
            self._entries[api_base_url] = entry
            changed = self._exclusive(api_base_url) if for_new_kernels else []
            return entry, changed

    def record_check(
        self,
        api_base_url: str,
        token: str,
        check: TokenCheckState,
        *,
        login: str | None = None,
        expires_at: str | None = None,
        scopes: tuple[str, ...] | None = None,
    ) -> HeldToken | None:
        """Store a check's result, only if the URL still holds ``token`` (it may have been replaced
        or forgotten meanwhile). ``login``/``expires_at``/``scopes``: refreshed when given."""
        with self._lock:
            entry = self._entries.get(api_base_url)
            if entry is None or entry.token != token:
                return None
            changes: dict[str, Any] = {"check": check}
            if login is not None:
                changes["login"] = login
            if expires_at is not None:
                changes["expires_at"] = expires_at
            if scopes is not None:
                changes["scopes"] = scopes
            entry = dataclasses.replace(entry, **changes)
            self._entries[api_base_url] = entry
            return entry

    def get(self, api_base_url: str) -> HeldToken | None:
        with self._lock:
            return self._entries.get(api_base_url)

    def entries(self) -> list[HeldToken]:
        """Every held entry, in the order first held."""
        with self._lock:
            return list(self._entries.values())

    def forget(self, api_base_url: str | None = None) -> list[HeldToken]:
        """Forget the URL's entry (``None``: every entry); return those removed."""
        with self._lock:
            if api_base_url is None:
                removed, self._entries = list(self._entries.values()), {}
                return removed
            entry = self._entries.pop(api_base_url, None)
            return [] if entry is None else [entry]

    def for_new_kernels(self) -> HeldToken | None:
        """The entry new kernels and terminals get, or ``None`` (none on, or its check refused it)."""
        with self._lock:
            return next((e for e in self._entries.values() if e.gives_new_kernels), None)

    def bound_snapshot(self) -> tuple[str, list[str], list[str]] | None:
        """``(token, variables, git_hosts)`` of the entry for new kernels, or ``None``."""
        entry = self.for_new_kernels()
        return None if entry is None else entry.bound()

    def scrub(self, text: str) -> str:
        """``text`` with every held token replaced (defence in depth)."""
        for entry in self.entries():
            if entry.token in text:
                text = text.replace(entry.token, "[token]")
        return text
