"""A real, private Secret Service (GNOME Keyring on its own D-Bus session) for keychain tests.

``secret_service`` starts ``dbus-run-session`` with ``gnome-keyring-daemon --unlock`` in
it, HOME being the test's (pytest-jupyter's ``jp_home_dir``, so a server app started in
the test agrees), and points this process's ``DBUS_SESSION_BUS_ADDRESS`` at it: keyring's
SecretService backend then works as on a desktop. ``restart()`` stops the session and
starts a new one with the same HOME and password (the login keyring file is reopened).
Registered in conftest.py (``pytest_plugins``). Without the programs the tests skip, or
fail when ``REQUIRE_SECRET_SERVICE=1`` (``make test-python``).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REQUIRED = ("dbus-run-session", "gnome-keyring-daemon")
#: Set to 1 (the Makefile's test-python does): without those programs the tests fail instead of skipping.
REQUIRE_ENV = "REQUIRE_SECRET_SERVICE"

# The password comes in through the environment (not the command line, which `ps` shows).
_SCRIPT = (
    'printf %s "$SECRET_SERVICE_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null; '
    'echo "$DBUS_SESSION_BUS_ADDRESS" > "$SECRET_SERVICE_ADDRESS_FILE"; '
    "exec sleep 3600"
)
START_SECONDS = 15.0


def _default_collection_ready() -> bool:
    """The unlocking daemon owns the Secret Service name and its login collection is unlocked.

    gnome-keyring-daemon returns before it has taken the name: a request then would make
    D-Bus start another daemon, one without the password (locked, and it wants a prompt).
    NameHasOwner does not start anything, so it is asked first."""
    import secretstorage
    from jeepney.bus_messages import message_bus

    try:
        with contextlib.closing(secretstorage.dbus_init()) as connection:
            reply = connection.send_and_get_reply(message_bus.NameHasOwner("org.freedesktop.secrets"))
            if not reply.body[0]:
                return False
            return not secretstorage.get_default_collection(connection).is_locked()
    except secretstorage.exceptions.SecretStorageException:
        return False


def missing_programs() -> list[str]:
    return [name for name in REQUIRED if shutil.which(name) is None]


def skip_or_fail(missing: list[str]) -> None:
    """Skip the test when programs are missing; fail it under ``REQUIRE_SECRET_SERVICE=1``
    (make test, CI: a missing Secret Service must not pass as a silent skip)."""
    if not missing:
        return
    why = (
        f"{', '.join(missing)} not installed: the keychain tests need a real Secret Service "
        "(make keychain-deps installs gnome-keyring and dbus)"
    )
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{why}; {REQUIRE_ENV}=1 requires them")
    pytest.skip(why)


class SecretService:
    """One private D-Bus session with an unlocked GNOME Keyring; HOME holds its keyring file."""

    def __init__(self, home: Path, work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.home = home
        self._work = work
        self._monkeypatch = monkeypatch
        self._password = secrets.token_hex(16)
        self._process: subprocess.Popen[bytes] | None = None
        self.address: str | None = None
        for sub in (".cache", ".local/share"):
            (home / sub).mkdir(parents=True, exist_ok=True)
        work.mkdir(parents=True, exist_ok=True)

    def start(self) -> str:
        assert self._process is None, "already running"
        address_file = self._work / "address"
        address_file.unlink(missing_ok=True)
        env = {
            name: value
            for name, value in os.environ.items()
            if name not in ("DBUS_SESSION_BUS_ADDRESS", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR")
        }
        env.update(
            HOME=str(self.home),
            SECRET_SERVICE_PASSWORD=self._password,
            SECRET_SERVICE_ADDRESS_FILE=str(address_file),
        )
        with (self._work / "session.log").open("ab") as log:
            # A session of its own: stop() ends the bus, the daemon and the shell as one group.
            self._process = subprocess.Popen(
                ["dbus-run-session", "--", "sh", "-c", _SCRIPT],
                env=env,
                cwd=self.home,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            text = address_file.read_text(encoding="utf-8").strip() if address_file.exists() else ""
            if text:
                self.address = text
                self._monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", text)
                if _default_collection_ready():
                    return text
            if self._process.poll() is not None:
                break
            time.sleep(0.05)
        log_text = (self._work / "session.log").read_text(encoding="utf-8", errors="replace")
        self.stop()
        raise RuntimeError(f"the private Secret Service did not start within {START_SECONDS}s:\n{log_text}")

    def stop(self) -> None:
        process, self._process = self._process, None
        self.address = None
        self._monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        # The daemon leaves with its bus; give it a moment so a restart does not meet it.
        time.sleep(0.2)

    def restart(self) -> str:
        self.stop()
        return self.start()

    def files(self) -> Iterator[Path]:
        """Every regular file under HOME (the keyring's, and anything else written there)."""
        for path in sorted(self.home.rglob("*")):
            if path.is_file() and not path.is_symlink():
                yield path


@pytest.fixture
def secret_service(jp_home_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretService]:
    skip_or_fail(missing_programs())
    home = Path(jp_home_dir)
    # The same HOME as pytest-jupyter's jp_environ, so a server app in the test agrees.
    monkeypatch.setenv("HOME", str(home))
    service = SecretService(home, tmp_path / "secret-service", monkeypatch)
    service.start()
    try:
        yield service
    finally:
        service.stop()
