"""The vault of held tokens (one per API base URL), the trackers, and the state's keychain
operations with a fake keychain and a fake check (the real ones are test_keychain*.py)."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import pytest
from conftest import TOKENS

from jupyterlab_github_token import state as state_module
from jupyterlab_github_token.app import GitHubTokenExtension
from jupyterlab_github_token.github_check import TokenCheck
from jupyterlab_github_token.hooks import KernelTracker, TerminalTracker
from jupyterlab_github_token.keychain import KeychainError, KeychainStatus
from jupyterlab_github_token.state import NOT_FOR_NEW_KERNELS, ServerState
from jupyterlab_github_token.token_store import (
    HeldToken,
    TokenCheckState,
    TokenValidationError,
    TokenVault,
    token_kind,
)

TOKEN: str = TOKENS["classicRepo"]["token"]
FINE: str = TOKENS["fineGrained"]["token"]
A = "https://api.github.com"
B = "https://ghe.example.com/api/v3"


def entry(url: str = A, token: str = TOKEN, **kwargs: Any) -> HeldToken:
    return HeldToken.create(url, token, **kwargs)


def test_kinds_come_from_the_policy() -> None:
    assert token_kind(TOKEN) == "classic"
    assert token_kind(FINE) == "fine-grained"
    assert token_kind("ghs_" + "a" * 36) == "server-to-server"
    assert token_kind("0123456789abcdef0123456789abcdef01234567") == "legacy"
    assert token_kind("something_else") == "unknown"
    assert entry(token=FINE).to_status()["kind"] == "fine-grained"


@pytest.mark.parametrize(
    "scopes, ok",
    [
        (None, True),
        ([], True),
        (["repo", "read:user", "admin:repo_hook", "manage_runners:enterprise", "write:packages"], True),
        (["repo", ""], False),
        (["repo,user"], False),
        (["re po"], False),
        ([1], False),
        ("repo", False),
        ([f"s{i}" for i in range(65)], False),
    ],
)
def test_scopes_are_validated(scopes: Any, ok: bool) -> None:
    if ok:
        assert entry(scopes=scopes).to_status()["scopes"] == scopes
        return
    with pytest.raises(TokenValidationError) as info:
        entry(scopes=scopes)
    assert info.value.reason == "metadata-invalid"


def test_one_entry_per_url_and_at_most_one_for_new_kernels() -> None:
    vault = TokenVault()
    _, others = vault.hold(entry(A, for_new_kernels=True))
    assert others == [] and vault.bound_snapshot() == (TOKEN, ["GITHUB_TOKEN", "GH_TOKEN"], [])
    _, others = vault.hold(entry(B, FINE, for_new_kernels=True, git_hosts=["https://ghe.example.com"]))
    assert [e.api_base_url for e in others] == [A] and not vault.get(A).for_new_kernels  # type: ignore[union-attr]
    assert vault.bound_snapshot() == (FINE, ["GITHUB_TOKEN", "GH_TOKEN"], ["https://ghe.example.com"])
    # Replacing B's token, keeping its option (on).
    held_b2, _ = vault.hold(entry(B, TOKEN), keep_for_new_kernels=True)
    assert held_b2.for_new_kernels and [e.api_base_url for e in vault.entries()] == [A, B]
    # Keeping an option with no earlier entry: off.
    vault.forget(A)
    held_a, _ = vault.hold(entry(A, FINE, for_new_kernels=True), keep_for_new_kernels=True)
    assert held_a.for_new_kernels is False
    # Turning A on turns B off.
    result = vault.update(A, for_new_kernels=True)
    assert result is not None and [e.api_base_url for e in result[1]] == [B]
    assert {e.api_base_url: e.for_new_kernels for e in vault.entries()} == {A: True, B: False}
    assert vault.update("https://nothing.example", for_new_kernels=True) is None
    assert vault.scrub(f"x {TOKEN} y {FINE}") == "x [token] y [token]"
    assert [e.api_base_url for e in vault.forget()] == [B, A] and vault.entries() == []


def test_a_refused_check_takes_the_token_off_new_kernels() -> None:
    vault = TokenVault()
    vault.hold(entry(for_new_kernels=True))
    for status in ("unchecked", "valid", "unreachable"):
        vault.record_check(A, TOKEN, TokenCheckState(status, "2026-01-01T00:00:00Z", ""))
        assert vault.bound_snapshot() is not None, status
    for status in ("revoked", "expired"):
        vault.record_check(A, TOKEN, TokenCheckState(status, "2026-01-01T00:00:00Z", "no"))
        assert vault.bound_snapshot() is None and vault.for_new_kernels() is None
        assert vault.get(A).for_new_kernels is True  # type: ignore[union-attr]  # the user's choice stays
    # A check of a token since replaced is dropped.
    vault.hold(entry(token=FINE), keep_for_new_kernels=True)
    assert vault.record_check(A, TOKEN, TokenCheckState("revoked", None, "")) is None
    assert vault.get(A).check.status == "unchecked"  # type: ignore[union-attr]
    assert vault.bound_snapshot() is not None
    # Valid: login, expiry and scopes refreshed.
    updated = vault.record_check(
        A, FINE, TokenCheckState("valid", None, ""), login="octo-fine", expires_at="2027-02-01T00:00:00Z"
    )
    assert updated is not None and updated.login == "octo-fine" and updated.expires_at == "2027-02-01T00:00:00Z"


def test_keychain_records() -> None:
    held = entry(
        for_new_kernels=True, login="octo-scientist", expires_at="2026-12-24 10:00:00 UTC", scopes=["repo", "user"]
    )
    record = held.to_keychain_record()
    assert record == {
        "token": TOKEN,
        "variables": ["GITHUB_TOKEN", "GH_TOKEN"],
        "forNewKernels": True,
        "login": "octo-scientist",
        "expiresAt": "2026-12-24 10:00:00 UTC",
        "scopes": ["repo", "user"],
    }
    back = HeldToken.from_keychain_record(A, record, git_hosts=["https://github.com"])
    assert back.remembered is True and back.token == TOKEN and back.git_hosts == ("https://github.com",)
    assert (back.login, back.expires_at, back.scopes, back.for_new_kernels) == (
        "octo-scientist",
        "2026-12-24 10:00:00 UTC",
        ("repo", "user"),
        True,
    )
    for tampered in (
        {**record, "token": TOKEN + "$"},
        {**record, "variables": ["LD_PRELOAD"]},
        {**record, "forNewKernels": "yes"},
        {**record, "scopes": "repo"},
        {},
    ):
        with pytest.raises(TokenValidationError) as info:
            HeldToken.from_keychain_record(A, tampered)
        assert TOKEN not in str(info.value)
    with pytest.raises(TokenValidationError):
        HeldToken.from_keychain_record(A, [record])  # type: ignore[arg-type]
    # Not in the status, nor the repr.
    assert TOKEN not in repr(back) and TOKEN not in str(back.to_status())


def test_the_vault_is_thread_safe() -> None:
    vault = TokenVault()
    urls = [f"https://h{i}.example/api/v3" for i in range(8)]

    def work(url: str) -> None:
        for _ in range(200):
            vault.hold(entry(url, for_new_kernels=True))
            vault.update(url, for_new_kernels=True)
            vault.bound_snapshot()

    threads = [threading.Thread(target=work, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(vault.entries()) == 8
    assert sum(e.for_new_kernels for e in vault.entries()) == 1


def test_kernel_tracker_by_url() -> None:
    tracker = KernelTracker()
    tracker.add("k1", {"GITHUB_TOKEN": None}, ["GIT_CONFIG_PARAMETERS"], A)
    tracker.record("k1", B)  # the page wrote B's token into k1 too
    tracker.record("k2", B)
    tracker.record("k3", A)
    assert tracker.ids() == ["k1", "k2", "k3"]
    assert tracker.clashes() == {"k1": ["GIT_CONFIG_PARAMETERS"]}
    popped = tracker.pop(B)
    assert sorted(popped) == ["k1", "k2"]
    assert popped["k1"].restore == {} and popped["k2"].restore == {}  # B's token never was in a launch env
    assert tracker.ids() == ["k1", "k3"]
    popped = tracker.pop(A)
    assert popped["k1"].restore == {"GITHUB_TOKEN": None} and popped["k3"].restore == {}
    assert tracker.ids() == [] and tracker.clashes() == {}
    tracker.record("k4", A)
    assert list(tracker.pop()) == ["k4"]


def test_terminal_tracker_by_url() -> None:
    class Term:
        pass

    one, two, gone = Term(), Term(), Term()
    manager = type("TM", (), {"terminals": {"1": one, "2": two}})()
    tracker = TerminalTracker()
    tracker.add(one, A)
    tracker.add(two, B)
    tracker.add(gone, A)
    assert tracker.running(manager) == ["1", "2"]
    assert tracker.running(manager, A) == ["1"]
    tracker.clear(A)
    assert tracker.running(manager) == ["2"]
    tracker.clear()
    assert tracker.running(manager) == []


# --------------------------------------------------------------------------
# The state's operations (memory + keychain together)
# --------------------------------------------------------------------------


class FakeKeychain:
    def __init__(self, available: bool = True) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.available = available
        self.fail_load = False

    def status(self) -> KeychainStatus:
        return KeychainStatus(True, self.available, "Fake" if self.available else None, "" if self.available else "no")

    def store(self, api_base_url: str, record: dict[str, Any]) -> None:
        self.records[api_base_url] = dict(record)

    def load(self, api_base_url: str) -> dict[str, Any] | None:
        if self.fail_load:
            raise KeychainError(f"The fake keychain did not read the entry for {api_base_url}.")
        return self.records.get(api_base_url)

    def delete(self, api_base_url: str) -> bool:
        return self.records.pop(api_base_url, None) is not None


class Events:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str | None]] = []

    def emit(self, action: str, api_base_url: str | None) -> None:
        self.seen.append((action, api_base_url))


def make_state(keychain: FakeKeychain, urls: list[str] | None = None) -> tuple[ServerState, Events]:
    events = Events()
    config = GitHubTokenExtension(allowed_api_base_urls=urls or [A, B], request_timeout=3)
    state = ServerState(config=config, keychain=keychain, events=events)  # type: ignore[arg-type]
    return state, events


async def test_restore_remembered_tokens(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    keychain = FakeKeychain()
    keychain.records[A] = entry(A, for_new_kernels=True).to_keychain_record()
    keychain.records[B] = {**entry(B, FINE).to_keychain_record(), "variables": ["PATH"]}
    state, events = make_state(keychain)
    restored = await state.restore_remembered([A, B, "https://api.none.example"])
    assert [e.api_base_url for e in restored] == [A]
    assert restored[0].remembered and restored[0].git_hosts == ("https://github.com",)
    assert state.vault.bound_snapshot() is not None
    assert f"the token remembered for {B} is not valid (name-invalid); it is not used" in caplog.text
    assert TOKEN not in caplog.text and FINE not in caplog.text
    # Pages opened before the restore hear of it.
    assert events.seen == [("held", A)]

    # A keychain that fails to read, or none: nothing restored, start-up goes on.
    keychain.fail_load = True
    state, _ = make_state(keychain)
    assert await state.restore_remembered([A]) == []
    assert f"did not read the entry for {A}" in caplog.text
    state, _ = make_state(FakeKeychain(available=False))
    assert await state.restore_remembered([A]) == []


async def test_check_held(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = {
        TOKEN: TokenCheck("revoked", None, None, None, f"Bad credentials for {TOKEN}."),
        FINE: TokenCheck("valid", "octo-fine", "2027-02-01T00:00:00Z", None, ""),
    }

    async def fake_check(api_base_url: str, token: str, timeout: float) -> TokenCheck:
        assert timeout == 3
        return answers[token]

    monkeypatch.setattr(state_module, "check_token", fake_check)
    state, events = make_state(FakeKeychain())
    held, _ = state.vault.hold(entry(A, for_new_kernels=True, login="old"))
    checked = await state.check_held(held)
    assert checked is not None and checked.check.status == "revoked" and checked.check.checked_at
    # The message says what it means for new kernels; it never quotes the token.
    assert checked.check.message == f"Bad credentials for [token]. {NOT_FOR_NEW_KERNELS}"
    assert checked.login == "old" and state.vault.bound_snapshot() is None
    assert events.seen == [("checked", A)]

    held, _ = state.vault.hold(entry(B, FINE))
    checked = await state.check_held(held)
    assert checked is not None and checked.check.status == "valid" and checked.login == "octo-fine"
    assert checked.scopes is None and checked.check.message == ""

    async def broken(api_base_url: str, token: str, timeout: float) -> TokenCheck:
        raise RuntimeError(token)

    monkeypatch.setattr(state_module, "check_token", broken)
    checked = await state.check_held(state.vault.get(B))  # type: ignore[arg-type]
    assert checked is not None and checked.check.status == "unreachable"
    assert FINE not in checked.check.message


async def test_hold_change_forget_keep_the_keychain_in_step() -> None:
    keychain = FakeKeychain()
    state, events = make_state(keychain)
    held, warning = await state.hold(entry(A, for_new_kernels=True), keep_for_new_kernels=False, remember=True)
    assert warning == "" and held.remembered and keychain.records[A]["forNewKernels"] is True
    # Another URL taking "for new kernels" over rewrites A's record.
    await state.hold(entry(B, FINE, for_new_kernels=True), keep_for_new_kernels=False, remember=False)
    assert keychain.records[A]["forNewKernels"] is False and B not in keychain.records
    changed = await state.change(A, for_new_kernels=True, remember=None)
    assert changed is not None and keychain.records[A]["forNewKernels"] is True
    assert await state.change("https://none.example", for_new_kernels=True, remember=None) is None
    removed, from_keychain, error = await state.forget(None)
    assert [e.api_base_url for e in removed] == [A, B] and from_keychain and keychain.records == {}
    assert error == ""
    assert events.seen == [("held", A), ("held", B), ("changed", A), ("forgotten", None)]

    keychain.available = False
    held, warning = await state.hold(entry(A), keep_for_new_kernels=True, remember=True)
    assert warning == "no" and not held.remembered
    with pytest.raises(state_module.KeychainUnavailable):
        await state.change(A, for_new_kernels=None, remember=True)
    removed, from_keychain, error = await state.forget(A)
    assert len(removed) == 1 and from_keychain is False and error == ""


def test_the_hooks_run_the_blocking_calls_in_an_executor() -> None:
    """Keychain calls leave the event loop's thread (D-Bus can block)."""
    threads: list[str] = []

    class Slow(FakeKeychain):
        def store(self, api_base_url: str, record: dict[str, Any]) -> None:
            threads.append(threading.current_thread().name)
            super().store(api_base_url, record)

    state, _ = make_state(Slow())

    async def run() -> None:
        await state.hold(entry(A), keep_for_new_kernels=False, remember=True)

    asyncio.run(run())
    assert threads and threads[0] != threading.main_thread().name


class GatedKeychain(FakeKeychain):
    """Store and load wait until ``release`` is set (a slow or locked Secret Service)."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()

    def store(self, api_base_url: str, record: dict[str, Any]) -> None:
        self.entered.set()
        assert self.release.wait(timeout=10)
        super().store(api_base_url, record)

    def load(self, api_base_url: str) -> dict[str, Any] | None:
        self.entered.set()
        assert self.release.wait(timeout=10)
        return super().load(api_base_url)


async def test_a_forget_waits_for_a_store_under_way() -> None:
    keychain = GatedKeychain()
    state, events = make_state(keychain)
    hold = asyncio.ensure_future(state.hold(entry(A), keep_for_new_kernels=False, remember=True))
    assert await asyncio.to_thread(keychain.entered.wait, 10)
    forget = asyncio.ensure_future(state.forget(A))
    await asyncio.sleep(0.1)
    assert not forget.done()  # waits for the hold (and its store) to finish
    keychain.release.set()
    held, _ = await hold
    removed, from_keychain, error = await forget
    assert held.remembered and [e.token for e in removed] == [TOKEN]
    assert from_keychain and error == "" and keychain.records == {}
    assert events.seen == [("held", A), ("forgotten", A)]


async def test_only_the_token_stored_is_marked_remembered() -> None:
    """The vault changed behind the state's back while the keychain stored: the item stored is
    not what the vault holds, so it is deleted again and the other token is not marked."""
    keychain = GatedKeychain()
    state, _ = make_state(keychain)
    hold = asyncio.ensure_future(state.hold(entry(A), keep_for_new_kernels=False, remember=True))
    assert await asyncio.to_thread(keychain.entered.wait, 10)
    state.vault.hold(entry(A, FINE))  # replaced meanwhile
    keychain.release.set()
    await hold
    now = state.vault.get(A)
    assert now is not None and now.token == FINE and not now.remembered
    assert keychain.records == {}

    # The same for change(remember=True).
    keychain.entered.clear()
    keychain.release.clear()
    change = asyncio.ensure_future(state.change(A, for_new_kernels=None, remember=True))
    assert await asyncio.to_thread(keychain.entered.wait, 10)
    state.vault.hold(entry(A, TOKEN))
    keychain.release.set()
    assert await change is None
    now = state.vault.get(A)
    assert now is not None and now.token == TOKEN and not now.remembered
    assert keychain.records == {}


async def test_change_and_forget_report_a_failing_delete() -> None:
    class NoDelete(FakeKeychain):
        def delete(self, api_base_url: str) -> bool:
            raise KeychainError(f"The fake keychain did not delete the entry for {api_base_url} (Locked).")

    keychain = NoDelete()
    state, _ = make_state(keychain)
    await state.hold(entry(A), keep_for_new_kernels=False, remember=True)
    with pytest.raises(KeychainError, match="did not delete"):
        await state.change(A, for_new_kernels=None, remember=False)
    assert state.vault.get(A).remembered  # type: ignore[union-attr]  # nothing changed
    await state.hold(entry(B, FINE), keep_for_new_kernels=False, remember=True)
    removed, from_keychain, error = await state.forget(None)
    assert len(removed) == 2 and from_keychain is False
    # One failure per remembered entry (never a secret).
    assert error == (
        f"The fake keychain did not delete the entry for {A} (Locked). "
        f"The fake keychain did not delete the entry for {B} (Locked)."
    )
    assert TOKEN not in error and FINE not in error


async def test_a_restore_keeps_what_was_done_while_it_read() -> None:
    keychain = GatedKeychain()
    keychain.records[A] = entry(A).to_keychain_record()
    keychain.records[B] = entry(B, FINE).to_keychain_record()
    state, events = make_state(keychain)
    restore = asyncio.ensure_future(state.restore_remembered([A, B]))
    assert await asyncio.to_thread(keychain.entered.wait, 10)
    # Meanwhile: a new token for A (not remembered), and B forgotten.
    newer = asyncio.ensure_future(state.hold(entry(A, FINE), keep_for_new_kernels=False, remember=False))
    forgotten = asyncio.ensure_future(state.forget(B))
    await asyncio.sleep(0.05)
    keychain.release.set()
    await newer
    await forgotten
    assert await restore == []
    held = state.vault.get(A)
    assert held is not None and held.token == FINE and state.vault.get(B) is None
    assert ("held", A) in events.seen and events.seen.count(("held", A)) == 1


async def test_restore_and_check_runs_the_checks_after_the_restore(monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []

    async def fake_check(api_base_url: str, token: str, timeout: float) -> TokenCheck:
        checked.append(api_base_url)
        return TokenCheck("valid", "octo-scientist", None, None, "", 200)

    monkeypatch.setattr(state_module, "check_token", fake_check)
    keychain = FakeKeychain()
    keychain.records[A] = entry(A).to_keychain_record()
    state, events = make_state(keychain)
    restored = await state.restore_and_check([A, B])
    assert [e.api_base_url for e in restored] == [A]
    for _ in range(20):
        if events.seen[-1:] == [("checked", A)]:
            break
        await asyncio.sleep(0.01)
    assert checked == [A] and events.seen == [("held", A), ("checked", A)]
    held = state.vault.get(A)
    assert held is not None and held.check.status == "valid" and held.check.http_status == 200


def test_kernels_keep_the_variables_they_got() -> None:
    tracker = KernelTracker()
    tracker.add("k1", {"GITHUB_TOKEN": None, "GIT_CONFIG_PARAMETERS": None}, api_base_url=A, variables=["GITHUB_TOKEN"])
    tracker.record("k1", B, ["MY_PAT"])
    tracker.record("k1", B, ["MY_PAT", "GH_TOKEN"])
    tracker.record("k2", A, ["GH_TOKEN"])
    assert tracker.variables("k1") == ["GITHUB_TOKEN", "MY_PAT", "GH_TOKEN"]
    popped = tracker.pop(B)
    assert popped["k1"].variables == ["MY_PAT", "GH_TOKEN"] and "k2" not in popped
    assert tracker.variables("k1") == ["GITHUB_TOKEN"]
    popped = tracker.pop(None)
    assert popped["k1"].variables == ["GITHUB_TOKEN"] and popped["k2"].variables == ["GH_TOKEN"]
    assert tracker.variables("k1") == []


def test_last_forget_reports_only_what_still_runs() -> None:
    class Term:
        pass

    kept, closed, newcomer = Term(), Term(), Term()
    last = state_module.LastForget(A, ["k1", "k2", "k1"], [kept, closed], ["GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN"])

    class Manager:
        def __init__(self) -> None:
            self.terminals = {"1": kept, "2": newcomer}  # "2" took a closed terminal's name

    assert last.to_status(["k2", "k3"], Manager()) == {
        "apiBaseUrl": A,
        "kernels": ["k2"],
        "terminals": ["1"],
        "variables": ["GITHUB_TOKEN", "GH_TOKEN"],
    }
    assert last.to_status([], None) is None


def test_the_login_is_the_policy_s() -> None:
    """One login rule (policy github.login) for metadata the page sends and GitHub's answers."""
    assert entry(login="dependabot[bot]").login == "dependabot[bot]"
    assert entry(login="mona-cat_octo").login == "mona-cat_octo"
    for bad in ("x" * 40, "octo.cat", "-octo", "bad login; rm"):
        with pytest.raises(TokenValidationError) as caught:
            entry(login=bad)
        assert caught.value.reason == "metadata-invalid"
