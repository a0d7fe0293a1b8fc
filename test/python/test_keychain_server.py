"""The REST API with a real private Secret Service (test/python/secret_service.py): a token
remembered with PUT is in the OS keychain, DELETE removes it, and a server started while
the item exists holds it again and checks it against the fake GitHub API.

The Secret Service starts before the server app (``jp_server_config`` depends on it), so
the extension's keychain detection at load time finds it.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import TOKENS, Fetch
from secret_service import SecretService

from jupyterlab_github_token.keychain import Keychain

TOKEN = TOKENS["classicRepo"]["token"]
REVOKED = TOKENS["revoked"]["token"]
VARIABLES = ["GITHUB_TOKEN", "GH_TOKEN"]


def record(token: str, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "token": token,
        "variables": VARIABLES,
        "forNewKernels": True,
        "login": None,
        "expiresAt": None,
        "scopes": None,
    }
    base.update(extra)
    return base


@pytest.fixture
def remembered(request: pytest.FixtureRequest) -> str | None:
    """The name (tokens.json) of a token to remember for the fake's URL before the server
    starts; parametrize indirectly. None: the keychain starts empty."""
    name: str | None = getattr(request, "param", None)
    return name


@pytest.fixture
def jp_server_config(
    fake_github: str,
    isolated_home: Path,
    secret_service: SecretService,
    remembered: str | None,
) -> dict[str, Any]:
    chain = Keychain.detect()
    assert chain.status().available, chain.status().reason
    if remembered is not None:
        chain.store(fake_github, record(TOKENS[remembered]["token"]))
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_github_token": True}},
        "GitHubTokenExtension": {"allowed_api_base_urls": [fake_github]},
    }


async def call(jp_fetch: Fetch, method: str, name: str, body: object = None, **params: str) -> dict[str, Any]:
    options: dict[str, Any] = {"method": method, "params": params}
    if body is not None:
        options["body"] = json.dumps(body)
    elif method in ("PUT", "PATCH", "POST"):
        options["body"] = "{}"
    response = await jp_fetch("jupyterlab-github-token", name, **options)
    text = response.body.decode()
    assert TOKEN not in text
    result: dict[str, Any] = json.loads(text) if text else {}
    return result


def only_entry(status: dict[str, Any]) -> dict[str, Any]:
    tokens = status["tokens"]
    assert len(tokens) == 1, tokens
    entry: dict[str, Any] = tokens[0]
    return entry


async def test_status_reports_the_secret_service(jp_serverapp: Any, jp_fetch: Fetch) -> None:
    status = await call(jp_fetch, "GET", "status")
    assert status["keychain"] == {
        "enabled": True,
        "available": True,
        "backend": "SecretService Keyring",
        "reason": "",
    }
    assert status["tokens"] == []


async def test_remember_stores_in_the_keychain_and_forget_removes_it(
    jp_serverapp: Any, jp_fetch: Fetch, fake_github: str
) -> None:
    status = await call(
        jp_fetch,
        "PUT",
        "token",
        {
            "token": TOKEN,
            "apiBaseUrl": fake_github,
            "variables": VARIABLES,
            "login": "octo-scientist",
            "expiresAt": "2026-12-24T10:00:00Z",
            "scopes": ["repo", "user"],
            "forNewKernels": True,
            "remember": True,
        },
    )
    assert "warning" not in status
    entry = only_entry(status)
    assert entry["remembered"] is True and entry["forNewKernels"] is True
    # Read back through a keychain of its own (as a later server would).
    stored = Keychain.detect().load(fake_github)
    assert stored is not None
    assert stored["token"] == TOKEN
    assert stored["variables"] == VARIABLES
    assert stored["forNewKernels"] is True
    assert stored["login"] == "octo-scientist"

    # Not remembering any more: the keychain entry goes, the token stays held.
    status = await call(jp_fetch, "PATCH", "token", {"apiBaseUrl": fake_github, "remember": False})
    assert only_entry(status)["remembered"] is False
    assert Keychain.detect().load(fake_github) is None

    status = await call(jp_fetch, "PATCH", "token", {"apiBaseUrl": fake_github, "remember": True})
    assert only_entry(status)["remembered"] is True
    assert Keychain.detect().load(fake_github) is not None

    status = await call(jp_fetch, "DELETE", "token", apiBaseUrl=fake_github)
    assert status["keychainRemoved"] is True
    assert status["tokens"] == []
    assert Keychain.detect().load(fake_github) is None


async def test_put_without_remember_deletes_an_earlier_keychain_entry(
    jp_serverapp: Any, jp_fetch: Fetch, fake_github: str
) -> None:
    body = {"token": TOKEN, "apiBaseUrl": fake_github, "variables": VARIABLES, "remember": True}
    await call(jp_fetch, "PUT", "token", body)
    assert Keychain.detect().load(fake_github) is not None
    status = await call(jp_fetch, "PUT", "token", {**body, "remember": False})
    assert only_entry(status)["remembered"] is False
    assert Keychain.detect().load(fake_github) is None


async def wait_for_check(jp_fetch: Fetch, seconds: float = 20) -> dict[str, Any]:
    """The restored entry once checked (the keychain is read after the server started)."""
    deadline = time.monotonic() + seconds
    while True:
        tokens = (await call(jp_fetch, "GET", "status"))["tokens"]
        if (tokens and tokens[0]["check"]["status"] != "unchecked") or time.monotonic() > deadline:
            return only_entry({"tokens": tokens})
        await asyncio.sleep(0.1)


@pytest.mark.parametrize("remembered", ["classicRepo"], indirect=True)
async def test_a_new_server_restores_a_remembered_token_and_checks_it(
    jp_serverapp: Any, jp_fetch: Fetch, fake_github: str
) -> None:
    entry = await wait_for_check(jp_fetch)
    assert entry["apiBaseUrl"] == fake_github
    assert entry["remembered"] is True
    assert entry["forNewKernels"] is True
    assert entry["variables"] == VARIABLES
    assert entry["masked"].endswith(TOKEN[-4:])
    check = entry["check"]
    assert check["status"] == "valid", check
    assert check["checkedAt"] and check["httpStatus"] == 200
    # The server's own check fills in what GitHub says (the stored record had no login).
    assert entry["login"] == "octo-scientist"
    assert entry["expiresAt"] == "2026-12-24T10:00:00Z"
    assert entry["scopes"] == ["repo", "user"]


@pytest.mark.parametrize("remembered", ["revoked"], indirect=True)
async def test_a_restored_token_that_github_refuses_is_reported_revoked(jp_serverapp: Any, jp_fetch: Fetch) -> None:
    entry = await wait_for_check(jp_fetch)
    assert entry["remembered"] is True
    assert entry["check"]["status"] == "revoked" and entry["check"]["httpStatus"] == 401
    assert "Forget removes this one" in entry["check"]["message"]
    assert REVOKED not in json.dumps(entry)
