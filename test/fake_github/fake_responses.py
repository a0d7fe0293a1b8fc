"""How the fake API's answers look: api.github.com's CORS, security and rate-limit
headers, its error bodies, and the request id. Token values never reach a log."""

from __future__ import annotations

import secrets
import struct
import time
import zlib
from typing import Any

from fake_state import Bucket
from token_factory import TOKEN_PATTERN

DOCS = "https://docs.github.com/rest"
REPO_DOCS = "https://docs.github.com/rest/repos/repos#get-a-repository"
USER_DOCS = "https://docs.github.com/rest/users/users#get-the-authenticated-user"
REVOKE_DOCS = "https://docs.github.com/rest/credentials/revoke#revoke-a-list-of-credentials"
RATE_LIMIT_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
SECONDARY_RATE_LIMIT_DOCS = (
    "https://docs.github.com/free-pro-team@latest/rest/overview/"
    "rate-limits-for-the-rest-api#about-secondary-rate-limits"
)
SSO_DOCS = "https://docs.github.com/articles/authenticating-to-a-github-organization-with-saml-single-sign-on/"
SUPPORTED_API_VERSIONS = ("2022-11-28",)
JSON_TYPE = "application/json; charset=utf-8"

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

API_HEADERS = (("X-GitHub-Media-Type", "github.v3; format=json"), ("Vary", VARY))
PREFLIGHT_HEADERS = (
    ("Access-Control-Allow-Headers", ALLOW_HEADERS),
    ("Access-Control-Allow-Methods", ALLOW_METHODS),
    ("Access-Control-Max-Age", "86400"),
    ("Vary", "Accept-Encoding, Accept, X-Requested-With"),
)
#: On every answer: CORS for any origin, and GitHub's security headers.
COMMON_HEADERS = (
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", EXPOSE_HEADERS),
    *SECURITY_HEADERS,
)


def redact(text: str) -> str:
    return TOKEN_PATTERN.sub("[REDACTED]", text)


def request_id() -> str:
    """An X-GitHub-Request-Id in GitHub's shape."""
    parts = (secrets.randbits(16), secrets.randbits(16), secrets.randbits(24), secrets.randbits(24))
    return "{:04X}:{:04X}:{:06X}:{:06X}".format(*parts) + f":{int(time.time()) & 0xFFFFFFFF:08X}"


def rate_headers(b: Bucket) -> list[tuple[str, str]]:
    return [
        ("x-ratelimit-limit", str(b.limit)),
        ("x-ratelimit-remaining", str(b.remaining)),
        ("x-ratelimit-reset", str(b.reset)),
        ("x-ratelimit-used", str(b.used)),
        ("x-ratelimit-resource", "core"),
    ]


def _tiny_png() -> bytes:
    """A valid 1x1 PNG (GitHub-ish grey)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\x6e\x76\x81")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


PNG = _tiny_png()


def error_body(message: str, status: int, documentation_url: str = DOCS) -> dict[str, Any]:
    return {"message": message, "documentation_url": documentation_url, "status": str(status)}
