#!/usr/bin/env python3
"""A local fake of api.github.com for browser end-to-end tests and pytest.

Standard library only, plus the package's policy reader (Python >= 3.9).

Command line::

    python test/fake_github/fake_github_api.py --port 8765 [--host 127.0.0.1] [--quiet]

From Python::

    server, base_url = start_fake_github(port=0)
    ...
    server.shutdown(); server.server_close()

The named test tokens and their behaviour live in ``tokens.json`` next to this
file (shared with the browser tests), written from ``fake_tokens.py`` by
``python fake_github_api.py --write-tokens`` (only if the seeds change).

Layout: this file routes requests (one method per route) and starts the server;
``fake_responses`` shapes answers (headers, CORS, error bodies), ``fake_bodies``
holds the fixed data and success bodies, ``fake_state`` the request log and rate
limits, ``fake_tokens`` the named tokens, ``token_factory`` makes token strings.
Imported from elsewhere, this folder must be on ``sys.path`` (a script run has it).

Only these API endpoints exist (also under the GitHub Enterprise Server prefix
``/api/v3``): ``GET /user``, ``GET /repos/{owner}/{repo}``, ``GET /rate_limit``,
``POST /credentials/revoke`` and ``OPTIONS *`` (CORS preflight).  Test control:
``GET /_fake/requests``, ``POST /_fake/reset``, ``GET /_fake/avatars/<login>.png``.

Token values are never printed and never appear in ``/_fake/requests``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import secrets
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import token_factory  # noqa: F401  (puts the repository root on sys.path)
from fake_bodies import READ_ONLY, find_repo, rate_limit_body, repo_body, token_permissions, user_body
from fake_responses import (
    API_HEADERS,
    COMMON_HEADERS,
    DOCS,
    JSON_TYPE,
    PNG,
    PREFLIGHT_HEADERS,
    RATE_LIMIT_DOCS,
    REPO_DOCS,
    REVOKE_DOCS,
    SECONDARY_RATE_LIMIT_DOCS,
    SSO_DOCS,
    SUPPORTED_API_VERSIONS,
    USER_DOCS,
    error_body,
    rate_headers,
    redact,
    request_id,
)
from fake_state import Bucket, FakeGitHubState
from fake_tokens import TOKENS_FILE, load_tokens, write_tokens_file

from jupyterlab_github_token.environment import is_loopback_host

Headers = list[tuple[str, str]]

ENTERPRISE_PREFIX = "/api/v3"
REPO_PATH = re.compile(r"/repos/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)")
AVATAR_PATH = re.compile(r"/_fake/avatars/([A-Za-z0-9-]+)\.png")
USER_LAST_MODIFIED = "Mon, 01 Jan 2024 00:00:00 GMT"


def revoke_problem(body_in: bytes) -> str | None:
    """Why a POST /credentials/revoke body is invalid (GitHub's wording), or None."""
    try:
        data = json.loads(body_in.decode("utf-8")) if body_in else None
    except (UnicodeDecodeError, ValueError):
        return "Problems parsing JSON"
    if not isinstance(data, dict):
        return "Invalid input: object is expected."
    if "credentials" not in data:
        return '"credentials" wasn\'t supplied.'
    creds = data["credentials"]
    if not isinstance(creds, list):
        return 'Invalid property /credentials: is not of type "array".'
    if not creds:
        return "Invalid property /credentials: [] is too short (minimum is 1)."
    if len(creds) > 1000:
        return "Invalid property /credentials: too many items (maximum is 1000)."
    if not all(isinstance(c, str) and c for c in creds):
        return 'Invalid property /credentials: items must be non-empty "string".'
    return None


@dataclass
class ApiCall:
    """One API request: where it goes, who sends it, and the headers of its answer so far."""

    path: str  # without the Enterprise prefix
    full_path: str  # as requested (logged, redacted)
    body: bytes
    client_ip: str
    auth_header: str | None
    token_value: str | None
    name: str | None  # the named token, when the fake knows the value
    entry: dict[str, Any] | None
    headers: Headers = field(default_factory=lambda: list(API_HEADERS))

    @property
    def log_auth(self) -> str:
        return "none" if self.auth_header is None else (self.name or "unknown")

    @property
    def behavior(self) -> str:
        return str((self.entry or {}).get("behavior", "ok"))


def _bearer(auth_header: str | None) -> str | None:
    """The token of an ``Authorization: token|bearer <value>`` header."""
    if auth_header is None:
        return None
    scheme, _, rest = auth_header.strip().partition(" ")
    return rest.strip() if scheme.lower() in ("token", "bearer") and rest.strip() else None


# --------------------------------------------------------------------------
# Request handler
# --------------------------------------------------------------------------


class FakeGitHubHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "github.com"
    sys_version = ""

    _prefix = ""
    _request_id = ""

    @property
    def state(self) -> FakeGitHubState:
        state: FakeGitHubState = self.server.fake_state  # type: ignore[attr-defined]
        return state

    def version_string(self) -> str:
        return "github.com"

    # ---- logging (never tokens) ------------------------------------------------
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        if getattr(self.server, "quiet", True):
            return
        path = redact(urlsplit(getattr(self, "path", "") or "").path)
        sys.stdout.write(f"{getattr(self, 'command', '-')} {path} {code}\n")
        sys.stdout.flush()

    def log_error(self, format: str, *args: Any) -> None:
        if getattr(self.server, "quiet", True):
            return
        sys.stderr.write(redact("fake GitHub API error: " + (format % args)) + "\n")

    def _log(self, path: str, auth: str, status: int) -> None:
        self.state.log(
            {
                "method": self.command,
                "path": redact(path),
                "auth": auth,
                "origin": self.headers.get("Origin"),
                "status": status,
            }
        )

    # ---- dispatch ------------------------------------------------------------
    def do_GET(self) -> None:
        with suppress(BrokenPipeError, ConnectionResetError):
            self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _base_url(self) -> str:
        base_url: str = self.server.base_url  # type: ignore[attr-defined]
        return base_url

    def _api_url(self) -> str:
        return self._base_url() + self._prefix

    def _handle(self) -> None:
        body_in = self._read_body()
        full_path = urlsplit(self.path).path
        path = full_path
        self._prefix = ""
        if path == ENTERPRISE_PREFIX or path.startswith(ENTERPRISE_PREFIX + "/"):
            self._prefix = ENTERPRISE_PREFIX
            path = path[len(ENTERPRISE_PREFIX) :] or "/"
        self._request_id = request_id()

        if self.command == "OPTIONS":
            if not path.startswith("/_fake/"):
                self._log(path=full_path, auth="none", status=204)
            self._send(204, None, list(PREFLIGHT_HEADERS), content_type=None)
        elif path.startswith("/_fake/") and not self._prefix:
            self._control(path)
        else:
            self._api(self._api_call(path, full_path, body_in))

    # ---- sending ---------------------------------------------------------------
    def _send(
        self,
        status: int,
        body: bytes | None,
        headers: Iterable[tuple[str, str]],
        content_type: str | None = JSON_TYPE,
    ) -> None:
        self.send_response(status)
        if content_type and status not in (204, 304):
            self.send_header("Content-Type", content_type)
        for key, value in (*headers, *COMMON_HEADERS, ("X-GitHub-Request-Id", self._request_id)):
            self.send_header(key, value)
        payload = b"" if (body is None or status in (204, 304)) else body
        if status not in (204, 304):
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD" and payload:
            self.wfile.write(payload)

    def _finish(self, call: ApiCall, status: int, body: dict[str, Any] | bytes | None, extra: Headers) -> None:
        """Log and send an API answer: the call's headers, then ``extra``."""
        raw = body if isinstance(body, bytes) else (None if body is None else json.dumps(body, indent=2).encode())
        self._log(call.full_path, call.log_auth, status)
        self._send(status, raw, call.headers + extra)

    def _fail(self, call: ApiCall, status: int, message: str, extra: Headers, docs: str = DOCS) -> None:
        self._finish(call, status, error_body(message, status, docs), extra)

    def _ok(
        self,
        call: ApiCall,
        body: dict[str, Any],
        *,
        authenticated: bool,
        rate: Headers | None = None,
        count: Callable[[], Bucket] | None = None,
        last_modified: str | None = None,
    ) -> None:
        """200 with ETag/Cache-Control, or 304 when If-None-Match matches. ``count``:
        the caller's bucket, charged unless the answer is a 304 (as GitHub does)."""
        raw = json.dumps(body, indent=2).encode()
        auth = self.headers.get("Authorization") or ""
        etag = 'W/"{}"'.format(hashlib.sha256(raw + b"\0" + auth.encode()).hexdigest())
        max_age = self.server.cache_max_age  # type: ignore[attr-defined]
        extra = [
            ("Cache-Control", f"{'private' if authenticated else 'public'}, max-age={max_age}, s-maxage={max_age}"),
            ("ETag", etag),
        ]
        if last_modified:
            extra.append(("Last-Modified", last_modified))
        inm = self.headers.get("If-None-Match")
        not_modified = inm is not None and etag in [t.strip() for t in inm.split(",")]
        if count is not None:
            rate = self._charge(count, charged=not not_modified)
        self._finish(call, 304 if not_modified else 200, None if not_modified else raw, (rate or []) + extra)

    # ---- rate limits -----------------------------------------------------------
    def _charge(self, bucket: Callable[[], Bucket], charged: bool = True) -> Headers:
        """The rate-limit headers of ``bucket()`` after counting this request (if ``charged``)."""
        with self.state.lock:
            b = bucket()
            if charged:
                b.used += 1
            return rate_headers(b)

    def _ip_bucket(self, call: ApiCall) -> Callable[[], Bucket]:
        return lambda: self.state.ip_bucket(call.client_ip)

    def _token_bucket(self, call: ApiCall) -> Callable[[], Bucket]:
        return lambda: self.state.token_bucket(call.name or "", call.behavior)

    def _caller_bucket(self, call: ApiCall) -> Callable[[], Bucket]:
        return self._ip_bucket(call) if call.entry is None else self._token_bucket(call)

    # ---- test control --------------------------------------------------------
    def _control(self, path: str) -> None:
        no_store = [("Cache-Control", "no-store")]
        if path == "/_fake/requests" and self.command == "GET":
            with self.state.lock:
                data = list(self.state.requests)
            self._send(200, json.dumps(data).encode(), no_store)
        elif path == "/_fake/reset" and self.command == "POST":
            self.state.reset()
            self._send(200, b'{"reset":true}', no_store)
        elif AVATAR_PATH.fullmatch(path) and self.command in ("GET", "HEAD"):
            self._send(200, PNG, [("Cache-Control", "max-age=300")], content_type="image/png")
        else:
            self._send(404, json.dumps(error_body("Not Found", 404)).encode(), no_store)

    # ---- API: who calls, and the checks every route shares -----------------------
    def _api_call(self, path: str, full_path: str, body: bytes) -> ApiCall:
        st = self.state
        auth_header = self.headers.get("Authorization")
        token_value = _bearer(auth_header)
        name = st.by_value.get(token_value) if token_value else None
        return ApiCall(
            path=path,
            full_path=full_path,
            body=body,
            client_ip=self.client_address[0],
            auth_header=auth_header,
            token_value=token_value,
            name=name,
            entry=st.tokens.get(name) if name else None,
        )

    def _route(self, path: str) -> tuple[Callable[[ApiCall, re.Match[str] | None], None], re.Match[str] | None]:
        if self.command in ("GET", "HEAD"):
            if path == "/user":
                return self._user, None
            if path == "/rate_limit":
                return self._rate_limit, None
            match = REPO_PATH.fullmatch(path)
            if match:
                return self._repo, match
        elif self.command == "POST" and path == "/credentials/revoke":
            return self._revoke, None
        return self._not_found, None

    def _api(self, call: ApiCall) -> None:
        route, match = self._route(call.path)
        if not self._version_accepted(call):
            return
        # Revoking is for anyone (and only without credentials), before any other check.
        if route == self._revoke:
            self._revoke(call, match)
            return
        if call.auth_header is not None and (
            call.entry is None or call.behavior == "unknown" or call.token_value in self.state.revoked
        ):
            self._fail(call, 401, "Bad credentials", self._charge(self._ip_bucket(call)))
            return
        if call.entry is not None:
            self._add_token_headers(call, accepted_scopes="repo" if route == self._repo else "")
            if call.behavior == "serverError":
                self._server_error(call)
                return
        # /rate_limit answers even when the limit is exhausted.
        if route != self._rate_limit and self._refused_by_rate_limit(call):
            return
        route(call, match)

    def _version_accepted(self, call: ApiCall) -> bool:
        requested = self.headers.get("X-GitHub-Api-Version")
        if requested is None:
            return True
        if requested not in SUPPORTED_API_VERSIONS:
            self._fail(
                call,
                400,
                f'The version you specified in the "X-GitHub-API-Version" request header, '
                f'"{requested}", is not a supported version. The following versions '
                f'are currently supported: "{SUPPORTED_API_VERSIONS[-1]}" (most recent).',
                [],
            )
            return False
        call.headers.append(("X-GitHub-Api-Version-Selected", requested))
        return True

    @staticmethod
    def _add_token_headers(call: ApiCall, accepted_scopes: str) -> None:
        entry = call.entry or {}
        if entry.get("scopes") is not None:
            call.headers.append(("X-OAuth-Scopes", entry["scopes"]))
            call.headers.append(("X-Accepted-OAuth-Scopes", accepted_scopes))
        if entry.get("expiration"):
            call.headers.append(("github-authentication-token-expiration", entry["expiration"]))

    def _server_error(self, call: ApiCall) -> None:
        """A 502 as GitHub's front end sends it: none of the API's own headers."""
        self._log(call.full_path, call.log_auth, 502)
        self._send(502, json.dumps(error_body("Server Error", 502)).encode(), list(API_HEADERS))

    def _refused_by_rate_limit(self, call: ApiCall) -> bool:
        """Answer 403 when the caller's primary limit is used up, or (for that token)
        a secondary limit applies; True when it did."""
        with self.state.lock:
            b = self._caller_bucket(call)()
            exhausted = b.exhausted
        if exhausted and call.entry is None:
            self._fail(
                call,
                403,
                f"API rate limit exceeded for {call.client_ip}. (But here's the good news: "
                "Authenticated requests get a higher rate limit. Check out the documentation "
                "for more details.)",
                self._charge(self._ip_bucket(call), charged=False),
                RATE_LIMIT_DOCS,
            )
            return True
        if exhausted:
            self._fail(
                call,
                403,
                f"API rate limit exceeded for user ID {(call.entry or {})['id']}.",
                self._charge(self._token_bucket(call), charged=False),
                RATE_LIMIT_DOCS,
            )
            return True
        if call.behavior == "secondaryRateLimited":
            rate = self._charge(self._token_bucket(call))
            stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
            self._fail(
                call,
                403,
                "You have exceeded a secondary rate limit. Please wait a few minutes before you "
                "try again. If you reach out to GitHub Support for help, please include the "
                f"request ID {self._request_id} and timestamp {stamp}.",
                [*rate, ("Retry-After", "60")],
                SECONDARY_RATE_LIMIT_DOCS,
            )
            return True
        return False

    # ---- API routes ------------------------------------------------------------
    def _revoke(self, call: ApiCall, _match: re.Match[str] | None) -> None:
        """POST /credentials/revoke: unauthenticated only, like github.com."""
        rate = self._charge(self._ip_bucket(call))
        if call.auth_header is not None:
            self._fail(
                call,
                403,
                "This endpoint does not accept authenticated requests. Send the request "
                "without an Authorization header.",
                rate,
                REVOKE_DOCS,
            )
            return
        problem = revoke_problem(call.body)
        if problem:
            self._fail(call, 422, "Invalid request.\n\n" + problem, rate, REVOKE_DOCS)
            return
        creds = json.loads(call.body.decode("utf-8"))["credentials"]
        with self.state.lock:
            self.state.revoked.update(creds)
        self._finish(call, 202, {}, rate)

    def _rate_limit(self, call: ApiCall, _match: re.Match[str] | None) -> None:
        """GET /rate_limit: not counted."""
        with self.state.lock:
            b = Bucket(**vars(self._caller_bucket(call)()))
        rate = rate_headers(b)
        self._ok(call, rate_limit_body(b), rate=rate, authenticated=call.entry is not None)

    def _user(self, call: ApiCall, _match: re.Match[str] | None) -> None:
        """GET /user."""
        if call.entry is None:
            self._fail(call, 401, "Requires authentication", self._charge(self._ip_bucket(call)), USER_DOCS)
            return
        if call.behavior == "slow":
            st = self.state
            time.sleep(st.slow_seconds if st.slow_seconds is not None else float(call.entry.get("delaySeconds", 20)))
        self._ok(
            call,
            user_body(call.entry, self._base_url(), self._api_url()),
            authenticated=True,
            count=self._token_bucket(call),
            last_modified=USER_LAST_MODIFIED,
        )

    def _repo(self, call: ApiCall, match: re.Match[str] | None) -> None:
        """GET /repos/{owner}/{repo}: public repositories for anyone; private ones for
        tokens with access; 404 for what the caller may not see."""
        assert match is not None
        owner, repo_name = match.group(1), match.group(2)
        entry = call.entry
        if entry is not None and call.behavior == "ssoRequired" and owner.lower() == entry.get("ssoOrg", "").lower():
            rate = self._charge(self._token_bucket(call))
            opaque = secrets.token_hex(20)
            sso = f"required; url=https://github.com/orgs/{owner}/sso?authorization_request={opaque}"
            self._fail(
                call,
                403,
                "Resource protected by organization SAML enforcement. You must grant your "
                "Personal Access token access to this organization.",
                [*rate, ("X-GitHub-SSO", sso)],
                SSO_DOCS,
            )
            return
        found = find_repo(f"{owner}/{repo_name}")
        perms = None
        if found is not None and entry is not None:
            perms = token_permissions(entry, found[0])
            if perms is None and not found[1]["private"]:
                perms = dict(READ_ONLY)
        visible = found is not None and (perms is not None or (entry is None and not found[1]["private"]))
        if found is None or not visible:
            self._fail(call, 404, "Not Found", self._charge(self._caller_bucket(call)), REPO_DOCS)
            return
        self._ok(
            call,
            repo_body(found[0], found[1], perms, self._base_url(), self._api_url()),
            authenticated=entry is not None,
            count=self._caller_bucket(call),
        )

    def _not_found(self, call: ApiCall, _match: re.Match[str] | None) -> None:
        self._fail(call, 404, "Not Found", self._charge(self._caller_bucket(call)))


# --------------------------------------------------------------------------
# Server construction
# --------------------------------------------------------------------------


class FakeGitHubServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    quiet: bool = True,
    tokens_file: Path = TOKENS_FILE,
    slow_seconds: float | None = None,
    cache_max_age: int = 60,
) -> FakeGitHubServer:
    if not is_loopback_host(host):
        raise ValueError(f"refusing to bind non-loopback host {host!r}")
    if host == "::1":

        class _V6(FakeGitHubServer):
            address_family = socket.AF_INET6

        server: FakeGitHubServer = _V6((host, port), FakeGitHubHandler)
    else:
        server = FakeGitHubServer((host, port), FakeGitHubHandler)
    bound_port = server.server_address[1]
    shown = f"[{host}]" if ":" in host else host
    server.base_url = f"http://{shown}:{bound_port}"  # type: ignore[attr-defined]
    server.quiet = quiet  # type: ignore[attr-defined]
    server.cache_max_age = cache_max_age  # type: ignore[attr-defined]
    server.fake_state = FakeGitHubState(load_tokens(tokens_file), slow_seconds)  # type: ignore[attr-defined]
    return server


def start_fake_github(
    port: int = 0,
    host: str = "127.0.0.1",
    quiet: bool = True,
    slow_seconds: float | None = None,
    cache_max_age: int = 60,
) -> tuple[FakeGitHubServer, str]:
    """Start the fake in a daemon thread; return (server, base_url).

    Stop it with ``server.shutdown(); server.server_close()``."""
    server = make_server(host, port, quiet=quiet, slow_seconds=slow_seconds, cache_max_age=cache_max_age)
    thread = threading.Thread(target=server.serve_forever, name="fake-github-api", daemon=True)
    thread.start()
    server.thread = thread  # type: ignore[attr-defined]
    return server, server.base_url  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Local fake of api.github.com for tests.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1", help="loopback address only")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    parser.add_argument(
        "--slow-seconds", type=float, default=None, help="override the 'slow' token's delay (default: tokens.json)"
    )
    parser.add_argument(
        "--cache-max-age", type=int, default=60, help="max-age in Cache-Control on 200s (api.github.com uses 60)"
    )
    parser.add_argument("--write-tokens", action="store_true", help="regenerate tokens.json from the seeds and exit")
    args = parser.parse_args(argv)

    if args.write_tokens:
        write_tokens_file()
        print(f"wrote {TOKENS_FILE}")
        return 0

    try:
        server = make_server(
            args.host, args.port, quiet=args.quiet, slow_seconds=args.slow_seconds, cache_max_age=args.cache_max_age
        )
    except (ValueError, OSError) as exc:
        print(f"fake GitHub API: {exc}", file=sys.stderr)
        return 2

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"fake GitHub API listening on {server.base_url}", flush=True)  # type: ignore
    try:
        server.serve_forever()
    except (SystemExit, KeyboardInterrupt):
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
