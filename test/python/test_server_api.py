"""REST API of the server extension: status, token, GitHub proxy, auth/XSRF, logs."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from conftest import TOKENS, Fetch
from jupyter_server.serverapp import ServerApp
from tornado.httpclient import AsyncHTTPClient, HTTPResponse

from jupyterlab_github_token.events import TOKEN_EVENT_SCHEMA_ID
from jupyterlab_github_token.github_check import TokenCheck
from jupyterlab_github_token.keychain import KeychainError, KeychainStatus
from jupyterlab_github_token.state import SETTINGS_KEY

NS = "jupyterlab-github-token"
TOKEN = TOKENS["classicRepo"]["token"]
FINE = TOKENS["fineGrained"]["token"]


async def call(jp_fetch: Fetch, method: str, name: str, body: Any = None, **kwargs: Any) -> tuple[int, Any, str]:
    if body is not None and not isinstance(body, (str, bytes)):
        body = json.dumps(body)
    if body is None and method in ("PUT", "POST"):
        body = ""
    response = await jp_fetch(
        NS, name, method=method, body=body, raise_error=False, allow_nonstandard_methods=True, **kwargs
    )
    text = response.body.decode("utf-8") if response.body else ""
    data = json.loads(text) if text.strip().startswith("{") else None
    return response.code, data, text


def assert_no_token(text: str, *tokens: str) -> None:
    for token in tokens or (TOKEN, FINE):
        assert token not in text


def keychain_json(status: dict[str, Any]) -> dict[str, Any]:
    return dict(status["keychain"])


async def test_status_put_delete(jp_fetch: Fetch, fake_github: str, all_logs: pytest.LogCaptureFixture) -> None:
    code, status, text = await call(jp_fetch, "GET", "status")
    assert code == 200
    keychain = status.pop("keychain")
    assert status == {
        "version": 2,
        "tokens": [],
        "allowedApiBaseUrls": [fake_github],
        "kernels": [],
        "kernelClashes": [],
        "terminals": [],
        "lastForget": None,
    }
    # No Secret Service in this test's session: not available, and the reason says what would help.
    assert keychain["enabled"] is True and keychain["available"] is False and keychain["backend"] is None
    assert "Secret Service" in keychain["reason"]

    code, status, text = await call(
        jp_fetch,
        "PUT",
        "token",
        {
            "token": TOKEN,
            "apiBaseUrl": fake_github + "/",
            "login": "octo-scientist",
            "expiresAt": "2026-12-24 10:00:00 UTC",
            "scopes": ["repo", "user"],
            "variables": ["GITHUB_TOKEN", "GH_TOKEN", "MY_PAT"],
        },
    )
    assert code == 200, text
    assert_no_token(text)
    assert "warning" not in status
    [held] = status["tokens"]
    assert held["setAt"].endswith("Z")
    del held["setAt"]
    assert held == {
        "apiBaseUrl": fake_github,
        "masked": "ghp_..." + TOKEN[-4:],
        "kind": "classic",
        "login": "octo-scientist",
        "expiresAt": "2026-12-24 10:00:00 UTC",
        "scopes": ["repo", "user"],
        "variables": ["GITHUB_TOKEN", "GH_TOKEN", "MY_PAT"],
        "gitHosts": [fake_github],
        # Not asked for: off (no earlier entry to keep it from).
        "forNewKernels": False,
        "remembered": False,
        "check": {"status": "unchecked", "checkedAt": None, "message": "", "httpStatus": None},
    }

    code, status, text = await call(jp_fetch, "GET", "status")
    assert code == 200 and [t["masked"] for t in status["tokens"]] == ["ghp_..." + TOKEN[-4:]]
    assert_no_token(text)

    code, status, text = await call(jp_fetch, "DELETE", "token")
    assert code == 200
    assert status["tokens"] == []
    assert status["stillRunning"] == [] and status["stillRunningTerminals"] == []
    assert status["keychainRemoved"] is False and status["keychainError"] == ""
    code, status, _ = await call(jp_fetch, "GET", "status")
    assert status["tokens"] == []
    assert_no_token(all_logs.text)


async def test_put_requires_an_api_base_url(jp_fetch: Fetch) -> None:
    # v2: the token is held for the URL the page names (v1 fell back to the first allowed one).
    code, data, text = await call(jp_fetch, "PUT", "token", {"token": TOKEN})
    assert code == 400, text
    assert data["message"] == "apiBaseUrl must be an https URL."
    _, status, _ = await call(jp_fetch, "GET", "status")
    assert status["tokens"] == []


@pytest.mark.parametrize(
    "body, reason",
    [
        ({"token": TOKEN + "!"}, "token-characters"),
        ({"token": "x" * 256}, "token-length"),
        ({"token": ""}, "token-empty"),
        ({}, "token-empty"),
        ({"token": TOKEN, "variables": ["PATH"]}, "name-invalid"),
        ({"token": TOKEN, "variables": ["git_askpass"]}, "name-invalid"),
        ({"token": TOKEN, "variables": ["LD_PRELOAD"]}, "name-invalid"),
        ({"token": TOKEN, "variables": [TOKEN]}, "name-invalid"),
        ({"token": TOKEN, "variables": ["1ABC"]}, "name-invalid"),
        ({"token": TOKEN, "variables": ["GH_TOKEN", "gh_token"]}, "name-duplicate"),
        ({"token": TOKEN, "variables": []}, "no-names"),
        ({"token": TOKEN, "variables": [f"V{i}_TOKEN" for i in range(17)]}, "name-invalid"),
        ({"token": TOKEN, "variables": ["HISTFILE"]}, "name-invalid"),
        ({"token": TOKEN, "variables": ["GITHUB_TOKEN", "SSLKEYLOGFILE"]}, "name-invalid"),
        ({"token": TOKEN, "login": "bad login; rm"}, "metadata-invalid"),
        ({"token": TOKEN, "scopes": ["repo", "no spaces"]}, "metadata-invalid"),
        ({"token": TOKEN, "scopes": "repo"}, "metadata-invalid"),
        ({"token": TOKEN, "scopes": [f"s{i}" for i in range(65)]}, "metadata-invalid"),
        ({"token": TOKEN, "forNewKernels": "yes"}, "metadata-invalid"),
        ({"token": TOKEN, "remember": 1}, "metadata-invalid"),
    ],
)
async def test_put_invalid(
    jp_fetch: Fetch, fake_github: str, body: Any, reason: str, all_logs: pytest.LogCaptureFixture
) -> None:
    code, data, text = await call(jp_fetch, "PUT", "token", {"apiBaseUrl": fake_github, **body})
    assert code == 400, text
    assert data["reason"] == reason
    assert data["message"]
    assert_no_token(text)
    code, status, _ = await call(jp_fetch, "GET", "status")
    assert status["tokens"] == []
    assert_no_token(all_logs.text)


async def test_put_invalid_json_is_not_logged(jp_fetch: Fetch, all_logs: pytest.LogCaptureFixture) -> None:
    code, _, text = await call(jp_fetch, "PUT", "token", f'{{"token": "{TOKEN}", ')
    assert code == 400
    assert_no_token(text)
    code, _, text = await call(jp_fetch, "PUT", "token", json.dumps([TOKEN]))
    assert code == 400
    assert_no_token(text)
    assert_no_token(all_logs.text)


async def test_proxy_user_returns_expiry_header(
    jp_fetch: Fetch, fake_github: str, all_logs: pytest.LogCaptureFixture
) -> None:
    code, data, text = await call(
        jp_fetch,
        "POST",
        "github",
        {
            "apiBaseUrl": fake_github + "/",
            "path": "/user",
            "token": TOKEN,
        },
    )
    assert code == 200, text
    assert data["status"] == 200
    assert data["data"]["login"] == "octo-scientist"
    headers = data["headers"]
    assert headers["github-authentication-token-expiration"] == "2026-12-24 10:00:00 UTC"
    assert headers["x-oauth-scopes"] == "repo, user"
    assert "x-ratelimit-remaining" in headers
    assert all(name == name.lower() for name in headers)
    assert_no_token(text)

    # Fine-grained token, /repos and /rate_limit, and the GHES prefix.
    code, data, _ = await call(
        jp_fetch,
        "POST",
        "github",
        {
            "apiBaseUrl": fake_github,
            "path": "/repos/octo-org/private-data",
            "token": FINE,
        },
    )
    assert code == 200 and data["status"] == 200
    assert data["data"]["permissions"]["pull"] is True
    assert "x-oauth-scopes" not in data["headers"]
    code, data, _ = await call(
        jp_fetch,
        "POST",
        "github",
        {
            "apiBaseUrl": fake_github,
            "path": "/rate_limit",
            "token": TOKEN,
        },
    )
    assert code == 200 and data["status"] == 200 and "resources" in data["data"]

    # GitHub's own errors are passed through.
    code, data, _ = await call(
        jp_fetch,
        "POST",
        "github",
        {
            "apiBaseUrl": fake_github,
            "path": "/user",
            "token": TOKENS["revoked"]["token"],
        },
    )
    assert code == 200 and data["status"] == 401
    assert data["data"]["message"] == "Bad credentials"

    # Without "token", nothing is sent: the held token is never lent out,
    # not even to the caller (it could go to another allowed host).
    code, data, _ = await call(jp_fetch, "POST", "github", {"apiBaseUrl": fake_github, "path": "/user"})
    assert code == 400
    await call(jp_fetch, "PUT", "token", {"token": TOKEN, "apiBaseUrl": fake_github})
    code, data, text = await call(jp_fetch, "POST", "github", {"apiBaseUrl": fake_github, "path": "/user"})
    assert code == 400, text
    assert_no_token(text)

    # What the fake saw: the token, the documented headers.
    assert_no_token(all_logs.text)


@pytest.mark.parametrize(
    "base, path, status",
    [
        ("https://api.github.example", "/user", 403),
        ("http://127.0.0.1:1", "/user", 403),
        ("ftp://api.github.com", "/user", 400),
        ("http://api.github.com", "/user", 400),
        (None, "/user", 400),
        ("FAKE", "/user/repos", 403),
        ("FAKE", "/users/octocat", 403),
        ("FAKE", "/repos/octo-org/private-data/contents", 403),
        ("FAKE", "/repos/../..", 403),
        ("FAKE", "/user?x=1", 403),
        ("FAKE", "/credentials/revoke", 403),
        ("FAKE", "https://evil.example/user", 403),
    ],
)
async def test_proxy_refuses(jp_fetch: Fetch, fake_github: str, base: object, path: object, status: int) -> None:
    base = fake_github if base == "FAKE" else base
    code, data, text = await call(
        jp_fetch,
        "POST",
        "github",
        {
            "apiBaseUrl": base,
            "path": path,
            "token": TOKEN,
        },
    )
    assert code == status, text
    assert_no_token(text)
    if status == 403 and base != fake_github:
        assert "not in the allowed GitHub API base URLs" in data["message"]
        assert "c.GitHubTokenExtension.allowed_api_base_urls" in data["message"]


async def test_proxy_bad_token_and_network_failures(jp_fetch: Fetch, fake_github: str, jp_serverapp: ServerApp) -> None:
    code, data, text = await call(
        jp_fetch,
        "POST",
        "github",
        {
            "apiBaseUrl": fake_github,
            "path": "/user",
            "token": TOKEN + " ",
        },
    )
    assert code == 400 and data["reason"] == "token-characters"
    assert_no_token(text)

    ext = jp_serverapp.web_app.settings[SETTINGS_KEY].config
    ext.request_timeout = 0.5
    code, data, text = await call(
        jp_fetch,
        "POST",
        "github",
        {
            "apiBaseUrl": fake_github,
            "path": "/user",
            "token": TOKENS["slow"]["token"],
        },
    )
    assert code == 502 and data["network"] == "timeout", text

    # Allowed but nothing listens there.
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()
    ext.allowed_api_base_urls = [fake_github, dead]
    code, data, text = await call(
        jp_fetch,
        "POST",
        "github",
        {
            "apiBaseUrl": dead,
            "path": "/user",
            "token": TOKEN,
        },
    )
    assert code == 502 and data["network"] == "unreachable", text


def fake_requests(base: str) -> list[Any]:
    with urllib.request.urlopen(base + "/_fake/requests") as response:
        requests: list[Any] = json.loads(response.read())
        return requests


def reset_fake(base: str) -> None:
    urllib.request.urlopen(urllib.request.Request(base + "/_fake/reset", method="POST")).close()


async def test_requires_authentication(jp_fetch: Fetch, fake_github: str) -> None:
    reset_fake(fake_github)
    await call(jp_fetch, "PUT", "token", {"token": TOKEN, "apiBaseUrl": fake_github})
    for method, name, body in (
        ("GET", "status", None),
        ("PUT", "token", {"token": FINE, "apiBaseUrl": fake_github}),
        ("PATCH", "token", {"apiBaseUrl": fake_github, "forNewKernels": True}),
        ("DELETE", "token", None),
        ("POST", "token/reveal", {"apiBaseUrl": fake_github}),
        ("POST", "kernels", {"kernelId": "x", "variables": ["GITHUB_TOKEN"], "apiBaseUrl": fake_github}),
        # An allowed base: only authentication can stop this one.
        ("POST", "github", {"apiBaseUrl": fake_github, "path": "/user", "token": TOKEN}),
    ):
        for headers in ({"Authorization": ""}, {"Authorization": "token wrong"}):
            code, _, text = await call(jp_fetch, method, name, body, headers=headers)
            assert code in (401, 403), (method, name, code)
            assert_no_token(text)
    assert fake_requests(fake_github) == []
    code, status, _ = await call(jp_fetch, "GET", "status")
    [held] = status["tokens"]
    assert held["masked"] == "ghp_..." + TOKEN[-4:] and held["forNewKernels"] is False


async def test_cookie_auth_requires_xsrf(
    jp_fetch: Fetch, jp_serverapp: ServerApp, jp_base_url: str, http_server_client: AsyncHTTPClient, fake_github: str
) -> None:
    """A browser session (cookie) must send the XSRF token on non-GET requests."""
    server_token = jp_serverapp.identity_provider.token
    # Log in like a browser: GET /login for the _xsrf cookie, then POST the token.
    r = await http_server_client.fetch(f"{jp_base_url}login", raise_error=False)
    cookies: dict[str, str] = {}

    def keep(resp: HTTPResponse) -> None:
        for header in resp.headers.get_list("Set-Cookie"):
            name, _, rest = header.partition("=")
            cookies[name] = rest.split(";", 1)[0]

    keep(r)
    xsrf = cookies["_xsrf"]
    r = await http_server_client.fetch(
        f"{jp_base_url}login",
        method="POST",
        follow_redirects=False,
        raise_error=False,
        body=urllib.parse.urlencode({"password": server_token, "_xsrf": xsrf}),
        headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())},
    )
    assert r.code in (302, 303), r.code
    keep(r)
    cookie_header = "; ".join(f"{k}={v}" for k, v in cookies.items())
    url = f"{jp_base_url}{NS}/token"

    # Cross-site: cookies sent by the browser, no X-XSRFToken header.
    r = await http_server_client.fetch(
        url,
        method="PUT",
        body=json.dumps({"token": TOKEN, "apiBaseUrl": fake_github}),
        raise_error=False,
        headers={"Cookie": cookie_header, "Origin": "http://evil.example"},
    )
    assert r.code in {403, 404}, r.code
    r = await http_server_client.fetch(
        url,
        method="PUT",
        body=json.dumps({"token": TOKEN, "apiBaseUrl": fake_github}),
        raise_error=False,
        headers={"Cookie": cookie_header},
    )
    assert r.code == 403, r.code
    reset_fake(fake_github)
    r = await http_server_client.fetch(
        f"{jp_base_url}{NS}/github",
        method="POST",
        raise_error=False,
        body=json.dumps({"apiBaseUrl": fake_github, "path": "/user", "token": TOKEN}),
        headers={"Cookie": cookie_header},
    )
    assert r.code == 403, r.code
    assert fake_requests(fake_github) == []  # refused by XSRF, not by the allow-list
    _, status, _ = await call(jp_fetch, "GET", "status")
    assert status["tokens"] == []

    # Same session with the XSRF header: accepted. GET status with the cookie alone works.
    r = await http_server_client.fetch(
        url,
        method="PUT",
        body=json.dumps({"token": TOKEN, "apiBaseUrl": fake_github}),
        raise_error=False,
        headers={"Cookie": cookie_header, "X-XSRFToken": xsrf},
    )
    assert r.code == 200, r.code
    r = await http_server_client.fetch(
        f"{jp_base_url}{NS}/status",
        raise_error=False,
        headers={"Cookie": cookie_header},
    )
    assert r.code == 200 and len(json.loads(r.body)["tokens"]) == 1
    assert_no_token(r.body.decode())

    # Reveal is a POST: the cookie alone (a cross-site form or fetch) gets nothing.
    reveal = f"{jp_base_url}{NS}/token/reveal"
    r = await http_server_client.fetch(
        reveal,
        method="POST",
        body=json.dumps({"apiBaseUrl": fake_github}),
        raise_error=False,
        headers={"Cookie": cookie_header},
    )
    assert r.code == 403, r.code
    assert_no_token(r.body.decode())
    r = await http_server_client.fetch(
        reveal,
        method="POST",
        body=json.dumps({"apiBaseUrl": fake_github}),
        raise_error=False,
        headers={"Cookie": cookie_header, "X-XSRFToken": xsrf},
    )
    assert r.code == 200 and json.loads(r.body) == {"token": TOKEN}


async def test_logs_never_contain_token(
    jp_fetch: Fetch, fake_github: str, jp_logging_stream: io.StringIO, all_logs: pytest.LogCaptureFixture
) -> None:
    await call(jp_fetch, "PUT", "token", {"token": TOKEN, "apiBaseUrl": fake_github})
    await call(jp_fetch, "PUT", "token", {"token": TOKEN + "$", "apiBaseUrl": fake_github})
    await call(jp_fetch, "PATCH", "token", {"apiBaseUrl": fake_github, "forNewKernels": True})
    code, _, _ = await call(jp_fetch, "POST", "token/reveal", {"apiBaseUrl": fake_github})
    assert code == 200
    await call(jp_fetch, "POST", "github", {"apiBaseUrl": fake_github, "path": "/user", "token": TOKEN})
    await call(jp_fetch, "POST", "github", {"apiBaseUrl": fake_github, "path": "/nope", "token": TOKEN})
    await call(jp_fetch, "POST", "github", {"apiBaseUrl": "https://x.example", "path": "/user", "token": TOKEN})
    await call(jp_fetch, "GET", "status")
    await call(jp_fetch, "DELETE", "token")
    assert "jupyterlab-github-token/github" in all_logs.text  # request lines were logged
    assert_no_token(all_logs.text)
    for record in all_logs.records:
        assert_no_token(record.getMessage())
        assert_no_token(repr(record.args))
    assert_no_token(jp_logging_stream.getvalue())
    assert logging.getLogger().level <= logging.DEBUG


# --------------------------------------------------------------------------
# API v2: one token per API base URL, options, reveal, kernels, the keychain
# --------------------------------------------------------------------------

GHE = "https://ghe.example.com/api/v3"


class FakeKeychain:
    """Keychain's methods over a dict (the real Secret Service tests are test_keychain*.py)."""

    def __init__(self, available: bool = True, fail: bool = False) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.available = available
        self.fail = fail
        self.fail_delete = False
        self.calls: list[tuple[str, str]] = []
        # Set: store and load wait for ``release`` (a slow or locked Secret Service).
        self.slow = False
        self.entered = threading.Event()
        self.release = threading.Event()
        self.answered: list[str] = []  # loads that returned

    def _wait(self) -> None:
        if self.slow:
            self.entered.set()
            self.release.wait(timeout=10)

    def status(self) -> KeychainStatus:
        if self.available:
            return KeychainStatus(enabled=True, available=True, backend="Fake Keyring", reason="")
        return KeychainStatus(enabled=True, available=False, backend=None, reason="No keychain in this test.")

    def store(self, api_base_url: str, record: dict[str, Any]) -> None:
        self.calls.append(("store", api_base_url))
        self._wait()
        if self.fail or not self.available:
            raise KeychainError(f"The fake keychain did not store the token for {api_base_url}.")
        self.records[api_base_url] = json.loads(json.dumps(record))

    def load(self, api_base_url: str) -> dict[str, Any] | None:
        self.calls.append(("load", api_base_url))
        self._wait()
        self.answered.append(api_base_url)
        return self.records.get(api_base_url)

    def delete(self, api_base_url: str) -> bool:
        self.calls.append(("delete", api_base_url))
        if self.fail_delete and api_base_url in self.records:
            raise KeychainError(f"The fake keychain did not delete the entry for {api_base_url} (Locked).")
        return self.records.pop(api_base_url, None) is not None


@pytest.fixture
def fake_keychain(monkeypatch: pytest.MonkeyPatch) -> FakeKeychain:
    """Installed before the server app starts (the jp_server_config below requests it)."""
    keychain = FakeKeychain()

    class Detect:
        @staticmethod
        def detect(enabled: bool = True) -> FakeKeychain:
            keychain.enabled_asked = enabled  # type: ignore[attr-defined]
            return keychain

    monkeypatch.setattr("jupyterlab_github_token.app.Keychain", Detect)
    return keychain


def held_for(status: dict[str, Any], url: str) -> dict[str, Any] | None:
    return next((t for t in status["tokens"] if t["apiBaseUrl"] == url), None)


class TestTwoApiBaseUrls:
    @pytest.fixture
    def jp_server_config(self, fake_github: str, isolated_home: Path, fake_keychain: FakeKeychain) -> dict[str, Any]:
        return {
            "ServerApp": {"jpserver_extensions": {"jupyterlab_github_token": True}},
            "GitHubTokenExtension": {"allowed_api_base_urls": [fake_github, GHE]},
        }

    async def test_one_token_per_url_one_for_new_kernels(
        self, jp_fetch: Fetch, jp_serverapp: ServerApp, fake_github: str, all_logs: pytest.LogCaptureFixture
    ) -> None:
        texts: list[str] = []

        async def api(method: str, name: str, body: Any = None, **kwargs: Any) -> tuple[int, Any]:
            code, data, text = await call(jp_fetch, method, name, body, **kwargs)
            texts.append(text)
            return code, data

        code, status = await api("PUT", "token", {"token": TOKEN, "apiBaseUrl": fake_github, "forNewKernels": True})
        assert code == 200 and held_for(status, fake_github)["forNewKernels"] is True  # type: ignore[index]
        code, status = await api("PUT", "token", {"token": FINE, "apiBaseUrl": GHE, "forNewKernels": True})
        assert code == 200
        assert [(t["apiBaseUrl"], t["kind"], t["forNewKernels"]) for t in status["tokens"]] == [
            (fake_github, "classic", False),  # turned off: at most one entry is for new kernels
            (GHE, "fine-grained", True),
        ]
        assert held_for(status, GHE)["gitHosts"] == ["https://ghe.example.com"]  # type: ignore[index]
        state = jp_serverapp.web_app.settings[SETTINGS_KEY]
        assert state.vault.bound_snapshot()[0] == FINE

        # forNewKernels omitted: the URL's earlier value is kept (on here).
        code, status = await api("PUT", "token", {"token": FINE, "apiBaseUrl": GHE, "login": "octo-fine"})
        assert held_for(status, GHE)["forNewKernels"] is True and held_for(status, GHE)["login"] == "octo-fine"  # type: ignore[index]

        code, status = await api("PATCH", "token", {"apiBaseUrl": fake_github + "/", "forNewKernels": True})
        assert code == 200
        assert [t["forNewKernels"] for t in status["tokens"]] == [True, False]
        assert state.vault.bound_snapshot()[0] == TOKEN
        code, status = await api("PATCH", "token", {"apiBaseUrl": fake_github, "forNewKernels": False})
        assert code == 200 and [t["forNewKernels"] for t in status["tokens"]] == [False, False]
        assert state.vault.bound_snapshot() is None

        code, data = await api("PATCH", "token", {"apiBaseUrl": "https://api.other.example", "forNewKernels": True})
        assert code == 404, data
        code, data = await api("PATCH", "token", {"apiBaseUrl": fake_github, "forNewKernels": "on"})
        assert code == 400 and data["reason"] == "metadata-invalid"
        code, data = await api("PATCH", "token", {"apiBaseUrl": "ftp://x"})
        assert code == 400

        # Reveal: the one response with a token; POST only.
        response = await jp_fetch(
            NS, "token", "reveal", method="POST", body=json.dumps({"apiBaseUrl": GHE + "/"}), raise_error=False
        )
        assert response.code == 200 and json.loads(response.body) == {"token": FINE}
        assert response.headers["Cache-Control"] == "no-store"
        response = await jp_fetch(NS, "token", "reveal", method="GET", raise_error=False)
        assert response.code == 405
        code, data = await api("POST", "token/reveal", {"apiBaseUrl": "https://api.other.example"})
        assert code == 404
        code, data = await api("POST", "token/reveal", {})
        assert code == 400

        # Forget one URL: the other stays.
        code, status = await api("DELETE", "token", params={"apiBaseUrl": GHE})
        assert code == 200 and [t["apiBaseUrl"] for t in status["tokens"]] == [fake_github]
        code, data = await api("POST", "token/reveal", {"apiBaseUrl": GHE})
        assert code == 404
        code, data = await api("DELETE", "token", params={"apiBaseUrl": "ftp://x"})
        assert code == 400
        code, status = await api("DELETE", "token")
        assert code == 200 and status["tokens"] == []

        for text in texts:
            assert_no_token(text)
        assert_no_token(all_logs.text)

    async def test_kernels_the_page_reports(self, jp_fetch: Fetch, jp_serverapp: ServerApp, fake_github: str) -> None:
        await call(jp_fetch, "PUT", "token", {"token": TOKEN, "apiBaseUrl": fake_github})
        await call(jp_fetch, "PUT", "token", {"token": FINE, "apiBaseUrl": GHE})
        kernel = json.loads((await jp_fetch("api", "kernels", method="POST", body="{}")).body)["id"]
        report = {"kernelId": kernel, "variables": ["GITHUB_TOKEN"], "apiBaseUrl": fake_github}
        try:
            code, data, text = await call(jp_fetch, "POST", "kernels", {**report, "kernelId": "no-such-kernel"})
            assert code == 404, text
            code, data, text = await call(jp_fetch, "POST", "kernels", {**report, "variables": ["PATH"]})
            assert code == 400 and data["reason"] == "name-invalid"
            code, _, text = await call(jp_fetch, "POST", "kernels", report)
            assert code == 204 and text == ""
            _, status, _ = await call(jp_fetch, "GET", "status")
            assert status["kernels"] == [kernel]
            # Forgetting the other URL's token does not name it; forgetting its own does.
            _, status, _ = await call(jp_fetch, "DELETE", "token", params={"apiBaseUrl": GHE})
            assert status["stillRunning"] == [] and status["kernels"] == [kernel]
            assert status["lastForget"] is None  # it left nothing running
            # The page put the token in under another name too: recorded with its variables.
            code, _, text = await call(jp_fetch, "POST", "kernels", {**report, "variables": ["MY_PAT"]})
            assert code == 204, text
            _, status, _ = await call(jp_fetch, "DELETE", "token", params={"apiBaseUrl": fake_github})
            assert status["stillRunning"] == [kernel] and status["kernels"] == []
            last = {
                "apiBaseUrl": fake_github,
                "kernels": [kernel],
                "terminals": [],
                # The held entry's names, then those the page reported for the kernel.
                "variables": ["GITHUB_TOKEN", "GH_TOKEN", "MY_PAT"],
            }
            assert status["lastForget"] == last
            # Every tab's next status says what the Forget left running, while it runs.
            _, status, _ = await call(jp_fetch, "GET", "status")
            assert status["lastForget"] == last
        finally:
            await jp_fetch("api", "kernels", kernel, method="DELETE")
        _, status, _ = await call(jp_fetch, "GET", "status")
        assert status["lastForget"] is None


class TestRemember:
    @pytest.fixture
    def jp_server_config(self, fake_github: str, isolated_home: Path, fake_keychain: FakeKeychain) -> dict[str, Any]:
        return {
            "ServerApp": {"jpserver_extensions": {"jupyterlab_github_token": True}},
            "GitHubTokenExtension": {"allowed_api_base_urls": [fake_github, GHE]},
        }

    async def test_remember_forget_and_options(
        self, jp_fetch: Fetch, jp_serverapp: ServerApp, fake_github: str, fake_keychain: FakeKeychain
    ) -> None:
        assert fake_keychain.enabled_asked is True  # type: ignore[attr-defined]  # the trait's default
        _, status, _ = await call(jp_fetch, "GET", "status")
        assert status["keychain"] == {"enabled": True, "available": True, "backend": "Fake Keyring", "reason": ""}

        body = {"token": TOKEN, "apiBaseUrl": fake_github, "login": "octo-scientist", "scopes": ["repo"]}
        code, status, text = await call(jp_fetch, "PUT", "token", {**body, "remember": True, "forNewKernels": True})
        assert code == 200 and "warning" not in status, text
        assert held_for(status, fake_github)["remembered"] is True  # type: ignore[index]
        assert fake_keychain.records == {
            fake_github: {
                "token": TOKEN,
                "variables": ["GITHUB_TOKEN", "GH_TOKEN"],
                "forNewKernels": True,
                "login": "octo-scientist",
                "expiresAt": None,
                "scopes": ["repo"],
            }
        }
        # The keychain remembers "for new kernels" too: changed there when it changes.
        code, status, _ = await call(jp_fetch, "PATCH", "token", {"apiBaseUrl": fake_github, "forNewKernels": False})
        assert code == 200 and fake_keychain.records[fake_github]["forNewKernels"] is False
        # ...also when another URL's token takes it over.
        await call(jp_fetch, "PUT", "token", {"token": FINE, "apiBaseUrl": GHE})
        await call(jp_fetch, "PATCH", "token", {"apiBaseUrl": fake_github, "forNewKernels": True})
        assert fake_keychain.records[fake_github]["forNewKernels"] is True
        await call(jp_fetch, "PATCH", "token", {"apiBaseUrl": GHE, "forNewKernels": True})
        assert fake_keychain.records[fake_github]["forNewKernels"] is False
        assert GHE not in fake_keychain.records  # not asked to remember that one

        # PUT without remember: not stored, the earlier record deleted.
        code, status, _ = await call(jp_fetch, "PUT", "token", body)
        assert held_for(status, fake_github)["remembered"] is False  # type: ignore[index]
        assert fake_github not in fake_keychain.records
        # PATCH remember on, then off.
        code, status, _ = await call(jp_fetch, "PATCH", "token", {"apiBaseUrl": fake_github, "remember": True})
        assert code == 200 and held_for(status, fake_github)["remembered"] is True  # type: ignore[index]
        assert fake_keychain.records[fake_github]["token"] == TOKEN
        code, status, _ = await call(jp_fetch, "PATCH", "token", {"apiBaseUrl": fake_github, "remember": False})
        assert held_for(status, fake_github)["remembered"] is False  # type: ignore[index]
        assert fake_github not in fake_keychain.records

        # Forget removes the keychain entry as well, and says so.
        await call(jp_fetch, "PATCH", "token", {"apiBaseUrl": fake_github, "remember": True})
        code, status, _ = await call(jp_fetch, "DELETE", "token", params={"apiBaseUrl": fake_github})
        assert code == 200 and status["keychainRemoved"] is True and fake_keychain.records == {}
        code, status, _ = await call(jp_fetch, "DELETE", "token")
        assert status["keychainRemoved"] is False and status["tokens"] == []

    async def test_without_a_keychain_the_token_is_held_in_memory(
        self, jp_fetch: Fetch, fake_github: str, fake_keychain: FakeKeychain
    ) -> None:
        fake_keychain.available = False
        code, status, text = await call(
            jp_fetch, "PUT", "token", {"token": TOKEN, "apiBaseUrl": fake_github, "remember": True}
        )
        assert code == 200, text
        assert status["warning"] == "No keychain in this test."
        assert held_for(status, fake_github)["remembered"] is False  # type: ignore[index]
        code, data, _ = await call(jp_fetch, "PATCH", "token", {"apiBaseUrl": fake_github, "remember": True})
        assert code == 409 and data == {"message": "No keychain in this test.", "reason": "keychain-unavailable"}
        assert ("store", fake_github) not in fake_keychain.calls

    async def test_a_failing_keychain(self, jp_fetch: Fetch, fake_github: str, fake_keychain: FakeKeychain) -> None:
        fake_keychain.fail = True
        fake_keychain.records[fake_github] = {"token": FINE}  # remembered earlier
        code, status, text = await call(
            jp_fetch, "PUT", "token", {"token": TOKEN, "apiBaseUrl": fake_github, "remember": True}
        )
        assert code == 200 and "did not store" in status["warning"], text
        assert held_for(status, fake_github)["remembered"] is False  # type: ignore[index]
        # The earlier token must not come back at the next start instead of this one.
        assert fake_keychain.records == {}
        code, data, text = await call(
            jp_fetch, "PATCH", "token", {"apiBaseUrl": fake_github, "remember": True, "forNewKernels": True}
        )
        assert code == 409 and data["reason"] == "keychain-failed", text
        _, status, _ = await call(jp_fetch, "GET", "status")
        # Refused as a whole: forNewKernels did not change either.
        assert held_for(status, fake_github)["forNewKernels"] is False  # type: ignore[index]
        assert_no_token(text)

    async def test_a_forget_during_a_slow_store_leaves_nothing_in_the_keychain(
        self, jp_fetch: Fetch, fake_github: str, fake_keychain: FakeKeychain
    ) -> None:
        fake_keychain.slow = True
        body = {"token": TOKEN, "apiBaseUrl": fake_github, "remember": True}
        put = asyncio.ensure_future(call(jp_fetch, "PUT", "token", body))
        try:
            assert await asyncio.to_thread(fake_keychain.entered.wait, 10)  # the store is under way
            forget = asyncio.ensure_future(call(jp_fetch, "DELETE", "token", params={"apiBaseUrl": fake_github}))
            await asyncio.sleep(0.3)  # the DELETE has arrived and waits
        finally:
            fake_keychain.release.set()
        code, _, text = await put
        assert code == 200, text
        code, status, text = await forget
        assert code == 200 and status["tokens"] == [], text
        # The store finished first, then the forget removed it: nothing comes back at the next start.
        assert fake_keychain.records == {}
        assert status["keychainRemoved"] is True and status["keychainError"] == ""
        assert [c for c in fake_keychain.calls if c[0] != "load"] == [("store", fake_github), ("delete", fake_github)]

    async def test_a_keychain_that_cannot_delete(
        self, jp_fetch: Fetch, fake_github: str, fake_keychain: FakeKeychain
    ) -> None:
        code, status, text = await call(
            jp_fetch, "PUT", "token", {"token": TOKEN, "apiBaseUrl": fake_github, "remember": True}
        )
        assert code == 200 and held_for(status, fake_github)["remembered"] is True, text  # type: ignore[index]
        fake_keychain.fail_delete = True
        # Not remembering any more, and the keychain keeps it: refused, nothing changed.
        code, data, text = await call(jp_fetch, "PATCH", "token", {"apiBaseUrl": fake_github, "remember": False})
        assert code == 409 and data["reason"] == "keychain-failed", text
        assert "did not delete" in data["message"]
        _, status, _ = await call(jp_fetch, "GET", "status")
        assert held_for(status, fake_github)["remembered"] is True  # type: ignore[index]
        # Forget: gone from memory; the response says the keychain still has it.
        code, status, text = await call(jp_fetch, "DELETE", "token", params={"apiBaseUrl": fake_github})
        assert code == 200 and status["tokens"] == [], text
        assert status["keychainRemoved"] is False
        assert status["keychainError"] == f"The fake keychain did not delete the entry for {fake_github} (Locked)."
        assert_no_token(text)
        # A PUT without remember over a record it cannot delete: held, with a warning.
        code, status, text = await call(jp_fetch, "PUT", "token", {"token": FINE, "apiBaseUrl": fake_github})
        assert code == 200 and "did not delete" in status["warning"], text
        assert "held again when the server restarts" in status["warning"]
        # Nothing remembered for this entry: a Forget reports no keychain error.
        code, status, text = await call(jp_fetch, "DELETE", "token", params={"apiBaseUrl": fake_github})
        assert code == 200 and status["keychainError"] == "", text
        fake_keychain.fail_delete = False


class TestSlowKeychainAtStart:
    """A slow (or locked) Secret Service does not delay the server's start."""

    @pytest.fixture
    def jp_server_config(self, fake_github: str, isolated_home: Path, fake_keychain: FakeKeychain) -> dict[str, Any]:
        fake_keychain.records[fake_github] = remembered(TOKEN)
        fake_keychain.slow = True
        return {
            "ServerApp": {"jpserver_extensions": {"jupyterlab_github_token": True}},
            "GitHubTokenExtension": {"allowed_api_base_urls": [fake_github]},
        }

    async def test_the_server_starts_before_the_keychain_answers(
        self,
        jp_fetch: Fetch,
        jp_serverapp: ServerApp,
        fake_github: str,
        fake_keychain: FakeKeychain,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        check = FakeCheck(TokenCheck("valid", "octo-scientist", None, ["repo"], "", 200))
        check.release.set()
        monkeypatch.setattr("jupyterlab_github_token.state.check_token", check)
        seen: list[dict[str, Any]] = []

        async def listener(logger: Any, schema_id: str, data: dict[str, Any]) -> None:
            seen.append(dict(data))

        assert jp_serverapp.event_logger is not None
        jp_serverapp.event_logger.add_listener(schema_id=TOKEN_EVENT_SCHEMA_ID, listener=listener)
        try:
            # Serving, and the keychain has not answered yet (read at start, it would have by now).
            assert fake_keychain.answered == []
            code, status, _ = await call(jp_fetch, "GET", "status")
            assert code == 200 and status["tokens"] == []
            assert await asyncio.to_thread(fake_keychain.entered.wait, 10)
        finally:
            fake_keychain.release.set()
        entry = await wait_for_check(jp_fetch, fake_github)
        assert fake_keychain.answered == [fake_github]
        assert entry["remembered"] is True and entry["check"]["status"] == "valid"
        assert check.calls == [(fake_github, TOKEN, 15.0)]
        await asyncio.sleep(0.05)  # listeners run as tasks
        # Pages opened before the restore hear of it, then of the check.
        assert seen[:2] == [
            {"action": "held", "apiBaseUrl": fake_github},
            {"action": "checked", "apiBaseUrl": fake_github},
        ]


class TestKeychainTraitOff:
    @pytest.fixture
    def jp_server_config(self, fake_github: str, isolated_home: Path) -> dict[str, Any]:
        return {
            "ServerApp": {"jpserver_extensions": {"jupyterlab_github_token": True}},
            "GitHubTokenExtension": {"allowed_api_base_urls": [fake_github], "keychain": False},
        }

    async def test_status_says_the_administrator_turned_it_off(self, jp_fetch: Fetch, fake_github: str) -> None:
        _, status, _ = await call(jp_fetch, "GET", "status")
        assert status["keychain"]["enabled"] is False and status["keychain"]["available"] is False
        assert "c.GitHubTokenExtension.keychain" in status["keychain"]["reason"]
        code, status, _ = await call(
            jp_fetch, "PUT", "token", {"token": TOKEN, "apiBaseUrl": fake_github, "remember": True}
        )
        assert code == 200 and "c.GitHubTokenExtension.keychain" in status["warning"]


# --------------------------------------------------------------------------
# Restore at start (fake keychain, fake check; the real ones: test_keychain*.py)
# --------------------------------------------------------------------------


def remembered(token: str, **extra: Any) -> dict[str, Any]:
    return {
        "token": token,
        "variables": ["GITHUB_TOKEN", "GH_TOKEN"],
        "forNewKernels": True,
        "login": "old-login",
        "expiresAt": None,
        "scopes": None,
        **extra,
    }


class FakeCheck:
    """Replaces github_check.check_token; answers once ``release`` is set."""

    def __init__(self, result: TokenCheck) -> None:
        self.result = result
        self.release = asyncio.Event()
        self.calls: list[tuple[str, str, float]] = []

    async def __call__(self, api_base_url: str, token: str, timeout: float) -> TokenCheck:
        self.calls.append((api_base_url, token, timeout))
        await self.release.wait()
        return self.result


async def wait_for_tokens(jp_fetch: Fetch) -> tuple[dict[str, Any], str]:
    """The status once a token is held (remembered ones are restored after the server started)."""
    deadline = time.monotonic() + 10
    while True:
        _, status, text = await call(jp_fetch, "GET", "status")
        if status["tokens"] or time.monotonic() > deadline:
            return status, text
        await asyncio.sleep(0.02)


async def wait_for_check(jp_fetch: Fetch, url: str) -> dict[str, Any]:
    for _ in range(200):
        _, status, _ = await call(jp_fetch, "GET", "status")
        entry = held_for(status, url)
        if entry is not None and entry["check"]["status"] != "unchecked":
            return entry
        await asyncio.sleep(0.02)
    raise AssertionError("the check never finished")


class TestRestoreAtStart:
    @pytest.fixture
    def check(self, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> FakeCheck:
        fake = FakeCheck(request.param)
        monkeypatch.setattr("jupyterlab_github_token.state.check_token", fake)
        return fake

    @pytest.fixture
    def jp_server_config(
        self, fake_github: str, isolated_home: Path, fake_keychain: FakeKeychain, check: FakeCheck
    ) -> dict[str, Any]:
        fake_keychain.records[fake_github] = remembered(TOKEN)
        fake_keychain.records[GHE] = remembered(TOKEN + "!")  # tampered: refused, not held
        return {
            "ServerApp": {"jpserver_extensions": {"jupyterlab_github_token": True}},
            "GitHubTokenExtension": {"allowed_api_base_urls": [fake_github, GHE], "request_timeout": 7},
        }

    @pytest.mark.parametrize(
        "check",
        [TokenCheck("valid", "octo-scientist", "2026-12-24T10:00:00Z", ["repo", "user"], "")],
        indirect=True,
    )
    async def test_a_valid_remembered_token_is_back(
        self,
        jp_fetch: Fetch,
        jp_serverapp: ServerApp,
        fake_github: str,
        check: FakeCheck,
        all_logs: pytest.LogCaptureFixture,
    ) -> None:
        status, text = await wait_for_tokens(jp_fetch)
        assert_no_token(text, TOKEN)
        [entry] = status["tokens"]  # the tampered record is not held
        assert entry["apiBaseUrl"] == fake_github and entry["remembered"] is True and entry["forNewKernels"] is True
        assert entry["login"] == "old-login" and entry["check"]["status"] == "unchecked"
        state = jp_serverapp.web_app.settings[SETTINGS_KEY]
        assert state.vault.bound_snapshot()[0] == TOKEN  # new kernels get it while it is checked
        check.release.set()
        entry = await wait_for_check(jp_fetch, fake_github)
        assert check.calls == [(fake_github, TOKEN, 7.0)]  # once, with the administrator's timeout
        assert entry["check"]["status"] == "valid" and entry["check"]["checkedAt"].endswith("Z")
        assert (entry["login"], entry["expiresAt"], entry["scopes"]) == (
            "octo-scientist",
            "2026-12-24T10:00:00Z",
            ["repo", "user"],
        )
        assert state.vault.bound_snapshot()[0] == TOKEN
        # The log line about the tampered record: test_token_vault.py (the app's log is not captured at start).
        assert_no_token(all_logs.text, TOKEN)

    @pytest.mark.parametrize(
        "check",
        [
            TokenCheck("revoked", None, None, None, "GitHub no longer accepts this token."),
            TokenCheck("expired", None, "2020-01-01T00:00:00Z", None, "GitHub says this token expired."),
        ],
        indirect=True,
    )
    async def test_a_refused_remembered_token_stays_held_but_not_for_new_kernels(
        self, jp_fetch: Fetch, jp_serverapp: ServerApp, fake_github: str, check: FakeCheck
    ) -> None:
        check.release.set()
        entry = await wait_for_check(jp_fetch, fake_github)
        assert entry["check"]["status"] == check.result.status
        assert entry["check"]["message"].startswith(check.result.message)
        assert "new kernels and terminals do not get it" in entry["check"]["message"]
        assert entry["forNewKernels"] is True and entry["login"] == "old-login"
        state = jp_serverapp.web_app.settings[SETTINGS_KEY]
        assert state.vault.bound_snapshot() is None
        # Replaced by a good one: given to new kernels again.
        await call(jp_fetch, "PUT", "token", {"token": FINE, "apiBaseUrl": fake_github})
        assert state.vault.bound_snapshot()[0] == FINE
