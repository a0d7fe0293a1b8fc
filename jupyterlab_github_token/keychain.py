"""The operating system's keychain, through the ``keyring`` package: where a token the
user asked to remember is kept between server restarts.

Only secure backends count (the OS's own secret stores, contract section 3); a file of
our own, or one of ``keyrings.alt``'s plaintext/encrypted files, never does. The
backend is chosen by :meth:`Keychain.detect` and injected, so tests can use a fake.

SECURITY: no message or exception raised here contains a secret: errors name what
failed and the backend's exception class, never the exception's text or the record.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

SERVICE = "jupyterlab-github-token"

#: Modules of the backends that keep secrets in the OS's secret store (priority > 0 when usable).
SECURE_BACKEND_MODULES: frozenset[str] = frozenset(
    {
        "keyring.backends.SecretService",
        "keyring.backends.libsecret",
        "keyring.backends.kwallet",
        "keyring.backends.macOS",
        "keyring.backends.Windows",
    }
)

#: What would make a keychain available, for the panel (the reason is shown as is).
ENABLE_HINT = (
    "To remember tokens on this computer: on Linux, a Secret Service such as GNOME Keyring or KWallet "
    "running in the server's session (D-Bus); macOS Keychain and Windows Credential Locker work without setup."
)


@dataclass(frozen=True)
class KeychainStatus:
    enabled: bool
    available: bool
    backend: str | None
    reason: str


class KeychainError(Exception):
    """The keychain could not do what was asked. The message never contains a secret."""


def backend_module(backend: object) -> str:
    return type(backend).__module__


def backend_name(backend: object) -> str:
    """keyring's display name (``SecretService Keyring``), else module and class."""
    name = getattr(type(backend), "name", None)
    if isinstance(name, str) and name:
        return name
    return f"{backend_module(backend)}.{type(backend).__name__}"


def _priority(backend: object) -> float | None:
    # A backend's priority is computed on access and raises when the backend cannot work now.
    try:
        value = type(backend).priority  # type: ignore[attr-defined]
    except Exception:
        return None
    return float(value) if isinstance(value, (int, float)) else None


def _is_fail_backend(backend: object) -> bool:
    return backend_module(backend) in ("keyring.backends.fail", "keyring.backends.null")


def choose_backend(candidates: Iterable[object]) -> tuple[object | None, str]:
    """The allow-listed backend of highest priority (> 0), or ``(None, why)``."""
    best: object | None = None
    best_priority = 0.0
    others: list[str] = []  # what keyring found instead, for the reason
    for candidate in candidates:
        module = backend_module(candidate)
        if module == "keyring.backends.chainer":
            continue  # chains the others: judged through them
        priority = _priority(candidate)
        if _is_fail_backend(candidate):
            continue
        if module not in SECURE_BACKEND_MODULES:
            # e.g. keyrings.alt's plaintext and encrypted files, whatever their priority.
            kind = "keeps secrets in a file" if module.startswith("keyrings.alt") else "not an OS keychain"
            others.append(f"{backend_name(candidate)} ({kind}: never used)")
        elif priority is None or priority <= 0:
            others.append(f"{backend_name(candidate)} (not usable now)")
        elif best is None or priority > best_priority:
            best, best_priority = candidate, priority
    if best is not None:
        return best, ""
    if others:
        what = "keyring found no secure keychain, only: " + "; ".join(others) + "."
    else:
        what = "keyring found only its fail backend (no secure keychain)."
    return None, f"{what} {ENABLE_HINT}"


def _installed_backends() -> list[object]:
    """Every backend keyring can construct now (fresh: the answer changes with the session)."""
    # Imported here: a server with the keychain turned off never loads keyring, and a missing
    # keyring becomes an "unavailable" status instead of an extension that fails to load.
    from keyring import backend as keyring_backend  # noqa: PLC0415

    get_all = keyring_backend.get_all_keyring
    # keyring computes the list once per process; a D-Bus session may have started since.
    reset = getattr(get_all, "reset", None)
    if callable(reset) and hasattr(get_all, "saved_result"):
        reset()
    return list(get_all())


class Keychain:
    """Store, load and delete one record per API base URL in the chosen backend."""

    def __init__(self, backend: Any, status: KeychainStatus) -> None:
        self._backend = backend if status.available else None
        self._status = status

    @classmethod
    def detect(cls, enabled: bool = True) -> Keychain:
        if not enabled:
            return cls(
                None,
                KeychainStatus(
                    enabled=False,
                    available=False,
                    backend=None,
                    reason=(
                        "The administrator turned remembering tokens off (c.GitHubTokenExtension.keychain = False)."
                    ),
                ),
            )
        try:
            candidates = _installed_backends()
        except ImportError:
            return cls(
                None,
                KeychainStatus(
                    enabled=True,
                    available=False,
                    backend=None,
                    reason=(
                        "The Python package keyring is not installed in the server's environment "
                        f"(pip install keyring). {ENABLE_HINT}"
                    ),
                ),
            )
        except Exception as exc:
            reason = f"keyring could not list its backends ({type(exc).__name__}). {ENABLE_HINT}"
            return cls(None, KeychainStatus(enabled=True, available=False, backend=None, reason=reason))
        return cls.from_candidates(candidates)

    @classmethod
    def from_candidates(cls, candidates: Iterable[object]) -> Keychain:
        backend, reason = choose_backend(candidates)
        if backend is None:
            return cls(None, KeychainStatus(enabled=True, available=False, backend=None, reason=reason))
        return cls(backend, KeychainStatus(enabled=True, available=True, backend=backend_name(backend), reason=""))

    def status(self) -> KeychainStatus:
        return self._status

    def _require(self) -> Any:
        if self._backend is None:
            raise KeychainError(self._status.reason or "No secure keychain is available.")
        return self._backend

    def store(self, api_base_url: str, record: dict[str, Any]) -> None:
        backend = self._require()
        try:
            password = json.dumps(record, separators=(",", ":"))
        except (TypeError, ValueError) as exc:
            raise KeychainError(f"The record for {api_base_url} cannot be stored ({type(exc).__name__}).") from None
        try:
            backend.set_password(SERVICE, api_base_url, password)
        except Exception as exc:
            # `from None`: the backend's exception (and its traceback's locals) stay out of logs.
            raise KeychainError(
                f"The keychain ({self._status.backend}) did not store the token for {api_base_url} "
                f"({type(exc).__name__})."
            ) from None

    def load(self, api_base_url: str) -> dict[str, Any] | None:
        if self._backend is None:
            return None
        try:
            password = self._backend.get_password(SERVICE, api_base_url)
        except Exception as exc:
            raise KeychainError(
                f"The keychain ({self._status.backend}) did not read the entry for {api_base_url} "
                f"({type(exc).__name__})."
            ) from None
        if not isinstance(password, str):
            return None
        try:
            record = json.loads(password)
        except ValueError:
            return None  # not ours, or damaged: never quoted
        return record if isinstance(record, dict) else None

    def delete(self, api_base_url: str) -> bool:
        if self._backend is None:
            return False
        try:
            if self._backend.get_password(SERVICE, api_base_url) is None:
                return False
            self._backend.delete_password(SERVICE, api_base_url)
        except Exception as exc:
            raise KeychainError(
                f"The keychain ({self._status.backend}) did not delete the entry for {api_base_url} "
                f"({type(exc).__name__})."
            ) from None
        return True
