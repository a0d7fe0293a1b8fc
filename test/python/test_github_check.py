"""Tests of jupyterlab_github_token/github_check.py against the local fake GitHub API
(test/fake_github), plus its mapping of answers the fake does not give (expired tokens)."""

from __future__ import annotations

import json
import socket
import threading
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import TOKENS

from jupyterlab_github_token.github_check import TokenCheck, check_token, classify, parse_expiry
from jupyterlab_github_token.github_http import API_VERSION, request_for

TIMEOUT = 10.0
NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)


def tok(name: str) -> str:
    token: str = TOKENS[name]["token"]
    return token


def post(base: str, path: str, body: object = None) -> None:
    data = json.dumps(body).encode() if body is not None else b""
    request = urllib.request.Request(
        base + path, data=data, method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


@pytest.fixture
def github(fake_github: str) -> Iterator[str]:
    post(fake_github, "/_fake/reset")
    yield fake_github
    post(fake_github, "/_fake/reset")


def assert_secret_free(check: TokenCheck, token: str) -> None:
    assert token not in repr(check)
    assert token[-8:] not in check.message


async def test_valid_classic_token_with_expiry(github: str) -> None:
    check = await check_token(github, tok("classicRepo"), TIMEOUT)
    assert check == TokenCheck(
        status="valid",
        login="octo-scientist",
        expires_at="2026-12-24T10:00:00Z",
        scopes=["repo", "user"],
        message="",
        http_status=200,
    )


async def test_valid_token_expiry_with_an_offset(github: str) -> None:
    check = await check_token(github, tok("classicExpiryOffset"), TIMEOUT)
    assert check.status == "valid"
    assert check.expires_at == "2027-01-05T16:30:00Z"  # 09:30 at -07:00


async def test_valid_token_without_expiry(github: str) -> None:
    check = await check_token(github, tok("classicNoExpiry"), TIMEOUT)
    assert (check.status, check.login, check.expires_at, check.scopes) == ("valid", "octo-forever", None, ["repo"])


async def test_fine_grained_token_has_no_scopes(github: str) -> None:
    check = await check_token(github, tok("fineGrained"), TIMEOUT)
    assert (check.status, check.login, check.expires_at, check.scopes) == (
        "valid",
        "octo-fine",
        "2027-02-01T00:00:00Z",
        None,
    )


async def test_unknown_token_is_revoked(github: str) -> None:
    check = await check_token(github, tok("revoked"), TIMEOUT)
    assert check.status == "revoked" and check.http_status == 401
    assert "401 Bad credentials" in check.message
    assert "Create a new token" in check.message and "Forget removes this one" in check.message
    assert_secret_free(check, tok("revoked"))


async def test_token_revoked_after_it_was_held(github: str) -> None:
    token = tok("classicNoExpiry")
    assert (await check_token(github, token, TIMEOUT)).status == "valid"
    post(github, "/credentials/revoke", {"credentials": [token]})
    check = await check_token(github, token, TIMEOUT)
    assert check.status == "revoked"
    assert_secret_free(check, token)


async def test_server_error_is_unreachable(github: str) -> None:
    check = await check_token(github, tok("serverError"), TIMEOUT)
    assert check.status == "unreachable"
    assert "HTTP 502" in check.message and "still held" in check.message
    assert check.http_status == 502
    assert_secret_free(check, tok("serverError"))


async def test_rate_limited_is_unreachable(github: str) -> None:
    check = await check_token(github, tok("rateLimited"), TIMEOUT)
    assert check.status == "unreachable"
    assert "rate limit" in check.message


async def test_timeout_is_unreachable(github: str) -> None:
    # The session's fake answers the slow token after 3 s.
    check = await check_token(github, tok("slow"), 0.5)
    assert check.status == "unreachable"
    assert "did not answer in time" in check.message
    assert check.http_status is None  # no answer


async def test_refused_connection_is_unreachable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    check = await check_token(f"http://127.0.0.1:{port}", tok("classicRepo"), TIMEOUT)
    assert check.status == "unreachable"
    assert "could not be reached" in check.message
    assert_secret_free(check, tok("classicRepo"))


async def test_enterprise_prefix(github: str) -> None:
    check = await check_token(github + "/api/v3", tok("classicRepo"), TIMEOUT)
    assert (check.status, check.login) == ("valid", "octo-scientist")


async def test_redirects_are_not_followed() -> None:
    """A redirect would resend the Authorization header: it is reported, not followed."""
    seen: list[tuple[str, str | None]] = []

    class Redirecting(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append((self.path, self.headers.get("Authorization")))
            self.send_response(301)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        check = await check_token(f"http://127.0.0.1:{server.server_address[1]}", tok("classicRepo"), TIMEOUT)
    finally:
        server.shutdown()
        server.server_close()
    assert check.status == "unreachable" and "HTTP 301" in check.message
    assert [path for path, _ in seen] == ["/user"]
    assert seen[0][1] == "token " + tok("classicRepo")


# --- the mapping of answers (expired tokens: the fake has none) ---------------------------------


def test_401_with_an_expiry_in_the_past_is_expired() -> None:
    headers = {"github-authentication-token-expiration": "2026-11-30 10:00:00 UTC"}
    body = json.dumps({"message": "Bad credentials", "status": "401"}).encode()
    check = classify(401, headers, body, now=lambda: NOW)
    assert check.status == "expired" and check.http_status == 401
    assert check.expires_at == "2026-11-30T10:00:00Z"
    assert "expired on 2026-11-30T10:00:00Z" in check.message and "Forget removes this one" in check.message


def test_401_saying_the_token_expired_is_expired() -> None:
    body = json.dumps({"message": "Token expired.", "status": "401"}).encode()
    assert classify(401, {}, body, now=lambda: NOW).status == "expired"


def test_401_with_an_expiry_in_the_future_is_revoked() -> None:
    headers = {"github-authentication-token-expiration": "2027-01-01 00:00:00 UTC"}
    body = json.dumps({"message": "Bad credentials"}).encode()
    assert classify(401, headers, body, now=lambda: NOW).status == "revoked"


def test_200_with_an_unusual_login_keeps_no_login() -> None:
    check = classify(200, {"x-oauth-scopes": ""}, json.dumps({"login": "<script>"}).encode(), now=lambda: NOW)
    assert (check.status, check.login, check.scopes) == ("valid", None, [])


def test_200_of_a_bot_keeps_its_login() -> None:
    """The one login rule (policy github.login): a GitHub App's [bot] account too."""
    check = classify(200, {}, json.dumps({"login": "dependabot[bot]"}).encode(), now=lambda: NOW)
    assert (check.status, check.login, check.http_status) == ("valid", "dependabot[bot]", 200)


@pytest.mark.parametrize(
    ("header", "iso"),
    [
        ("2026-12-24 10:00:00 UTC", "2026-12-24T10:00:00+00:00"),
        ("2027-01-05 09:30:00 -0700", "2027-01-05T16:30:00+00:00"),
        ("2027-01-05T09:30 +05:30", "2027-01-05T04:00:00+00:00"),
        ("2027-02-30 00:00:00 UTC", None),
        ("soon", None),
        (None, None),
    ],
)
def test_parse_expiry(header: str | None, iso: str | None) -> None:
    parsed = parse_expiry(header)
    assert (parsed.isoformat() if parsed else None) == iso


def test_the_proxy_and_the_check_send_one_request_shape() -> None:
    """github_http.request_for: the token only in Authorization, no redirects, the timeouts."""
    request = request_for("https://api.github.com/", "/user", TOKENS["classicRepo"]["token"], 7)
    assert request.url == "https://api.github.com/user" and request.method == "GET"
    assert request.headers["Authorization"] == "token " + TOKENS["classicRepo"]["token"]
    assert request.headers["X-GitHub-Api-Version"] == API_VERSION
    assert request.follow_redirects is False
    assert (request.connect_timeout, request.request_timeout) == (7, 7)
