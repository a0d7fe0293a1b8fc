"""REST API of the server extension: status, token, GitHub proxy, auth/XSRF, logs."""

from __future__ import annotations

import io
import json
import logging
import urllib.parse
import urllib.request
from typing import Any

import pytest
from conftest import TOKENS, Fetch
from jupyter_server.serverapp import ServerApp
from tornado.httpclient import AsyncHTTPClient, HTTPResponse

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


async def test_status_put_delete(jp_fetch: Fetch, fake_github: str, all_logs: pytest.LogCaptureFixture) -> None:
    code, status, text = await call(jp_fetch, "GET", "status")
    assert code == 200
    assert status == {
        "held": False,
        "masked": None,
        "login": None,
        "expiresAt": None,
        "setAt": None,
        "variables": ["GITHUB_TOKEN", "GH_TOKEN"],
        "kernels": [],
        "kernelClashes": [],
        "terminals": [],
        "apiBaseUrl": None,
        "gitHosts": [],
        "allowedApiBaseUrls": [fake_github],
        "forgetsOnRestart": True,
    }

    code, status, text = await call(
        jp_fetch,
        "PUT",
        "token",
        {
            "token": TOKEN,
            "login": "octo-scientist",
            "expiresAt": "2026-12-24 10:00:00 UTC",
            "variables": ["GITHUB_TOKEN", "GH_TOKEN", "MY_PAT"],
        },
    )
    assert code == 200, text
    # No apiBaseUrl (an older page): bound to the first allowed URL.
    assert status["apiBaseUrl"] == fake_github and status["gitHosts"] == [fake_github]
    assert_no_token(text)
    assert status["held"] is True
    assert status["masked"] == "ghp_..." + TOKEN[-4:]
    assert status["login"] == "octo-scientist"
    assert status["expiresAt"] == "2026-12-24 10:00:00 UTC"
    assert status["variables"] == ["GITHUB_TOKEN", "GH_TOKEN", "MY_PAT"]
    assert status["setAt"].endswith("Z")

    code, status, text = await call(jp_fetch, "GET", "status")
    assert code == 200 and status["held"] is True
    assert_no_token(text)

    code, status, text = await call(jp_fetch, "DELETE", "token")
    assert code == 200
    assert status["held"] is False and status["masked"] is None
    assert status["stillRunning"] == [] and status["stillRunningTerminals"] == []
    assert status["apiBaseUrl"] is None and status["gitHosts"] == []
    code, status, _ = await call(jp_fetch, "GET", "status")
    assert status["held"] is False and status["login"] is None
    assert_no_token(all_logs.text)


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
    ],
)
async def test_put_invalid(jp_fetch: Fetch, body: Any, reason: str, all_logs: pytest.LogCaptureFixture) -> None:
    code, data, text = await call(jp_fetch, "PUT", "token", body)
    assert code == 400, text
    assert data["reason"] == reason
    assert data["message"]
    assert_no_token(text)
    code, status, _ = await call(jp_fetch, "GET", "status")
    assert status["held"] is False
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
    await call(jp_fetch, "PUT", "token", {"token": TOKEN})
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
    for method, name, body in (
        ("GET", "status", None),
        ("PUT", "token", {"token": TOKEN}),
        ("DELETE", "token", None),
        # An allowed base: only authentication can stop this one.
        ("POST", "github", {"apiBaseUrl": fake_github, "path": "/user", "token": TOKEN}),
    ):
        for headers in ({"Authorization": ""}, {"Authorization": "token wrong"}):
            code, _, text = await call(jp_fetch, method, name, body, headers=headers)
            assert code in (401, 403), (method, name, code)
            assert_no_token(text)
    assert fake_requests(fake_github) == []
    code, status, _ = await call(jp_fetch, "GET", "status")
    assert status["held"] is False


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
        body=json.dumps({"token": TOKEN}),
        raise_error=False,
        headers={"Cookie": cookie_header, "Origin": "http://evil.example"},
    )
    assert r.code in {403, 404}, r.code
    r = await http_server_client.fetch(
        url,
        method="PUT",
        body=json.dumps({"token": TOKEN}),
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
    assert status["held"] is False

    # Same session with the XSRF header: accepted. GET status with the cookie alone works.
    r = await http_server_client.fetch(
        url,
        method="PUT",
        body=json.dumps({"token": TOKEN}),
        raise_error=False,
        headers={"Cookie": cookie_header, "X-XSRFToken": xsrf},
    )
    assert r.code == 200, r.code
    r = await http_server_client.fetch(
        f"{jp_base_url}{NS}/status",
        raise_error=False,
        headers={"Cookie": cookie_header},
    )
    assert r.code == 200 and json.loads(r.body)["held"] is True
    assert_no_token(r.body.decode())


async def test_logs_never_contain_token(
    jp_fetch: Fetch, fake_github: str, jp_logging_stream: io.StringIO, all_logs: pytest.LogCaptureFixture
) -> None:
    await call(jp_fetch, "PUT", "token", {"token": TOKEN})
    await call(jp_fetch, "PUT", "token", {"token": TOKEN + "$"})
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
