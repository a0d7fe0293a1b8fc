#!/usr/bin/env python3
"""A local fake of api.github.com for browser end-to-end tests and pytest.

Standard library only (Python >= 3.9).

Command line::

    python test/fake_github/fake_github_api.py --port 8765 [--host 127.0.0.1] [--quiet]

From Python::

    server, base_url = start_fake_github(port=0)
    ...
    server.shutdown(); server.server_close()

The named test tokens and their behaviour live in ``tokens.json`` next to this
file (shared with the browser tests). The token strings there were produced by
``make_classic_token`` / ``make_fine_grained_token`` from the stored seeds; run
``python fake_github_api.py --write-tokens`` only if the seeds change.

Only these API endpoints exist (also under the GitHub Enterprise Server prefix
``/api/v3``): ``GET /user``, ``GET /repos/{owner}/{repo}``, ``GET /rate_limit``,
``POST /credentials/revoke`` and ``OPTIONS *`` (CORS preflight).  Test control:
``GET /_fake/requests``, ``POST /_fake/reset``, ``GET /_fake/avatars/<login>.png``.

Token values are never printed and never appear in ``/_fake/requests``.
"""

import argparse
import hashlib
import json
import re
import secrets
import signal
import socket
import struct
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
TOKENS_FILE = HERE / "tokens.json"

# --------------------------------------------------------------------------
# Token generation (deterministic, with GitHub's CRC32/base62 checksum)
# --------------------------------------------------------------------------

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def base62(number: int, width: int = 6) -> str:
    """Encode a non-negative integer in base62 (0-9A-Za-z), left-padded with '0'."""
    if number < 0:
        raise ValueError("number must be >= 0")
    digits = ""
    while number:
        number, rem = divmod(number, 62)
        digits = BASE62[rem] + digits
    return digits.rjust(width, "0")


def token_checksum(payload: str) -> str:
    """The 6-character checksum GitHub appends: base62(CRC32(payload))."""
    return base62(zlib.crc32(payload.encode("ascii")) & 0xFFFFFFFF)


def _deterministic_chars(seed: str, count: int, alphabet: str = ALNUM) -> str:
    """`count` characters from `alphabet`, derived only from `seed` (SHA-256 stream,
    rejection sampling), so the result never depends on the Python version."""
    out: list[str] = []
    limit = 256 - (256 % len(alphabet))
    counter = 0
    while len(out) < count:
        block = hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
        for byte in block:
            if byte < limit:
                out.append(alphabet[byte % len(alphabet)])
                if len(out) == count:
                    break
    return "".join(out)


def make_classic_token(seed: str, prefix: str = "ghp_") -> str:
    """A well-formed classic/OAuth-style token: prefix + 30 random chars + checksum.

    40 characters for ``ghp_``/``gho_``/``ghu_``/``ghs_``/``ghr_``."""
    random_part = _deterministic_chars(seed, 30)
    return prefix + random_part + token_checksum(random_part)


def make_fine_grained_token(seed: str) -> str:
    """``github_pat_`` + 22 chars + ``_`` + 59 chars (93 characters in all).

    GitHub's checksum rule is unverified for fine-grained tokens; these end in
    base62(CRC32) of the part after the prefix minus the last 6 characters, so an
    advisory check using the classic rule passes."""
    first = _deterministic_chars(seed + ":a", 22)
    second = _deterministic_chars(seed + ":b", 53)
    payload = first + "_" + second
    return "github_pat_" + payload + token_checksum(payload)


def classic_checksum_ok(token: str) -> bool:
    """True when a ``gh?_`` token's last 6 characters are base62(CRC32(body))."""
    m = re.fullmatch(r"gh[pousr]_([A-Za-z0-9]+)", token)
    if not m or len(m.group(1)) <= 6:
        return False
    body = m.group(1)
    return token_checksum(body[:-6]) == body[-6:]


# Definitions used to (re)write tokens.json. tokens.json is what the server and
# the browser tests read; keep both in sync with --write-tokens.
_RW = {"admin": False, "maintain": False, "push": True, "triage": True, "pull": True}
_RO = {"admin": False, "maintain": False, "push": False, "triage": False, "pull": True}

TOKEN_DEFINITIONS: dict[str, dict[str, Any]] = {
    "classicRepo": {
        "kind": "classic",
        "login": "octo-scientist",
        "name": "Octo Scientist",
        "id": 5101,
        "scopes": "repo, user",
        "expiration": "2026-12-24 10:00:00 UTC",
        "behavior": "ok",
        "repos": {"octo-org/private-data": _RW, "octo-org/public-notes": _RW},
        "description": "Classic PAT with repo + user scopes and an expiry date.",
    },
    "classicReadOnly": {
        "kind": "classic",
        "login": "octo-reader",
        "name": "Octo Reader",
        "id": 5102,
        "scopes": "read:user",
        "expiration": None,
        "behavior": "ok",
        "repos": {},
        "description": "Classic PAT without repo scope: cannot see private repositories.",
    },
    "classicPublicRepo": {
        "kind": "classic",
        "login": "octo-public",
        "name": "Octo Public",
        "id": 5103,
        "scopes": "public_repo",
        "expiration": None,
        "behavior": "ok",
        "repos": {"octo-org/public-notes": _RW},
        "description": "Classic PAT with public_repo only: push to public repositories.",
    },
    "classicNoExpiry": {
        "kind": "classic",
        "login": "octo-forever",
        "name": "Octo Forever",
        "id": 5104,
        "scopes": "repo",
        "expiration": None,
        "behavior": "ok",
        "repos": {"octo-org/private-data": _RW},
        "description": "Classic PAT that never expires: no expiration header.",
    },
    "classicExpiryOffset": {
        "kind": "classic",
        "login": "octo-offset",
        "name": "Octo Offset",
        "id": 5105,
        "scopes": "repo",
        "expiration": "2027-01-05 09:30:00 -0700",
        "behavior": "ok",
        "repos": {"octo-org/private-data": _RW},
        "description": "Classic PAT whose expiration header uses a numeric UTC offset.",
    },
    "fineGrained": {
        "kind": "fine-grained",
        "login": "octo-fine",
        "name": "Octo Fine",
        "id": 5106,
        "scopes": None,
        "expiration": "2027-02-01 00:00:00 UTC",
        "behavior": "ok",
        "repos": {"octo-org/private-data": _RO},
        "description": "Fine-grained PAT: no X-OAuth-Scopes; read (pull) access to "
        "octo-org/private-data only (plus read access to public repos).",
    },
    "revoked": {
        "kind": "classic",
        "login": None,
        "name": None,
        "id": None,
        "scopes": None,
        "expiration": None,
        "behavior": "unknown",
        "repos": {},
        "description": "Well-formed (valid checksum) but unknown to the server: 401 everywhere.",
    },
    "rateLimited": {
        "kind": "classic",
        "login": "octo-limited",
        "name": "Octo Limited",
        "id": 5108,
        "scopes": "repo",
        "expiration": None,
        "behavior": "rateLimited",
        "repos": {"octo-org/private-data": _RW},
        "description": "Primary rate limit exhausted: 403 on every call except /rate_limit.",
    },
    "secondaryRateLimited": {
        "kind": "classic",
        "login": "octo-burst",
        "name": "Octo Burst",
        "id": 5109,
        "scopes": "repo",
        "expiration": None,
        "behavior": "secondaryRateLimited",
        "repos": {"octo-org/private-data": _RW},
        "description": "Secondary rate limit: 403 with retry-after: 60 except /rate_limit.",
    },
    "ssoRequired": {
        "kind": "classic",
        "login": "octo-sso",
        "name": "Octo SSO",
        "id": 5110,
        "scopes": "repo",
        "expiration": None,
        "behavior": "ssoRequired",
        "ssoOrg": "octo-org",
        "repos": {"octo-org/private-data": _RW},
        "description": "/user works; /repos/octo-org/* is 403 SAML enforcement with X-GitHub-SSO.",
    },
    "slow": {
        "kind": "classic",
        "login": "octo-slow",
        "name": "Octo Slow",
        "id": 5111,
        "scopes": "repo",
        "expiration": None,
        "behavior": "slow",
        "delaySeconds": 20,
        "repos": {"octo-org/private-data": _RW},
        "description": "GET /user answers only after delaySeconds (timeout tests).",
    },
    "serverError": {
        "kind": "classic",
        "login": "octo-broken",
        "name": "Octo Broken",
        "id": 5112,
        "scopes": "repo",
        "expiration": None,
        "behavior": "serverError",
        "repos": {},
        "description": "Every API call answers 502.",
    },
}


def build_tokens_document() -> dict[str, Any]:
    tokens: dict[str, Any] = {}
    for name, spec in TOKEN_DEFINITIONS.items():
        seed = f"jupyterlab-github-token/fake/{name}"
        if spec["kind"] == "fine-grained":
            value = make_fine_grained_token(seed)
        else:
            value = make_classic_token(seed)
        entry = {"token": value, "seed": seed}
        entry.update(spec)
        tokens[name] = entry
    return {
        "_comment": "Fake tokens for the fake GitHub API (test/fake_github/fake_github_api.py). "
        "Not real credentials. Regenerate with: python test/fake_github/"
        "fake_github_api.py --write-tokens",
        "tokens": tokens,
    }


def load_tokens(path: Path = TOKENS_FILE) -> dict[str, dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)["tokens"]


# --------------------------------------------------------------------------
# Fixed data
# --------------------------------------------------------------------------

DOCS = "https://docs.github.com/rest"
SUPPORTED_API_VERSIONS = ("2022-11-28",)
REPOSITORIES: dict[str, dict[str, Any]] = {
    "octo-org/private-data": {
        "id": 700001,
        "private": True,
        "description": "Private research data (fake).",
        "created_at": "2024-03-01T09:00:00Z",
    },
    "octo-org/public-notes": {
        "id": 700002,
        "private": False,
        "description": "Public lab notes (fake).",
        "created_at": "2024-03-02T09:00:00Z",
    },
}
ORGS = {"octo-org": 9001}

EXPOSE_HEADERS = (
    "ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, "
    "X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, "
    "X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, "
    "X-GitHub-Request-Id, Deprecation, Sunset, Warning"
)
ALLOW_HEADERS = (
    "Authorization, Content-Type, If-Match, If-Modified-Since, If-None-Match, "
    "If-Unmodified-Since, Accept-Encoding, X-GitHub-OTP, X-Requested-With, User-Agent, "
    "GraphQL-Features, X-Github-Next-Global-ID, X-GitHub-Api-Version"
)
ALLOW_METHODS = "GET, POST, PATCH, PUT, DELETE"
VARY = "Accept, Authorization, Cookie, X-GitHub-OTP, Accept-Encoding, X-Requested-With"
SECURITY_HEADERS = (
    ("Strict-Transport-Security", "max-age=31536000; includeSubdomains; preload"),
    ("X-Frame-Options", "deny"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-XSS-Protection", "0"),
    ("Referrer-Policy", "origin-when-cross-origin, strict-origin-when-cross-origin"),
    ("Content-Security-Policy", "default-src 'none'"),
)

TOKEN_PATTERN = re.compile(r"(?:gh[pousr]_|github_pat_)[A-Za-z0-9_]+")


def _redact(text: str) -> str:
    return TOKEN_PATTERN.sub("[REDACTED]", text)


def _tiny_png() -> bytes:
    """A valid 1x1 PNG (GitHub-ish grey)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\x6e\x76\x81")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


PNG = _tiny_png()


def _error(message: str, status: int, documentation_url: str = DOCS) -> dict[str, Any]:
    return {"message": message, "documentation_url": documentation_url, "status": str(status)}


def _node_id(prefix: str, number: int) -> str:
    raw = hashlib.sha1(f"{prefix}{number}".encode()).hexdigest()[:16]
    return f"{prefix}_kgDO{raw}"


# --------------------------------------------------------------------------
# Server state
# --------------------------------------------------------------------------


class FakeGitHubState:
    def __init__(self, tokens: dict[str, dict[str, Any]], slow_seconds: Optional[float] = None):
        self.lock = threading.Lock()
        self.tokens = tokens
        self.by_value = {entry["token"]: name for name, entry in tokens.items()}
        self.slow_seconds = slow_seconds
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.requests: list[dict[str, Any]] = []
            self.revoked: set = set()
            self.buckets: dict[str, dict[str, float]] = {}

    def log(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.requests.append(entry)

    def bucket(self, key: str, limit: int, window: int = 3600) -> dict[str, float]:
        """Rate-limit bucket (caller holds the lock)."""
        now = time.time()
        b = self.buckets.get(key)
        if b is None or now >= b["reset"]:
            b = {"limit": limit, "used": 0, "reset": int(now) + window}
            self.buckets[key] = b
        return b


# --------------------------------------------------------------------------
# Request handler
# --------------------------------------------------------------------------


class FakeGitHubHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "github.com"
    sys_version = ""

    # set on the server object
    @property
    def state(self) -> FakeGitHubState:
        return self.server.fake_state  # type: ignore[attr-defined]

    def version_string(self) -> str:
        return "github.com"

    # ---- logging (never tokens) ------------------------------------------------
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        if getattr(self.server, "quiet", True):
            return
        path = _redact(urlsplit(getattr(self, "path", "") or "").path)
        sys.stdout.write(f"{getattr(self, 'command', '-')} {path} {code}\n")
        sys.stdout.flush()

    def log_error(self, format: str, *args: Any) -> None:
        if getattr(self.server, "quiet", True):
            return
        sys.stderr.write(_redact("fake GitHub API error: " + (format % args)) + "\n")

    # ---- dispatch ------------------------------------------------------------
    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _dispatch(self) -> None:
        try:
            self._handle()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _base_url(self) -> str:
        return self.server.base_url  # type: ignore[attr-defined]

    def _handle(self) -> None:
        body_in = self._read_body()
        parts = urlsplit(self.path)
        path = parts.path
        self._prefix = ""
        if path == "/api/v3" or path.startswith("/api/v3/"):
            self._prefix = "/api/v3"
            path = path[len("/api/v3") :] or "/"
        self._request_id = f"{secrets.randbits(16):04X}:{secrets.randbits(16):04X}:{secrets.randbits(24):06X}:{secrets.randbits(24):06X}:{int(time.time()) & 0xFFFFFFFF:08X}"

        if self.command == "OPTIONS":
            if not path.startswith("/_fake/"):
                self._log(path=parts.path, auth="none", status=204)
            self._send_preflight()
            return
        if path.startswith("/_fake/") and not self._prefix:
            self._handle_control(path, body_in)
            return
        self._handle_api(path, parts.path, body_in)

    # ---- response helpers ----------------------------------------------------
    def _send(
        self,
        status: int,
        body: Optional[bytes],
        headers: list[tuple[str, str]],
        content_type: Optional[str] = "application/json; charset=utf-8",
    ) -> None:
        self.send_response(status)
        if content_type and status not in (204, 304):
            self.send_header("Content-Type", content_type)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", EXPOSE_HEADERS)
        for key, value in SECURITY_HEADERS:
            self.send_header(key, value)
        self.send_header("X-GitHub-Request-Id", self._request_id)
        payload = b"" if (body is None or status in (204, 304)) else body
        if status not in (204, 304):
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD" and payload:
            self.wfile.write(payload)

    def _send_preflight(self) -> None:
        self._send(
            204,
            None,
            [
                ("Access-Control-Allow-Headers", ALLOW_HEADERS),
                ("Access-Control-Allow-Methods", ALLOW_METHODS),
                ("Access-Control-Max-Age", "86400"),
                ("Vary", "Accept-Encoding, Accept, X-Requested-With"),
            ],
            content_type=None,
        )

    def _log(self, path: str, auth: str, status: int) -> None:
        self.state.log(
            {
                "method": self.command,
                "path": _redact(path),
                "auth": auth,
                "origin": self.headers.get("Origin"),
                "status": status,
            }
        )

    # ---- test control --------------------------------------------------------
    def _handle_control(self, path: str, body_in: bytes) -> None:
        if path == "/_fake/requests" and self.command == "GET":
            with self.state.lock:
                data = list(self.state.requests)
            self._send(200, json.dumps(data).encode(), [("Cache-Control", "no-store")])
            return
        if path == "/_fake/reset" and self.command == "POST":
            self.state.reset()
            self._send(200, b'{"reset":true}', [("Cache-Control", "no-store")])
            return
        m = re.fullmatch(r"/_fake/avatars/([A-Za-z0-9-]+)\.png", path)
        if m and self.command in ("GET", "HEAD"):
            self._send(200, PNG, [("Cache-Control", "max-age=300")], content_type="image/png")
            return
        self._send(404, json.dumps(_error("Not Found", 404)).encode(), [("Cache-Control", "no-store")])

    # ---- API -------------------------------------------------------------------
    def _handle_api(self, path: str, full_path: str, body_in: bytes) -> None:
        st = self.state
        headers: list[tuple[str, str]] = [
            ("X-GitHub-Media-Type", "github.v3; format=json"),
            ("Vary", VARY),
        ]

        # Which route?
        route: Optional[str] = None
        match: Optional[re.Match] = None
        if self.command in ("GET", "HEAD"):
            if path == "/user":
                route = "user"
            elif path == "/rate_limit":
                route = "rate_limit"
            else:
                match = re.fullmatch(r"/repos/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)", path)
                if match:
                    route = "repo"
        elif self.command == "POST" and path == "/credentials/revoke":
            route = "revoke"

        # Who is calling?
        auth_header = self.headers.get("Authorization")
        token_value: Optional[str] = None
        if auth_header is not None:
            scheme, _, rest = auth_header.strip().partition(" ")
            if scheme.lower() in ("token", "bearer") and rest.strip():
                token_value = rest.strip()
        name = st.by_value.get(token_value) if token_value else None
        entry = st.tokens.get(name) if name else None
        log_auth = "none" if auth_header is None else (name or "unknown")

        def finish(
            status: int,
            body: Any,
            extra: list[tuple[str, str]] = (),
            content_type: str = "application/json; charset=utf-8",
        ) -> None:
            raw = body if isinstance(body, bytes) else (None if body is None else json.dumps(body, indent=2).encode())
            self._log(full_path, log_auth, status)
            self._send(status, raw, headers + list(extra), content_type=content_type)

        # API version negotiation
        requested_version = self.headers.get("X-GitHub-Api-Version")
        if requested_version is not None:
            if requested_version not in SUPPORTED_API_VERSIONS:
                finish(
                    400,
                    _error(
                        f'The version you specified in the "X-GitHub-API-Version" request header, '
                        f'"{requested_version}", is not a supported version. The following versions '
                        f'are currently supported: "{SUPPORTED_API_VERSIONS[-1]}" (most recent).',
                        400,
                    ),
                )
                return
            headers.append(("X-GitHub-Api-Version-Selected", requested_version))

        client_ip = self.client_address[0]

        def unauth_rate_headers(count: bool) -> list[tuple[str, str]]:
            with st.lock:
                b = st.bucket("ip:" + client_ip, 60)
                if count:
                    b["used"] += 1
                return self._rate_headers(b)

        # Revoke (unauthenticated only, like github.com)
        if route == "revoke":
            rl = unauth_rate_headers(count=True)
            if auth_header is not None:
                finish(
                    403,
                    _error(
                        "This endpoint does not accept authenticated requests. Send the request "
                        "without an Authorization header.",
                        403,
                        "https://docs.github.com/rest/credentials/revoke#revoke-a-list-of-credentials",
                    ),
                    rl,
                )
                return
            problem = self._validate_revoke(body_in)
            if problem:
                finish(
                    422,
                    _error(
                        "Invalid request.\n\n" + problem,
                        422,
                        "https://docs.github.com/rest/credentials/revoke#revoke-a-list-of-credentials",
                    ),
                    rl,
                )
                return
            creds = json.loads(body_in.decode("utf-8"))["credentials"]
            with st.lock:
                st.revoked.update(creds)
            finish(202, {}, rl)
            return

        # Bad credentials
        if auth_header is not None and (
            entry is None or entry.get("behavior") == "unknown" or token_value in st.revoked
        ):
            finish(401, _error("Bad credentials", 401), unauth_rate_headers(count=True))
            return

        # Unauthenticated
        if entry is None:
            if route == "rate_limit":
                rl = unauth_rate_headers(count=False)
                with st.lock:
                    b = dict(st.bucket("ip:" + client_ip, 60))
                self._ok(finish, headers, self._rate_limit_body(b), rl, authenticated=False)
                return
            with st.lock:
                b = st.bucket("ip:" + client_ip, 60)
                exhausted = b["used"] >= b["limit"]
            if exhausted:
                finish(
                    403,
                    _error(
                        f"API rate limit exceeded for {client_ip}. (But here's the good news: "
                        "Authenticated requests get a higher rate limit. Check out the documentation "
                        "for more details.)",
                        403,
                        "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
                    ),
                    unauth_rate_headers(count=False),
                )
                return
            if route == "user":
                finish(
                    401,
                    _error(
                        "Requires authentication",
                        401,
                        "https://docs.github.com/rest/users/users#get-the-authenticated-user",
                    ),
                    unauth_rate_headers(count=True),
                )
                return
            if route == "repo":
                full_name = f"{match.group(1)}/{match.group(2)}"
                repo = self._find_repo(full_name)
                if repo is not None and not repo[1]["private"]:
                    body = self._repo_body(repo[0], repo[1], permissions=None)
                    self._ok(finish, headers, body, None, authenticated=False, count_key="ip:" + client_ip, limit=60)
                    return
                finish(
                    404,
                    _error("Not Found", 404, "https://docs.github.com/rest/repos/repos#get-a-repository"),
                    unauth_rate_headers(count=True),
                )
                return
            finish(404, _error("Not Found", 404), unauth_rate_headers(count=True))
            return

        # Authenticated with a known token
        behavior = entry.get("behavior", "ok")
        if entry.get("scopes") is not None:
            headers.append(("X-OAuth-Scopes", entry["scopes"]))
            accepted = "repo" if route == "repo" else ""
            headers.append(("X-Accepted-OAuth-Scopes", accepted))
        if entry.get("expiration"):
            headers.append(("github-authentication-token-expiration", entry["expiration"]))

        if behavior == "serverError":
            self._log(full_path, log_auth, 502)
            self._send(
                502,
                json.dumps(_error("Server Error", 502)).encode(),
                [("X-GitHub-Media-Type", "github.v3; format=json"), ("Vary", VARY)],
            )
            return

        key = "token:" + name
        if route == "rate_limit":
            with st.lock:
                b = dict(self._token_bucket(key, behavior))
            self._ok(finish, headers, self._rate_limit_body(b), self._rate_headers(b), authenticated=True)
            return

        with st.lock:
            b = self._token_bucket(key, behavior)
            exhausted = b["used"] >= b["limit"]
        if exhausted:
            finish(
                403,
                _error(
                    f"API rate limit exceeded for user ID {entry['id']}.",
                    403,
                    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
                ),
                self._rate_headers(b),
            )
            return
        if behavior == "secondaryRateLimited":
            with st.lock:
                b["used"] += 1
                rl = self._rate_headers(b)
            stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
            finish(
                403,
                _error(
                    "You have exceeded a secondary rate limit. Please wait a few minutes before you "
                    "try again. If you reach out to GitHub Support for help, please include the "
                    f"request ID {self._request_id} and timestamp {stamp}.",
                    403,
                    "https://docs.github.com/free-pro-team@latest/rest/overview/"
                    "rate-limits-for-the-rest-api#about-secondary-rate-limits",
                ),
                rl + [("Retry-After", "60")],
            )
            return

        if route == "user":
            if behavior == "slow":
                delay = st.slow_seconds if st.slow_seconds is not None else float(entry.get("delaySeconds", 20))
                time.sleep(delay)
            self._ok(
                finish,
                headers,
                self._user_body(entry),
                None,
                authenticated=True,
                count_key=key,
                limit=5000,
                last_modified="Mon, 01 Jan 2024 00:00:00 GMT",
            )
            return

        if route == "repo":
            owner, repo_name = match.group(1), match.group(2)
            if behavior == "ssoRequired" and owner.lower() == entry.get("ssoOrg", "").lower():
                with st.lock:
                    b["used"] += 1
                    rl = self._rate_headers(b)
                opaque = secrets.token_hex(20)
                finish(
                    403,
                    _error(
                        "Resource protected by organization SAML enforcement. You must grant your "
                        "Personal Access token access to this organization.",
                        403,
                        "https://docs.github.com/articles/authenticating-to-a-github-organization-"
                        "with-saml-single-sign-on/",
                    ),
                    rl
                    + [
                        (
                            "X-GitHub-SSO",
                            f"required; url=https://github.com/orgs/{owner}/sso?authorization_request={opaque}",
                        )
                    ],
                )
                return
            found = self._find_repo(f"{owner}/{repo_name}")
            perms = None
            if found is not None:
                perms = self._lookup_perms(entry, found[0])
                if perms is None and not found[1]["private"]:
                    perms = dict(_RO)
            if found is None or perms is None:
                with st.lock:
                    b["used"] += 1
                    rl = self._rate_headers(b)
                finish(404, _error("Not Found", 404, "https://docs.github.com/rest/repos/repos#get-a-repository"), rl)
                return
            self._ok(
                finish,
                headers,
                self._repo_body(found[0], found[1], perms),
                None,
                authenticated=True,
                count_key=key,
                limit=5000,
            )
            return

        with st.lock:
            b["used"] += 1
            rl = self._rate_headers(b)
        finish(404, _error("Not Found", 404), rl)

    # ---- API helpers -------------------------------------------------------
    def _token_bucket(self, key: str, behavior: str) -> dict[str, float]:
        st = self.state
        if behavior == "rateLimited":
            b = st.buckets.get(key)
            if b is None or time.time() >= b["reset"]:
                b = {"limit": 5000, "used": 5000, "reset": int(time.time()) + 1200}
                st.buckets[key] = b
            return b
        return st.bucket(key, 5000)

    @staticmethod
    def _rate_headers(b: dict[str, float]) -> list[tuple[str, str]]:
        return [
            ("x-ratelimit-limit", str(int(b["limit"]))),
            ("x-ratelimit-remaining", str(max(0, int(b["limit"] - b["used"])))),
            ("x-ratelimit-reset", str(int(b["reset"]))),
            ("x-ratelimit-used", str(int(b["used"]))),
            ("x-ratelimit-resource", "core"),
        ]

    def _ok(
        self,
        finish: Any,
        headers: list[tuple[str, str]],
        body: dict[str, Any],
        rate_headers: Optional[list[tuple[str, str]]],
        authenticated: bool,
        count_key: Optional[str] = None,
        limit: int = 5000,
        last_modified: Optional[str] = None,
    ) -> None:
        """200 with ETag/Cache-Control, or 304 (not counted) when If-None-Match matches."""
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
        if count_key is not None:
            with self.state.lock:
                b = self.state.bucket(count_key, limit)
                if not not_modified:
                    b["used"] += 1
                rate_headers = self._rate_headers(b)
        finish(304 if not_modified else 200, None if not_modified else raw, (rate_headers or []) + extra)

    @staticmethod
    def _validate_revoke(body_in: bytes) -> Optional[str]:
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

    @staticmethod
    def _find_repo(full_name: str) -> Optional[tuple[str, dict[str, Any]]]:
        for key, repo in REPOSITORIES.items():
            if key.lower() == full_name.lower():
                return key, repo
        return None

    @staticmethod
    def _lookup_perms(entry: dict[str, Any], full_name: str) -> Optional[dict[str, bool]]:
        for key, perms in (entry.get("repos") or {}).items():
            if key.lower() == full_name.lower():
                return dict(perms)
        return None

    def _api(self) -> str:
        return self._base_url() + self._prefix

    def _user_body(self, entry: dict[str, Any]) -> dict[str, Any]:
        login, uid = entry["login"], entry["id"]
        api = self._api()
        body: dict[str, Any] = {
            "login": login,
            "id": uid,
            "node_id": _node_id("U", uid),
            "avatar_url": f"{self._base_url()}/_fake/avatars/{login}.png?v=4",
            "gravatar_id": "",
            "url": f"{api}/users/{login}",
            "html_url": f"https://github.com/{login}",
            "followers_url": f"{api}/users/{login}/followers",
            "following_url": f"{api}/users/{login}/following{{/other_user}}",
            "gists_url": f"{api}/users/{login}/gists{{/gist_id}}",
            "starred_url": f"{api}/users/{login}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{api}/users/{login}/subscriptions",
            "organizations_url": f"{api}/users/{login}/orgs",
            "repos_url": f"{api}/users/{login}/repos",
            "events_url": f"{api}/users/{login}/events{{/privacy}}",
            "received_events_url": f"{api}/users/{login}/received_events",
            "type": "User",
            "user_view_type": "private",
            "site_admin": False,
            "name": entry.get("name"),
            "company": "@octo-org",
            "blog": "",
            "location": None,
            "email": None,
            "hireable": None,
            "bio": None,
            "twitter_username": None,
            "notification_email": None,
            "public_repos": 3,
            "public_gists": 0,
            "followers": 1,
            "following": 0,
            "created_at": "2020-01-01T00:00:00Z",
            "updated_at": "2024-01-01T00:00:00Z",
        }
        scopes = [s.strip() for s in (entry.get("scopes") or "").split(",")]
        if entry.get("kind") == "fine-grained" or "user" in scopes or "read:user" in scopes:
            body.update(
                {
                    "private_gists": 0,
                    "total_private_repos": 1,
                    "owned_private_repos": 0,
                    "disk_usage": 1024,
                    "collaborators": 0,
                    "two_factor_authentication": True,
                    "plan": {"name": "free", "space": 976562499, "collaborators": 0, "private_repos": 10000},
                }
            )
        return body

    def _repo_body(
        self, full_name: str, repo: dict[str, Any], permissions: Optional[dict[str, bool]]
    ) -> dict[str, Any]:
        owner, name = full_name.split("/")
        api = self._api()
        oid = ORGS.get(owner, 9999)
        body: dict[str, Any] = {
            "id": repo["id"],
            "node_id": _node_id("R", repo["id"]),
            "name": name,
            "full_name": full_name,
            "private": repo["private"],
            "owner": {
                "login": owner,
                "id": oid,
                "node_id": _node_id("O", oid),
                "avatar_url": f"{self._base_url()}/_fake/avatars/{owner}.png?v=4",
                "gravatar_id": "",
                "url": f"{api}/users/{owner}",
                "html_url": f"https://github.com/{owner}",
                "type": "Organization",
                "user_view_type": "public",
                "site_admin": False,
            },
            "html_url": f"https://github.com/{full_name}",
            "description": repo["description"],
            "fork": False,
            "url": f"{api}/repos/{full_name}",
            "git_url": f"git://github.com/{full_name}.git",
            "ssh_url": f"git@github.com:{full_name}.git",
            "clone_url": f"https://github.com/{full_name}.git",
            "homepage": None,
            "size": 42,
            "stargazers_count": 0,
            "watchers_count": 0,
            "language": "Jupyter Notebook",
            "forks_count": 0,
            "archived": False,
            "disabled": False,
            "open_issues_count": 0,
            "visibility": "private" if repo["private"] else "public",
            "default_branch": "main",
            "created_at": repo["created_at"],
            "updated_at": "2024-06-01T12:00:00Z",
            "pushed_at": "2024-06-01T12:00:00Z",
            "organization": {"login": owner, "id": oid, "type": "Organization"},
            "network_count": 0,
            "subscribers_count": 1,
        }
        if permissions is not None:
            body["permissions"] = {
                k: bool(permissions.get(k, False)) for k in ("admin", "maintain", "push", "triage", "pull")
            }
        return body

    @staticmethod
    def _rate_limit_body(b: dict[str, float]) -> dict[str, Any]:
        core = {
            "limit": int(b["limit"]),
            "used": int(b["used"]),
            "remaining": max(0, int(b["limit"] - b["used"])),
            "reset": int(b["reset"]),
        }
        authenticated = core["limit"] > 60
        reset = int(time.time()) + 3600

        def res(limit: int) -> dict[str, int]:
            return {"limit": limit, "used": 0, "remaining": limit, "reset": reset}

        return {
            "resources": {
                "core": core,
                "search": res(30 if authenticated else 10),
                "graphql": res(5000 if authenticated else 0),
                "integration_manifest": res(5000),
                "source_import": res(100),
                "code_scanning_upload": res(1000),
                "actions_runner_registration": res(10000),
                "scim": res(15000),
                "dependency_snapshots": res(100),
                "code_search": res(10),
            },
            "rate": dict(core),
        }


# --------------------------------------------------------------------------
# Server construction
# --------------------------------------------------------------------------


class FakeGitHubServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_server(
    host: str = "127.0.0.1",
    port: int = 0,
    quiet: bool = True,
    tokens_file: Path = TOKENS_FILE,
    slow_seconds: Optional[float] = None,
    cache_max_age: int = 60,
) -> FakeGitHubServer:
    if host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("127."):
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
    server.fake_state = FakeGitHubState(load_tokens(tokens_file), slow_seconds)  # type: ignore
    return server


def start_fake_github(
    port: int = 0,
    host: str = "127.0.0.1",
    quiet: bool = True,
    slow_seconds: Optional[float] = None,
    cache_max_age: int = 60,
) -> tuple[FakeGitHubServer, str]:
    """Start the fake in a daemon thread; return (server, base_url).

    Stop it with ``server.shutdown(); server.server_close()``."""
    server = make_server(host, port, quiet=quiet, slow_seconds=slow_seconds, cache_max_age=cache_max_age)
    thread = threading.Thread(target=server.serve_forever, name="fake-github-api", daemon=True)
    thread.start()
    server.thread = thread  # type: ignore[attr-defined]
    return server, server.base_url  # type: ignore[attr-defined]


def main(argv: Optional[list[str]] = None) -> int:
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
        TOKENS_FILE.write_text(json.dumps(build_tokens_document(), indent=2) + "\n", encoding="utf-8")
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
