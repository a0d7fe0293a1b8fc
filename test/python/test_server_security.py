"""Issue 9, server side: the held token is bound to one API base URL, deep JSON is a 400,
and choosing the token needs the permission to execute code in kernels."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import TOKENS, Fetch
from jupyter_server.auth.authorizer import Authorizer
from jupyter_server.serverapp import ServerApp

from jupyterlab_github_token.state import SETTINGS_KEY
from jupyterlab_github_token.token_store import HeldToken

NS = "jupyterlab-github-token"
TOKEN = TOKENS["classicRepo"]["token"]
GHE = "https://ghe.example.com/api/v3"


async def call(jp_fetch: Fetch, method: str, name: str, body: Any = None, **kwargs: Any) -> tuple[int, Any, str]:
    if body is not None and not isinstance(body, (str, bytes)):
        body = json.dumps(body)
    if body is None and method in ("PUT", "POST", "PATCH"):
        body = ""
    response = await jp_fetch(
        NS, name, method=method, body=body, raise_error=False, allow_nonstandard_methods=True, **kwargs
    )
    text = response.body.decode("utf-8") if response.body else ""
    assert TOKEN not in text
    data = json.loads(text) if text.strip().startswith("{") else None
    return response.code, data, text


@pytest.fixture
def jp_server_config(fake_github: str, isolated_home: Path) -> dict[str, Any]:
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_github_token": True}},
        "GitHubTokenExtension": {"allowed_api_base_urls": [fake_github, GHE + "/"]},
    }


async def test_token_is_bound_to_the_api_base_url_it_names(
    jp_fetch: Fetch, fake_github: str, all_logs: pytest.LogCaptureFixture
) -> None:
    code, status, text = await call(
        jp_fetch, "PUT", "token", {"token": TOKEN, "apiBaseUrl": "HTTPS://GHE.example.com/api/v3/"}
    )
    assert code == 200, text
    [held] = status["tokens"]
    assert held["apiBaseUrl"] == GHE
    assert held["gitHosts"] == ["https://ghe.example.com"]  # not the other allowed host
    code, status, _ = await call(jp_fetch, "GET", "status")
    assert [(t["apiBaseUrl"], t["gitHosts"]) for t in status["tokens"]] == [(GHE, ["https://ghe.example.com"])]
    assert status["allowedApiBaseUrls"] == [fake_github, GHE]

    # v2: one token per URL; the other allowed URL's has its own git host.
    code, status, _ = await call(jp_fetch, "PUT", "token", {"token": TOKEN, "apiBaseUrl": fake_github})
    assert code == 200
    assert [(t["apiBaseUrl"], t["gitHosts"]) for t in status["tokens"]] == [
        (GHE, ["https://ghe.example.com"]),
        (fake_github, [fake_github]),
    ]

    code, status, _ = await call(jp_fetch, "DELETE", "token")
    assert status["tokens"] == []
    assert TOKEN not in all_logs.text


@pytest.mark.parametrize(
    "base, code",
    [
        ("https://api.github.com", 403),  # valid, but not allowed here
        ("https://ghe.example.com/api/v4", 403),
        ("http://ghe.example.com/api/v3", 400),
        ("ftp://ghe.example.com", 400),
        (42, 400),
        ("", 400),
    ],
)
async def test_put_refuses_an_api_base_url_that_is_not_allowed(jp_fetch: Fetch, base: object, code: int) -> None:
    ok, held, _ = await call(jp_fetch, "PUT", "token", {"token": TOKEN, "apiBaseUrl": GHE})
    assert ok == 200
    status, data, text = await call(
        jp_fetch, "PUT", "token", {"token": TOKENS["fineGrained"]["token"], "apiBaseUrl": base}
    )
    assert status == code, text
    if code == 403:
        assert "c.GitHubTokenExtension.allowed_api_base_urls" in data["message"]
    # The token held before, and its binding, are kept; nothing is held for the refused URL.
    _, after, _ = await call(jp_fetch, "GET", "status")
    assert after["tokens"] == held["tokens"]


@pytest.mark.parametrize(
    "body",
    [
        "[" * 60000,
        '{"token": ' + "[" * 30000 + "]" * 30000 + "}",
        '{"a":' * 9000 + "1" + "}" * 9000,
    ],
)
@pytest.mark.parametrize(
    "method, name",
    [("PUT", "token"), ("PATCH", "token"), ("POST", "github"), ("POST", "token/reveal"), ("POST", "kernels")],
)
async def test_deeply_nested_json_is_a_400(
    jp_fetch: Fetch, body: Any, method: str, name: str, all_logs: pytest.LogCaptureFixture
) -> None:
    code, data, text = await call(jp_fetch, method, name, body)
    assert code == 400, text[:200]
    assert data["message"] == "The request body must be a JSON object."
    assert "RecursionError" not in all_logs.text


class NoExecuteAuthorizer(Authorizer):
    """May start kernels (write), may not execute code in them."""

    def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        return not (action == "execute" and resource == "kernels")


class TestNoExecutePermission:
    @pytest.fixture
    def jp_server_config(self, fake_github: str, isolated_home: Path) -> dict[str, Any]:
        return {
            "ServerApp": {
                "jpserver_extensions": {"jupyterlab_github_token": True},
                "authorizer_class": NoExecuteAuthorizer,
            },
            "GitHubTokenExtension": {"allowed_api_base_urls": [fake_github]},
        }

    async def test_put_token_needs_execute_on_kernels(
        self, jp_fetch: Fetch, jp_serverapp: ServerApp, fake_github: str
    ) -> None:
        assert isinstance(jp_serverapp.authorizer, NoExecuteAuthorizer)
        code, _, text = await call(jp_fetch, "PUT", "token", {"token": TOKEN, "apiBaseUrl": fake_github})
        assert code == 403, text
        code, status, _ = await call(jp_fetch, "GET", "status")
        assert code == 200 and status["tokens"] == []
        # Forgetting stays possible (it only removes the token).
        code, status, _ = await call(jp_fetch, "DELETE", "token")
        assert code == 200 and status["tokens"] == []

    async def test_reveal_and_for_new_kernels_need_execute_on_kernels(
        self, jp_fetch: Fetch, jp_serverapp: ServerApp, fake_github: str
    ) -> None:
        # Held by someone who may execute code (the vault directly: PUT is refused here).
        state = jp_serverapp.web_app.settings[SETTINGS_KEY]
        state.vault.hold(HeldToken.create(fake_github, TOKEN))
        code, data, text = await call(jp_fetch, "POST", "token/reveal", {"apiBaseUrl": fake_github})
        assert code == 403 and data is not None and "token" not in data, text
        code, _, text = await call(jp_fetch, "PATCH", "token", {"apiBaseUrl": fake_github, "forNewKernels": True})
        assert code == 403, text
        assert state.vault.bound_snapshot() is None
        # Remembering keeps the token for kernels after the next start: execute too.
        code, _, text = await call(jp_fetch, "PATCH", "token", {"apiBaseUrl": fake_github, "remember": True})
        assert code == 403, text
        assert state.vault.get(fake_github).remembered is False
        # Turning it off, or the keychain option, is only a write.
        code, status, text = await call(
            jp_fetch, "PATCH", "token", {"apiBaseUrl": fake_github, "forNewKernels": False, "remember": False}
        )
        assert code == 200, text
        code, status, _ = await call(jp_fetch, "DELETE", "token", params={"apiBaseUrl": fake_github})
        assert code == 200 and status["tokens"] == []


class TestInvalidSettings:
    """An administrator's invalid URL fails the extension instead of running on the defaults."""

    @pytest.fixture
    def jp_server_config(self, fake_github: str, isolated_home: Path) -> dict[str, Any]:
        return {
            "ServerApp": {"jpserver_extensions": {"jupyterlab_github_token": True}},
            "GitHubTokenExtension": {"allowed_api_base_urls": ["http://api.github.com"]},
        }

    async def test_the_extension_is_not_loaded(self, jp_fetch: Fetch, jp_serverapp: ServerApp) -> None:
        assert not jp_serverapp.extension_manager.linked_extensions.get("jupyterlab_github_token")
        code, _, _ = await call(jp_fetch, "GET", "status")
        assert code == 404
