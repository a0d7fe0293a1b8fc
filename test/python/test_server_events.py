"""The token event on jupyter_server's event bus: emitted after every held / changed /
forgotten / checked, never with a token or its mask; what other tabs refresh on."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, Callable

import pytest
from conftest import TOKENS, Fetch
from jupyter_server.serverapp import ServerApp

from jupyterlab_github_token.events import TOKEN_EVENT_SCHEMA_ID, TokenEvents
from jupyterlab_github_token.github_check import TokenCheck
from jupyterlab_github_token.keychain import KeychainStatus
from jupyterlab_github_token.token_store import mask_token

NS = "jupyterlab-github-token"
TOKEN: str = TOKENS["classicRepo"]["token"]
FINE: str = TOKENS["fineGrained"]["token"]
SECRETS = (TOKEN, FINE, mask_token(TOKEN), mask_token(FINE), TOKEN[-4:], FINE[-4:])

WsFetch = Callable[..., Awaitable[Any]]


async def call(jp_fetch: Fetch, method: str, name: str, body: Any = None, **kwargs: Any) -> int:
    response = await jp_fetch(
        NS,
        name,
        method=method,
        body=None if body is None else json.dumps(body),
        raise_error=False,
        allow_nonstandard_methods=True,
        **kwargs,
    )
    code: int = response.code
    return code


def listen(serverapp: ServerApp) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    async def listener(logger: Any, schema_id: str, data: dict[str, Any]) -> None:
        seen.append({"schema_id": schema_id, **data})

    assert serverapp.event_logger is not None
    serverapp.event_logger.add_listener(schema_id=TOKEN_EVENT_SCHEMA_ID, listener=listener)
    return seen


async def settle() -> None:
    # Listeners run as tasks scheduled by emit.
    for _ in range(5):
        await asyncio.sleep(0.01)


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


async def test_every_change_is_an_event_without_the_token(
    jp_fetch: Fetch, jp_serverapp: ServerApp, fake_github: str
) -> None:
    seen = listen(jp_serverapp)
    assert await call(jp_fetch, "PUT", "token", {"token": TOKEN, "apiBaseUrl": fake_github + "/"}) == 200
    assert await call(jp_fetch, "PATCH", "token", {"apiBaseUrl": fake_github, "forNewKernels": True}) == 200
    assert await call(jp_fetch, "POST", "token/reveal", {"apiBaseUrl": fake_github}) == 200  # not a change
    assert await call(jp_fetch, "GET", "status") == 200
    # Refused requests change nothing: no event.
    assert await call(jp_fetch, "PUT", "token", {"token": TOKEN + "!", "apiBaseUrl": fake_github}) == 400
    assert await call(jp_fetch, "PATCH", "token", {"apiBaseUrl": "https://api.none.example"}) == 404
    assert await call(jp_fetch, "DELETE", "token", params={"apiBaseUrl": fake_github}) == 200
    assert await call(jp_fetch, "DELETE", "token") == 200
    await settle()
    assert seen == [
        {"schema_id": TOKEN_EVENT_SCHEMA_ID, "action": "held", "apiBaseUrl": fake_github},
        {"schema_id": TOKEN_EVENT_SCHEMA_ID, "action": "changed", "apiBaseUrl": fake_github},
        {"schema_id": TOKEN_EVENT_SCHEMA_ID, "action": "forgotten", "apiBaseUrl": fake_github},
        {"schema_id": TOKEN_EVENT_SCHEMA_ID, "action": "forgotten", "apiBaseUrl": None},
    ]
    assert_no_secret(json.dumps(seen))


async def test_other_pages_hear_it_on_the_events_websocket(
    jp_fetch: Fetch, jp_ws_fetch: WsFetch, fake_github: str
) -> None:
    """What a second tab's ``serviceManager.events.stream`` reads (``/api/events/subscribe``)."""
    ws = await jp_ws_fetch("api", "events", "subscribe")
    try:
        assert await call(jp_fetch, "PUT", "token", {"token": TOKEN, "apiBaseUrl": fake_github}) == 200
        assert await call(jp_fetch, "DELETE", "token") == 200
        messages: list[dict[str, Any]] = []
        while len(messages) < 2:
            raw = await asyncio.wait_for(ws.read_message(), timeout=10)
            assert raw is not None
            assert_no_secret(raw)
            message = json.loads(raw)
            if message.get("schema_id") == TOKEN_EVENT_SCHEMA_ID:
                messages.append(message)
    finally:
        ws.close()
    assert [(m["action"], m["apiBaseUrl"]) for m in messages] == [("held", fake_github), ("forgotten", None)]


def test_without_an_event_logger_nothing_is_emitted() -> None:
    events = TokenEvents(None)
    events.register()
    events.emit("held", "https://api.github.com")  # no error
    with pytest.raises(ValueError):
        events.emit("leaked", None)


class OneRemembered:
    def __init__(self, record: dict[str, Any], url: str) -> None:
        self.records = {url: record}

    def status(self) -> KeychainStatus:
        return KeychainStatus(enabled=True, available=True, backend="Fake Keyring", reason="")

    def store(self, api_base_url: str, record: dict[str, Any]) -> None:
        self.records[api_base_url] = record

    def load(self, api_base_url: str) -> dict[str, Any] | None:
        return self.records.get(api_base_url)

    def delete(self, api_base_url: str) -> bool:
        return self.records.pop(api_base_url, None) is not None


class TestCheckedAtStart:
    @pytest.fixture
    def release(self, monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
        gate = asyncio.Event()

        async def fake_check(api_base_url: str, token: str, timeout: float) -> TokenCheck:
            await gate.wait()
            return TokenCheck("revoked", None, None, None, "GitHub no longer accepts this token.")

        monkeypatch.setattr("jupyterlab_github_token.state.check_token", fake_check)
        return gate

    @pytest.fixture
    def jp_server_config(
        self, fake_github: str, isolated_home: Path, monkeypatch: pytest.MonkeyPatch, release: asyncio.Event
    ) -> dict[str, Any]:
        record = {"token": TOKEN, "variables": ["GITHUB_TOKEN"], "forNewKernels": True}
        keychain = OneRemembered(record, fake_github)

        class Detect:
            @staticmethod
            def detect(enabled: bool = True) -> OneRemembered:
                return keychain

        monkeypatch.setattr("jupyterlab_github_token.app.Keychain", Detect)
        return {
            "ServerApp": {"jpserver_extensions": {"jupyterlab_github_token": True}},
            "GitHubTokenExtension": {"allowed_api_base_urls": [fake_github]},
        }

    async def test_the_background_check_emits_checked(
        self, jp_fetch: Fetch, jp_serverapp: ServerApp, fake_github: str, release: asyncio.Event
    ) -> None:
        seen = listen(jp_serverapp)
        release.set()
        for _ in range(200):
            await settle()
            if seen:
                break
        assert seen == [{"schema_id": TOKEN_EVENT_SCHEMA_ID, "action": "checked", "apiBaseUrl": fake_github}]
