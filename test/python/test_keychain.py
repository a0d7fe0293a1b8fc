"""Tests of jupyterlab_github_token/keychain.py: fake backends for the choice, and a real
private Secret Service (GNOME Keyring, test/python/secret_service.py) for the round trips."""

from __future__ import annotations

import base64
import sys
from typing import Any

import pytest
from conftest import ROOT, TOKENS
from secret_service import REQUIRE_ENV, SecretService, skip_or_fail

from jupyterlab_github_token.keychain import SERVICE, Keychain, KeychainError, KeychainStatus

URL = "http://127.0.0.1:8765"
TOKEN = TOKENS["classicRepo"]["token"]
RECORD = {
    "token": TOKEN,
    "variables": ["GITHUB_TOKEN", "GH_TOKEN"],
    "forNewKernels": True,
    "login": "octo-scientist",
    "expiresAt": "2026-12-24T10:00:00Z",
    "scopes": ["repo", "user"],
}


def fake_backend(module: str, priority: float, name: str = "Keyring") -> Any:
    """An instance of a backend class that claims to live in ``module``."""

    class Backend:
        def __init__(self) -> None:
            self.items: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.items.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.items[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            del self.items[(service, username)]

    Backend.__module__ = module
    Backend.__name__ = name
    Backend.priority = priority  # type: ignore[attr-defined]
    return Backend()


def needles(secret: str) -> dict[str, bytes]:
    """The token as bytes a store could write: plain (UTF-8, UTF-16) and base64 at its three alignments."""
    found = {"utf-8": secret.encode(), "utf-16le": secret.encode("utf-16-le")}
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + secret.encode("latin-1")).decode()
        # Only the groups that do not depend on the neighbouring bytes.
        stable = encoded[(0 if offset == 0 else 4) : ((offset + len(secret)) // 3) * 4]
        found[f"base64 (offset {offset})"] = stable.encode()
    return found


# --- choosing a backend (fakes) ---------------------------------------------------------------


def test_picks_the_allow_listed_backend_of_highest_priority() -> None:
    chosen = Keychain.from_candidates(
        [
            fake_backend("keyring.backends.fail", 0),
            fake_backend("keyring.backends.kwallet", 4.9, "DBusKeyring"),
            fake_backend("keyring.backends.SecretService", 5),
            fake_backend("keyring.backends.chainer", 10, "ChainerBackend"),
        ]
    )
    status = chosen.status()
    assert status.available and status.enabled
    assert status.backend == "keyring.backends.SecretService.Keyring"
    chosen.store(URL, RECORD)
    assert chosen.load(URL) == RECORD


@pytest.mark.parametrize(
    ("module", "name"),
    [("keyrings.alt.file", "PlaintextKeyring"), ("keyrings.alt.file", "EncryptedKeyring"), ("acme.keys", "Keyring")],
)
def test_refuses_file_and_unknown_backends(module: str, name: str) -> None:
    backend = fake_backend(module, 100, name)
    chosen = Keychain.from_candidates([fake_backend("keyring.backends.fail", 0), backend])
    status = chosen.status()
    assert not status.available
    assert status.backend is None
    assert name in status.reason and "never used" in status.reason
    assert "GNOME Keyring or KWallet" in status.reason
    with pytest.raises(KeychainError):
        chosen.store(URL, RECORD)
    assert backend.items == {}  # nothing went to the refused backend
    assert chosen.load(URL) is None
    assert chosen.delete(URL) is False


def test_a_secure_backend_of_priority_zero_does_not_count() -> None:
    chosen = Keychain.from_candidates([fake_backend("keyring.backends.SecretService", 0)])
    assert not chosen.status().available
    assert "not usable now" in chosen.status().reason


def test_only_the_fail_backend() -> None:
    status = Keychain.from_candidates([fake_backend("keyring.backends.fail", 0)]).status()
    assert status == KeychainStatus(enabled=True, available=False, backend=None, reason=status.reason)
    assert status.reason.startswith("keyring found only its fail backend")
    assert "macOS Keychain and Windows Credential Locker work without setup" in status.reason


def test_disabled_by_the_administrator() -> None:
    status = Keychain.detect(enabled=False).status()
    assert not status.enabled and not status.available
    assert "c.GitHubTokenExtension.keychain" in status.reason


def test_keyring_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # `import keyring` raises ImportError
    status = Keychain.detect().status()
    assert status.enabled and not status.available
    assert "keyring is not installed" in status.reason


def test_unreadable_entries_load_as_none() -> None:
    backend = fake_backend("keyring.backends.macOS", 5)
    chosen = Keychain.from_candidates([backend])
    backend.set_password(SERVICE, URL, "not json")
    assert chosen.load(URL) is None
    backend.set_password(SERVICE, URL, '["a list"]')
    assert chosen.load(URL) is None


def test_backend_errors_never_quote_the_secret() -> None:
    backend = fake_backend("keyring.backends.Windows", 5, "WinVaultKeyring")

    def refuse(service: str, username: str, password: str) -> None:
        raise RuntimeError(f"cannot store {password}")

    backend.set_password = refuse
    chosen = Keychain.from_candidates([backend])
    with pytest.raises(KeychainError) as caught:
        chosen.store(URL, RECORD)
    assert TOKEN not in str(caught.value)
    assert "RuntimeError" in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


# --- a real Secret Service ----------------------------------------------------------------------


def test_detect_finds_the_secret_service(secret_service: SecretService) -> None:
    status = Keychain.detect().status()
    assert status == KeychainStatus(enabled=True, available=True, backend="SecretService Keyring", reason="")


def test_detect_sees_a_session_that_started_after_a_first_look(secret_service: SecretService) -> None:
    """keyring computes its backend list once per process; detect asks again each time."""
    secret_service.stop()
    assert not Keychain.detect().status().available
    secret_service.start()
    assert Keychain.detect().status().available


def test_round_trip(secret_service: SecretService) -> None:
    chain = Keychain.detect()
    assert chain.load(URL) is None
    chain.store(URL, RECORD)
    assert chain.load(URL) == RECORD
    # Another Keychain (as after a new detection) reads the same item.
    assert Keychain.detect().load(URL) == RECORD
    assert chain.load("http://127.0.0.1:9999") is None  # one entry per API base URL
    assert chain.delete(URL) is True
    assert chain.load(URL) is None
    assert chain.delete(URL) is False


def test_delete_of_nothing(secret_service: SecretService) -> None:
    assert Keychain.detect().delete(URL) is False


def test_outside_the_session(secret_service: SecretService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS")
    status = Keychain.detect().status()
    assert not status.available and status.backend is None
    assert status.reason.startswith("keyring found only its fail backend")
    assert "Secret Service" in status.reason


def test_a_stopped_session_is_not_available(secret_service: SecretService, monkeypatch: pytest.MonkeyPatch) -> None:
    address = secret_service.address
    assert address is not None
    secret_service.stop()
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)  # a bus address that no longer answers
    assert not Keychain.detect().status().available


def test_the_item_survives_a_restart_and_no_file_holds_the_token(secret_service: SecretService) -> None:
    Keychain.detect().store(URL, RECORD)
    secret_service.restart()
    assert Keychain.detect().load(URL) == RECORD
    secret_service.stop()

    files = list(secret_service.files())
    assert any(path.suffix == ".keyring" for path in files), "the login keyring file exists"
    for path in files:
        data = path.read_bytes()
        for encoding, needle in needles(TOKEN).items():
            # The path and encoding only: never the token.
            assert needle not in data, f"{path} holds the token ({encoding})"


def test_needles_find_the_token_at_every_alignment() -> None:
    """The disk check can fail: each needle is found where the token is stored that way."""
    found = needles(TOKEN)
    for offset in range(3):
        blob = base64.b64encode(b"k" * (offset + 3) + TOKEN.encode() + b'"}')
        assert found[f"base64 (offset {offset})"] in blob
    assert found["utf-16le"] in b"\xff\xfe" + TOKEN.encode("utf-16-le")
    assert found["utf-8"] in b'{"token":"' + TOKEN.encode() + b'"}'


def test_a_required_secret_service_fails_instead_of_skipping(monkeypatch: pytest.MonkeyPatch) -> None:
    """make test-python sets REQUIRE_SECRET_SERVICE=1: missing programs fail the keychain tests."""
    skip_or_fail([])  # nothing missing: neither
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="gnome-keyring-daemon not installed"):
        skip_or_fail(["gnome-keyring-daemon"])
    monkeypatch.setenv(REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="REQUIRE_SECRET_SERVICE=1 requires them"):
        skip_or_fail(["gnome-keyring-daemon"])


def test_the_makefile_requires_the_secret_service() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    [line] = [line for line in makefile.splitlines() if "-m pytest test/python" in line]
    assert line.strip().startswith(f"{REQUIRE_ENV}=1 ")
