"""The server's own check of a token it holds: ``GET {apiBaseUrl}/user`` with it.

Used for tokens loaded from the keychain at start, which no page has verified since.
The answer is mapped to the contract's ``check.status`` (valid, revoked, expired,
unreachable) with a message that says what happened and what to do next.

SECURITY: the token goes only into the Authorization header of this one request
(redirects are not followed, so it is never resent elsewhere); no message, result or
log line contains it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from .github_http import GitHubUnreachable, github_get
from .policy import GITHUB_POLICY, whole_match

EXPIRY_HEADER = "github-authentication-token-expiration"
SCOPES_HEADER = "x-oauth-scopes"

# GitHub's expiry header (the policy's, as the page's parseExpiryHeader reads it).
_EXPIRY = whole_match(GITHUB_POLICY["expirationHeader"], re.IGNORECASE)
_EXPIRED_MESSAGE = re.compile(r"\bexpired\b", re.IGNORECASE)
_LOGIN = whole_match(GITHUB_POLICY["login"])

NEXT_STEP = "Create a new token on GitHub, then paste it in the GitHub token panel; Forget removes this one."


@dataclass(frozen=True)
class TokenCheck:
    status: str  # "valid" | "revoked" | "expired" | "unreachable"
    login: str | None
    expires_at: str | None  # ISO 8601, UTC ("2027-01-01T00:00:00Z")
    scopes: list[str] | None  # None: no X-OAuth-Scopes (fine-grained or unknown)
    message: str
    # GitHub's HTTP status when it answered (None: no answer); the page words its own text from it.
    http_status: int | None = None


def parse_expiry(value: str | None) -> datetime | None:
    """The header's instant (UTC), or None when absent or not understood."""
    if value is None:
        return None
    match = _EXPIRY.fullmatch(value)
    if match is None:
        return None
    year, month, day, hour, minute = (int(part) for part in match.groups()[:5])
    second = int(match.group(6) or 0)
    zone = match.group(7).upper()
    offset = 0
    if zone not in ("UTC", "GMT", "Z"):
        digits = zone.replace(":", "")
        hours, minutes = int(digits[1:3]), int(digits[3:5])
        if hours > 14 or minutes > 59:
            return None
        offset = (-1 if digits[0] == "-" else 1) * (hours * 60 + minutes)
    try:
        local = datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
    except ValueError:
        return None  # e.g. February 30th
    return local - timedelta(minutes=offset)


def iso(instant: datetime) -> str:
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_scopes(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [scope.strip() for scope in value.split(",") if scope.strip()]


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8", errors="replace")) if body.strip() else None
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def classify(
    code: int,
    headers: dict[str, str],
    body: bytes,
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
) -> TokenCheck:
    """Map one answer of ``GET /user`` to a check (``headers``: lower-case names)."""
    expiry = parse_expiry(headers.get(EXPIRY_HEADER))
    expires_at = iso(expiry) if expiry is not None else None
    data = _json_object(body)
    if code == 200:
        login = data.get("login")
        return TokenCheck(
            status="valid",
            login=login if isinstance(login, str) and _LOGIN.fullmatch(login) else None,
            expires_at=expires_at,
            scopes=parse_scopes(headers.get(SCOPES_HEADER)),
            message="",
            http_status=code,
        )
    github_message = data.get("message")
    said_expired = isinstance(github_message, str) and _EXPIRED_MESSAGE.search(github_message) is not None
    if code == 401 and (said_expired or (expiry is not None and expiry <= now())):
        when = f" on {expires_at}" if expires_at else ""
        return TokenCheck("expired", None, expires_at, None, f"GitHub says this token expired{when}. {NEXT_STEP}", code)
    if code == 401:
        return TokenCheck(
            "revoked",
            None,
            expires_at,
            None,
            f"GitHub no longer accepts this token (401 Bad credentials): it was revoked or deleted. {NEXT_STEP}",
            code,
        )
    if code in (403, 429) and (headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers):
        what = f"GitHub's rate limit refused the check (HTTP {code})"
    else:
        what = f"GitHub answered HTTP {code} to the check, so the token could not be checked now"
    return TokenCheck(
        "unreachable",
        None,
        None,
        None,
        f"{what}. The token is still held: try Verify in the panel later.",
        code,
    )


def _unreachable(timeout: bool) -> TokenCheck:
    what = "did not answer in time" if timeout else "could not be reached"
    return TokenCheck(
        "unreachable",
        None,
        None,
        None,
        f"The GitHub API {what}, so the token could not be checked. It is still held: try Verify in the panel "
        "later, or check the server's network connection.",
    )


async def check_token(api_base_url: str, token: str, timeout: float) -> TokenCheck:
    """``GET {api_base_url}/user`` with ``token``; never raises for a network failure."""
    try:
        response = await github_get(api_base_url, "/user", token, timeout)
    except GitHubUnreachable as exc:
        return _unreachable(exc.timeout)
    return classify(response.code, response.headers, response.body)
