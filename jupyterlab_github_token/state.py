"""What the server extension keeps while the server runs, shared by its request handlers:
the held tokens (memory), the keychain (tokens the user asked to remember), the kernels
and terminals that got a token, and the event that tells every page about a change.

The operations here change the vault and the keychain together, so that memory, the
keychain and the pages never disagree for long. Keychain calls block (D-Bus, the OS):
they run in the default executor.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Protocol, TypeVar

from tornado.ioloop import IOLoop

from .environment import git_origin_for_api_base
from .events import TokenEvents
from .github_check import TokenCheck, check_token
from .hooks import KernelTracker, TerminalTracker, install_terminal_hook, running_terminals
from .keychain import Keychain, KeychainError, KeychainStatus
from .token_store import REFUSED_CHECKS, HeldToken, TokenCheckState, TokenValidationError, TokenVault, utc_now

if TYPE_CHECKING:  # the app imports this module
    from .app import GitHubTokenExtension

# The key of the state in the tornado settings. Not the extension's name: by
# jupyter_server's convention ``settings[name]`` is the ExtensionApp itself.
SETTINGS_KEY = "jupyterlab_github_token_state"

_LOG = logging.getLogger(__name__)
_T = TypeVar("_T")

#: Said of a token the server's check refused, when it was on for new kernels.
NOT_FOR_NEW_KERNELS = "Until it is replaced, new kernels and terminals do not get it."
#: Said when the keychain record of an earlier token could not be deleted.
EARLIER_MAY_COME_BACK = "The token remembered there earlier may be held again when the server restarts."


class KeychainBackend(Protocol):
    """What the state needs of a keychain (``keychain.Keychain``; tests pass a fake)."""

    def status(self) -> KeychainStatus: ...

    def store(self, api_base_url: str, record: dict[str, Any]) -> None: ...

    def load(self, api_base_url: str) -> dict[str, Any] | None: ...

    def delete(self, api_base_url: str) -> bool: ...


class KeychainUnavailable(Exception):
    """Remembering was asked for, and no secure keychain is available (the message says why)."""


def git_hosts_of(api_base_url: str) -> list[str]:
    origin = git_origin_for_api_base(api_base_url)
    return [origin] if origin else []


class LastForget:
    """What a Forget left running with the forgotten token: kernels (ids), terminals (weakly:
    a closed one goes, and a new terminal that reuses a name is not it) and the variables."""

    def __init__(
        self, api_base_url: str | None, kernels: Iterable[str], terminals: Iterable[Any], variables: Iterable[str]
    ) -> None:
        self.api_base_url = api_base_url
        self.kernels = list(dict.fromkeys(kernels))
        self._terminals: weakref.WeakSet[Any] = weakref.WeakSet(terminals)
        self.variables = list(dict.fromkeys(variables))

    def to_status(self, running_kernels: Iterable[str], terminal_manager: Any) -> dict[str, Any] | None:
        """``lastForget``: those still running now; ``None`` when none is."""
        running = set(running_kernels)
        kernels = [k for k in self.kernels if k in running]
        terminals = [name for name, term in running_terminals(terminal_manager) if term in self._terminals]
        if not kernels and not terminals:
            return None
        return {
            "apiBaseUrl": self.api_base_url,
            "kernels": kernels,
            "terminals": terminals,
            "variables": list(self.variables),
        }


def _disabled_keychain() -> KeychainBackend:
    return Keychain.detect(enabled=False)


@dataclass
class ServerState:
    """The held tokens, what was given them, the keychain and the administrator's settings."""

    config: GitHubTokenExtension
    vault: TokenVault = field(default_factory=TokenVault)
    kernels: KernelTracker = field(default_factory=KernelTracker)
    terminals: TerminalTracker = field(default_factory=TerminalTracker)
    keychain: KeychainBackend = field(default_factory=_disabled_keychain)
    events: TokenEvents = field(default_factory=TokenEvents)
    log: logging.Logger = _LOG
    last_forget: LastForget | None = None
    # One at a time: hold, change, forget and the restore at start, so that keychain stores and
    # deletes never interleave (a Forget during a slow store would leave the token remembered).
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)
    # URL -> changes so far (see _touch).
    _epochs: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    def hook_terminals(self, terminal_manager: Any) -> bool:
        """Give the token for new terminals to terminals started from now on (idempotent:
        the terminal manager may be created after this extension is loaded)."""
        return install_terminal_hook(terminal_manager, self.vault, self.terminals)

    def keychain_status(self) -> KeychainStatus:
        return self.keychain.status()

    async def _blocking(self, fn: Callable[..., _T], *args: Any) -> _T:
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)

    async def _store(self, entry: HeldToken) -> None:
        await self._blocking(self.keychain.store, entry.api_base_url, entry.to_keychain_record())

    async def _delete(self, api_base_url: str) -> tuple[bool, str]:
        """Remove the URL's keychain entry: ``(removed, error)``; error '' when fine, else the
        failure (logged; it names what failed, never a secret)."""
        if not self.keychain.status().available:
            return False, ""
        try:
            return await self._blocking(self.keychain.delete, api_base_url), ""
        except KeychainError as exc:
            self.log.warning("jupyterlab_github_token: %s", exc)
            return False, str(exc)

    async def _resync(self, entries: Iterable[HeldToken]) -> None:
        """Entries whose for_new_kernels changed as a side effect: their keychain record too."""
        for entry in entries:
            if entry.remembered and self.keychain.status().available:
                try:
                    await self._store(entry)
                except KeychainError as exc:
                    self.log.warning("jupyterlab_github_token: %s", exc)

    async def _undo_store(self, api_base_url: str) -> None:
        """The keychain got a token the vault no longer holds for the URL (forgotten or replaced
        meanwhile): put the keychain back in step with the vault."""
        current = self.vault.get(api_base_url)
        if current is not None and current.remembered:
            await self._resync([current])
        else:
            await self._delete(api_base_url)

    async def _mark_remembered(self, stored: HeldToken) -> HeldToken | None:
        """After ``stored``'s record went into the keychain: mark it remembered, only if the
        vault still holds that same token for the URL; else undo the store (``None``)."""
        marked = self.vault.update(stored.api_base_url, remembered=True, token=stored.token)
        if marked is None:
            await self._undo_store(stored.api_base_url)
            return None
        return marked[0]

    def _touch(self, api_base_urls: Iterable[str]) -> None:
        """The URLs' tokens changed (held, changed, forgotten): a restore read before is stale."""
        for url in api_base_urls:
            self._epochs[url] = self._epochs.get(url, 0) + 1

    async def hold(self, entry: HeldToken, *, keep_for_new_kernels: bool, remember: bool) -> tuple[HeldToken, str]:
        """Hold ``entry`` (validated); remember it in the keychain or delete an earlier record.

        Returns the held entry and a warning ('' when none): remembering was asked for and
        the keychain could not (the token is held in memory only), or an earlier record
        could not be deleted.
        """
        async with self._lock:
            held, others = self.vault.hold(
                dataclasses.replace(entry, remembered=False), keep_for_new_kernels=keep_for_new_kernels
            )
            url = held.api_base_url
            self._touch([url])
            warning = ""
            if remember:
                status = self.keychain.status()
                if not status.available:
                    warning = status.reason or "No secure keychain is available."
                else:
                    try:
                        await self._store(held)
                    except KeychainError as exc:
                        warning = str(exc)
                        # An earlier token remembered for this URL must not come back at the next start.
                        await self._delete(url)
                    else:
                        held = await self._mark_remembered(held) or held
            else:
                _, error = await self._delete(url)
                if error:
                    warning = f"{error} {EARLIER_MAY_COME_BACK}"
            await self._resync(others)
            self.events.emit("held", url)
            return held, warning

    async def change(
        self, api_base_url: str, *, for_new_kernels: bool | None, remember: bool | None
    ) -> HeldToken | None:
        """Turn the URL's options on or off; ``None`` when nothing is held there.

        Raises ``KeychainUnavailable`` (no secure keychain) or ``KeychainError`` when
        ``remember`` is asked for (or ``remember=False``'s delete fails) and cannot be
        done: then nothing changed.
        """
        async with self._lock:
            entry = self.vault.get(api_base_url)
            if entry is None:
                return None
            wanted = entry if for_new_kernels is None else dataclasses.replace(entry, for_new_kernels=for_new_kernels)
            if remember:
                status = self.keychain.status()
                if not status.available:
                    raise KeychainUnavailable(status.reason or "No secure keychain is available.")
                await self._store(wanted)
            elif remember is False:
                _, error = await self._delete(api_base_url)
                if error:
                    raise KeychainError(error)
            elif entry.remembered and wanted.for_new_kernels != entry.for_new_kernels:
                # The keychain remembers for_new_kernels too: what the next start gives new kernels.
                await self._resync([wanted])
            # Only the entry whose token was stored (the URL may hold another one by now).
            updated = self.vault.update(
                api_base_url, for_new_kernels=for_new_kernels, remembered=remember, token=entry.token
            )
            if updated is None:  # forgotten or replaced meanwhile
                if remember:
                    await self._undo_store(api_base_url)
                return None
            self._touch([api_base_url])
            changed, others = updated
            await self._resync(others)
            self.events.emit("changed", api_base_url)
            return changed

    async def forget(self, api_base_url: str | None) -> tuple[list[HeldToken], bool, str]:
        """Forget the URL's token (``None``: every token) in memory and in the keychain.

        Returns the entries removed, whether a keychain entry was removed, and the failures
        ('' when none) to delete the keychain entry of a remembered one.
        """
        async with self._lock:
            removed = self.vault.forget(api_base_url)
            if api_base_url is None:
                urls = list(dict.fromkeys([*self.config.allowed_api_base_urls, *(e.api_base_url for e in removed)]))
            else:
                urls = [api_base_url]
            self._touch(urls)
            remembered = {e.api_base_url for e in removed if e.remembered}
            keychain_removed = False
            errors: list[str] = []
            for url in urls:
                deleted, error = await self._delete(url)
                keychain_removed = deleted or keychain_removed
                if error and url in remembered:
                    errors.append(error)
            self.events.emit("forgotten", api_base_url)
            return removed, keychain_removed, " ".join(errors)

    def _load_remembered(self, api_base_urls: list[str]) -> list[tuple[str, dict[str, Any]]]:
        """The keychain's record for each URL that has one (blocking: run in the executor)."""
        records: list[tuple[str, dict[str, Any]]] = []
        for url in api_base_urls:
            try:
                record = self.keychain.load(url)
            except KeychainError as exc:
                self.log.warning("jupyterlab_github_token: %s", exc)
                continue
            if record is not None:
                records.append((url, record))
        return records

    async def restore_remembered(self, api_base_urls: Iterable[str]) -> list[HeldToken]:
        """Hold the token remembered for each URL; the keychain reads run in the executor (a
        slow or locked Secret Service delays only this). A URL whose token was held, changed or
        forgotten while the keychain was read keeps that newer state."""
        if not self.keychain.status().available:
            return []
        urls = list(api_base_urls)
        epochs = {url: self._epochs.get(url, 0) for url in urls}
        records = await self._blocking(self._load_remembered, urls)
        restored: list[HeldToken] = []
        async with self._lock:
            for url, record in records:
                if self._epochs.get(url, 0) != epochs[url] or self.vault.get(url) is not None:
                    continue
                try:
                    entry = HeldToken.from_keychain_record(url, record, git_hosts=git_hosts_of(url))
                except TokenValidationError as exc:
                    # The reason only: the message is safe too, but the record is not ours to quote.
                    self.log.warning(
                        "jupyterlab_github_token: the token remembered for %s is not valid (%s); it is not used",
                        url,
                        exc.reason,
                    )
                    continue
                held, others = self.vault.hold(entry)
                await self._resync(others)
                restored.append(held)
                self.log.info("jupyterlab_github_token: a remembered GitHub token for %s is held again", url)
        for held in restored:  # pages opened before this tell their users
            self.events.emit("held", held.api_base_url)
        return restored

    async def restore_and_check(self, api_base_urls: Iterable[str]) -> list[HeldToken]:
        """At start (an IOLoop callback): restore the remembered tokens, then check each once
        in the background (each check emits ``checked``)."""
        restored = await self.restore_remembered(api_base_urls)
        for entry in restored:
            IOLoop.current().add_callback(self.check_held, entry)
        return restored

    def forgotten(self, last: LastForget) -> None:
        """What the most recent Forget left running (reported by every status)."""
        self.last_forget = last

    async def check_held(self, entry: HeldToken) -> HeldToken | None:
        """The server's own check of a held token (GET /user); stored in the entry's ``check``.

        Returns the updated entry, or None when it was replaced or forgotten meanwhile.
        """
        try:
            result = await check_token(entry.api_base_url, entry.token, self.config.request_timeout)
        except Exception as exc:  # check_token answers network failures itself; anything else:
            result = TokenCheck(
                "unreachable", None, None, None, f"The token could not be checked ({type(exc).__name__})."
            )
        message = result.message
        if result.status in REFUSED_CHECKS and entry.for_new_kernels:
            message = f"{message} {NOT_FOR_NEW_KERNELS}".strip()
        valid = result.status == "valid"
        updated = self.vault.record_check(
            entry.api_base_url,
            entry.token,
            TokenCheckState(result.status, utc_now(), self.vault.scrub(message), result.http_status),
            login=result.login if valid else None,
            expires_at=result.expires_at if valid else None,
            scopes=tuple(result.scopes) if valid and result.scopes is not None else None,
        )
        self.log.info(
            "jupyterlab_github_token: the token held for %s was checked: %s", entry.api_base_url, result.status
        )
        self.events.emit("checked", entry.api_base_url)
        return updated


def server_state(settings: Mapping[str, Any]) -> ServerState:
    state = settings[SETTINGS_KEY]
    if not isinstance(state, ServerState):  # pragma: no cover - another extension took the key
        raise TypeError(f"settings[{SETTINGS_KEY!r}] is not the jupyterlab_github_token state")
    return state
