"""Tests of the local fake api.github.com (test/fake_github/fake_github_api.py)."""

import importlib.util
import json
import re
import sys
import time
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import pytest

FAKE_DIR = Path(__file__).resolve().parents[1] / "fake_github"
# The fake's modules import each other as top-level modules (as when it runs as a script).
if str(FAKE_DIR) not in sys.path:
    sys.path.insert(0, str(FAKE_DIR))

import fake_tokens  # noqa: E402 (needs the path above)
import token_factory  # noqa: E402


def _load_fake_module():
    spec = importlib.util.spec_from_file_location("fake_github_api", FAKE_DIR / "fake_github_api.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fake_github_api"] = module
    spec.loader.exec_module(module)
    return module


fake = _load_fake_module()
TOKENS = json.loads((FAKE_DIR / "tokens.json").read_text(encoding="utf-8"))["tokens"]
ALL_TOKEN_VALUES = [entry["token"] for entry in TOKENS.values()]

EXPECTED_NAMES = {
    "classicRepo",
    "classicReadOnly",
    "classicPublicRepo",
    "classicNoExpiry",
    "classicExpiryOffset",
    "fineGrained",
    "revoked",
    "rateLimited",
    "secondaryRateLimited",
    "ssoRequired",
    "slow",
    "serverError",
}
EXPOSED = (
    "ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, "
    "X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, "
    "X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, "
    "X-GitHub-Request-Id, Deprecation, Sunset, Warning"
)
ORIGIN = "http://127.0.0.1:8888"


@pytest.fixture(scope="module")
def server():
    srv, base_url = fake.start_fake_github(port=0, slow_seconds=1.5)
    yield srv, base_url
    srv.shutdown()
    srv.server_close()


@pytest.fixture()
def base(server):
    _, base_url = server
    call(base_url, "/_fake/reset", method="POST")
    return base_url


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.raw = body

    def json(self):
        return json.loads(self.raw.decode("utf-8"))

    def header(self, name):
        return self.headers.get(name)


def call(base_url, path, method="GET", token=None, scheme="token", headers=None, body=None, timeout=10):
    req_headers = {"Accept": "application/vnd.github+json", "Origin": ORIGIN}
    if token is not None:
        req_headers["Authorization"] = f"{scheme} {token}"
    req_headers.update(headers or {})
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        req_headers["Content-Type"] = "application/json"
    req = urllib.request.Request(base_url + path, data=data, method=method, headers=req_headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return Resp(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as err:
        return Resp(err.code, err.headers, err.read())


def classic(seed):
    return fake_tokens.make_token("classic", seed)


def tok(name):
    return TOKENS[name]["token"]


# ---- tokens.json ------------------------------------------------------------------


def test_tokens_json_names_and_shape():
    assert set(TOKENS) == EXPECTED_NAMES
    for name, entry in TOKENS.items():
        for key in ("token", "login", "scopes", "expiration", "behavior"):
            assert key in entry, (name, key)


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED_NAMES if n != "fineGrained"))
def test_classic_tokens_have_valid_checksum(name):
    value = tok(name)
    assert re.fullmatch(r"ghp_[A-Za-z0-9]{36}", value)
    assert len(value) == 40
    assert token_factory.checksum_ok(value)
    body = value[4:]
    assert token_factory.base62(zlib.crc32(body[:30].encode()) & 0xFFFFFFFF).rjust(6, "0") == body[30:]
    assert value == classic(TOKENS[name]["seed"])


def test_fine_grained_token_format():
    value = tok("fineGrained")
    assert len(value) == 93
    assert re.fullmatch(r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}", value)
    assert value == fake_tokens.make_token("fine-grained", TOKENS["fineGrained"]["seed"])


def test_generator_is_deterministic_and_checksum_detects_tampering():
    a = classic("x")
    assert a == classic("x") and a != classic("y")
    assert token_factory.checksum_ok(fake_tokens.make_token("oauth", "z"))
    tampered = a[:-1] + ("A" if a[-1] != "A" else "B")
    assert not token_factory.checksum_ok(tampered)
    assert (
        token_factory.base62(0) == "000000"
        and token_factory.base62(61) == "00000z"
        and token_factory.base62(62) == "000010"
    )


def test_tokens_json_matches_generator_definitions():
    assert fake_tokens.build_tokens_document()["tokens"] == TOKENS


# ---- /user ----------------------------------------------------------------------------

USER_STATUS = {
    "classicRepo": 200,
    "classicReadOnly": 200,
    "classicPublicRepo": 200,
    "classicNoExpiry": 200,
    "classicExpiryOffset": 200,
    "fineGrained": 200,
    "revoked": 401,
    "rateLimited": 403,
    "secondaryRateLimited": 403,
    "ssoRequired": 200,
    "serverError": 502,
}


@pytest.mark.parametrize("name,status", sorted(USER_STATUS.items()))
def test_user_status_per_token(base, name, status):
    r = call(base, "/user", token=tok(name))
    assert r.status == status
    assert r.header("Content-Type") == "application/json; charset=utf-8"
    if status == 200:
        body = r.json()
        assert body["login"] == TOKENS[name]["login"]
        assert body["type"] == "User"
        assert body["html_url"] == f"https://github.com/{body['login']}"
        assert r.header("ETag")


def test_user_body_and_avatar(base):
    r = call(base, "/user", token=tok("classicRepo"), scheme="Bearer")
    assert r.status == 200
    body = r.json()
    assert body["name"] == "Octo Scientist"
    assert body["avatar_url"].startswith(base + "/_fake/avatars/octo-scientist.png")
    for key in ("id", "node_id", "created_at", "public_repos"):
        assert key in body
    avatar = call(base, body["avatar_url"][len(base) :])
    assert avatar.status == 200
    assert avatar.header("Content-Type") == "image/png"
    assert avatar.raw.startswith(b"\x89PNG\r\n\x1a\n")


def test_scopes_header_presence(base):
    expected = {
        "classicRepo": "repo, user",
        "classicReadOnly": "read:user",
        "classicPublicRepo": "public_repo",
        "classicNoExpiry": "repo",
        "ssoRequired": "repo",
    }
    for name, scopes in expected.items():
        r = call(base, "/user", token=tok(name))
        assert r.header("X-OAuth-Scopes") == scopes, name
        assert r.header("X-Accepted-OAuth-Scopes") is not None, name
    r = call(base, "/user", token=tok("fineGrained"))
    assert r.status == 200
    assert r.header("X-OAuth-Scopes") is None
    assert r.header("X-Accepted-OAuth-Scopes") is None
    assert call(base, "/user", token=tok("revoked")).header("X-OAuth-Scopes") is None


def test_expiration_header(base):
    h = "github-authentication-token-expiration"
    assert call(base, "/user", token=tok("classicRepo")).header(h) == "2026-12-24 10:00:00 UTC"
    assert call(base, "/user", token=tok("classicExpiryOffset")).header(h) == "2027-01-05 09:30:00 -0700"
    assert call(base, "/user", token=tok("fineGrained")).header(h) == "2027-02-01 00:00:00 UTC"
    assert call(base, "/user", token=tok("classicNoExpiry")).header(h) is None


def test_missing_and_bad_auth(base):
    r = call(base, "/user")
    assert r.status == 401
    assert r.json() == {
        "message": "Requires authentication",
        "documentation_url": "https://docs.github.com/rest/users/users#get-the-authenticated-user",
        "status": "401",
    }
    assert r.header("x-ratelimit-limit") == "60"
    bad = {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"}
    for value in (tok("revoked"), classic("never-issued"), "nonsense"):
        r = call(base, "/user", token=value)
        assert r.status == 401 and r.json() == bad
    r = call(base, "/user", token=tok("classicRepo"), scheme="Basic")
    assert r.status == 401


def test_common_headers_and_api_version(base):
    r = call(base, "/user", token=tok("classicRepo"), headers={"X-GitHub-Api-Version": "2022-11-28"})
    assert r.header("X-GitHub-Media-Type") == "github.v3; format=json"
    assert r.header("X-GitHub-Api-Version-Selected") == "2022-11-28"
    assert re.fullmatch(r"[0-9A-F]{4}:[0-9A-F]{4}:[0-9A-F]{6}:[0-9A-F]{6}:[0-9A-F]{8}", r.header("X-GitHub-Request-Id"))
    assert "Authorization" in r.header("Vary")
    assert r.header("Cache-Control").startswith("private")
    assert call(base, "/user", token=tok("classicRepo")).header("X-GitHub-Api-Version-Selected") is None
    bad = call(base, "/user", token=tok("classicRepo"), headers={"X-GitHub-Api-Version": "v3"})
    assert bad.status == 400


def test_etag_conditional_request_not_counted(base):
    first = call(base, "/user", token=tok("classicRepo"))
    again = call(base, "/user", token=tok("classicRepo"), headers={"If-None-Match": first.header("ETag")})
    assert again.status == 304
    assert again.header("x-ratelimit-remaining") == first.header("x-ratelimit-remaining")


# ---- CORS -------------------------------------------------------------------------------


def test_cors_on_get(base):
    for path, token in (
        ("/user", tok("classicRepo")),
        ("/user", None),
        ("/nope", tok("classicRepo")),
        ("/_fake/requests", None),
    ):
        r = call(base, path, token=token)
        assert r.header("Access-Control-Allow-Origin") == "*"
        assert r.header("Access-Control-Expose-Headers") == EXPOSED
    exposed = {h.strip().lower() for h in EXPOSED.split(",")}
    assert "github-authentication-token-expiration" not in exposed


def test_cors_preflight(base):
    r = call(
        base,
        "/repos/octo-org/private-data",
        method="OPTIONS",
        headers={
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization,x-github-api-version",
        },
    )
    assert r.status == 204
    assert r.raw == b""
    assert r.header("Access-Control-Allow-Origin") == "*"
    assert r.header("Access-Control-Allow-Methods") == "GET, POST, PATCH, PUT, DELETE"
    assert r.header("Access-Control-Max-Age") == "86400"
    allowed = {h.strip().lower() for h in r.header("Access-Control-Allow-Headers").split(",")}
    assert {"authorization", "content-type", "x-github-api-version", "if-none-match"} <= allowed


# ---- repos ------------------------------------------------------------------------------

REPO_NOT_FOUND = {
    "message": "Not Found",
    "documentation_url": "https://docs.github.com/rest/repos/repos#get-a-repository",
    "status": "404",
}


def test_repo_permissions(base):
    r = call(base, "/repos/octo-org/private-data", token=tok("classicRepo"))
    assert r.status == 200
    body = r.json()
    assert body["full_name"] == "octo-org/private-data" and body["private"] is True
    assert body["owner"]["login"] == "octo-org"
    assert body["html_url"] == "https://github.com/octo-org/private-data"
    assert body["permissions"]["admin"] is False
    assert body["permissions"]["push"] is True and body["permissions"]["pull"] is True
    assert r.header("X-Accepted-OAuth-Scopes") == "repo"

    for name in ("classicReadOnly", "classicPublicRepo"):
        r = call(base, "/repos/octo-org/private-data", token=tok(name))
        assert r.status == 404 and r.json() == REPO_NOT_FOUND

    pub = {
        n: call(base, "/repos/octo-org/public-notes", token=tok(n))
        for n in ("classicRepo", "classicPublicRepo", "classicReadOnly", "fineGrained")
    }
    assert all(r.status == 200 for r in pub.values())
    assert pub["classicRepo"].json()["permissions"]["push"] is True
    assert pub["classicPublicRepo"].json()["permissions"]["push"] is True
    assert pub["classicReadOnly"].json()["permissions"]["push"] is False
    assert pub["fineGrained"].json()["permissions"]["push"] is False

    r = call(base, "/repos/octo-org/private-data", token=tok("fineGrained"))
    assert r.status == 200
    perms = r.json()["permissions"]
    assert perms["pull"] is True and perms["push"] is False and perms["admin"] is False

    for name in ("classicRepo", "fineGrained"):
        r = call(base, "/repos/octo-org/other", token=tok(name))
        assert r.status == 404 and r.json() == REPO_NOT_FOUND


def test_repo_unauthenticated(base):
    r = call(base, "/repos/octo-org/public-notes")
    assert r.status == 200 and "permissions" not in r.json()
    assert r.header("x-ratelimit-limit") == "60"
    assert call(base, "/repos/octo-org/private-data").status == 404


def test_sso_required(base):
    assert call(base, "/user", token=tok("ssoRequired")).status == 200
    r = call(base, "/repos/octo-org/private-data", token=tok("ssoRequired"))
    assert r.status == 403
    assert r.json()["message"].startswith("Resource protected by organization SAML enforcement.")
    assert r.json()["status"] == "403"
    assert re.fullmatch(
        r"required; url=https://github\.com/orgs/octo-org/sso\?authorization_request=[A-Za-z0-9_-]+",
        r.header("X-GitHub-SSO"),
    )


# ---- rate limits ------------------------------------------------------------------------


def test_rate_limit_headers_decrement(base):
    a = call(base, "/user", token=tok("classicRepo"))
    b = call(base, "/user", token=tok("classicRepo"))
    assert a.header("x-ratelimit-limit") == "5000"
    assert int(a.header("x-ratelimit-remaining")) - 1 == int(b.header("x-ratelimit-remaining"))
    assert int(b.header("x-ratelimit-used")) == int(a.header("x-ratelimit-used")) + 1
    assert b.header("x-ratelimit-resource") == "core"
    assert int(b.header("x-ratelimit-reset")) > time.time()
    rl = call(base, "/rate_limit", token=tok("classicRepo"))
    assert rl.status == 200
    assert rl.header("x-ratelimit-remaining") == b.header("x-ratelimit-remaining")
    assert rl.json()["resources"]["core"]["remaining"] == int(b.header("x-ratelimit-remaining"))
    again = call(base, "/rate_limit", token=tok("classicRepo"))
    assert again.header("x-ratelimit-remaining") == b.header("x-ratelimit-remaining")
    # other tokens have their own counter
    assert call(base, "/user", token=tok("classicNoExpiry")).header("x-ratelimit-remaining") == "4999"


def test_primary_rate_limit(base):
    r = call(base, "/user", token=tok("rateLimited"))
    assert r.status == 403
    assert r.json() == {
        "message": f"API rate limit exceeded for user ID {TOKENS['rateLimited']['id']}.",
        "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
        "status": "403",
    }
    assert r.header("x-ratelimit-remaining") == "0"
    reset = int(r.header("x-ratelimit-reset"))
    assert 1100 < reset - time.time() <= 1201
    assert call(base, "/repos/octo-org/private-data", token=tok("rateLimited")).status == 403
    rl = call(base, "/rate_limit", token=tok("rateLimited"))
    assert rl.status == 200 and rl.json()["rate"]["remaining"] == 0


def test_secondary_rate_limit(base):
    r = call(base, "/user", token=tok("secondaryRateLimited"))
    assert r.status == 403
    assert r.header("Retry-After") == "60"
    body = r.json()
    assert body["message"].startswith("You have exceeded a secondary rate limit.")
    assert r.header("X-GitHub-Request-Id") in body["message"]
    assert body["documentation_url"].endswith("#about-secondary-rate-limits")
    assert int(r.header("x-ratelimit-remaining")) > 0


def test_server_error(base):
    r = call(base, "/user", token=tok("serverError"))
    assert r.status == 502
    assert r.json()["status"] == "502"
    assert r.header("Access-Control-Allow-Origin") == "*"


def test_slow_token(base):
    start = time.monotonic()
    with pytest.raises(OSError):  # socket.timeout / TimeoutError
        call(base, "/user", token=tok("slow"), timeout=0.5)
    r = call(base, "/user", token=tok("slow"), timeout=10)
    assert r.status == 200
    assert time.monotonic() - start >= 1.5


# ---- 404 and GHES ------------------------------------------------------------------------


def test_unknown_routes_404(base):
    expected = {"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"}
    for path, method in (
        ("/users/octocat", "GET"),
        ("/user/", "GET"),
        ("/user", "POST"),
        ("/repos/octo-org/private-data/contents", "GET"),
    ):
        r = call(base, path, method=method, token=tok("classicRepo"), body=b"{}" if method == "POST" else None)
        assert r.status == 404 and r.json() == expected, path


def test_ghes_prefix(base):
    r = call(base, "/api/v3/user", token=tok("classicRepo"))
    assert r.status == 200 and r.json()["login"] == "octo-scientist"
    assert r.json()["url"].startswith(base + "/api/v3/")
    assert r.header("X-OAuth-Scopes") == "repo, user"
    r = call(base, "/api/v3/repos/octo-org/private-data", token=tok("classicRepo"))
    assert r.status == 200 and r.json()["permissions"]["push"] is True
    assert call(base, "/api/v3/rate_limit", token=tok("classicRepo")).status == 200
    assert call(base, "/api/v3/nope", token=tok("classicRepo")).status == 404
    assert call(base, "/api/v3/user", token=tok("revoked")).status == 401


# ---- revoke ------------------------------------------------------------------------------


def test_revoke_then_401(base):
    assert call(base, "/user", token=tok("classicRepo")).status == 200
    r = call(base, "/credentials/revoke", method="POST", body={"credentials": [tok("classicRepo")]})
    assert r.status == 202
    assert r.json() == {}
    assert call(base, "/user", token=tok("classicRepo")).status == 401
    assert call(base, "/repos/octo-org/public-notes", token=tok("classicRepo")).status == 401
    assert call(base, "/user", token=tok("fineGrained")).status == 200
    call(base, "/_fake/reset", method="POST")
    assert call(base, "/user", token=tok("classicRepo")).status == 200


def test_revoke_bad_bodies(base):
    body: object
    for body in (
        b"not json",
        {},
        {"credentials": "ghp_x"},
        {"credentials": []},
        {"credentials": [1]},
        [tok("classicRepo")],
    ):
        r = call(base, "/credentials/revoke", method="POST", body=body)
        assert r.status == 422, body
        assert r.json()["status"] == "422"
    assert call(base, "/user", token=tok("classicRepo")).status == 200


def test_revoke_rejects_authenticated_requests(base):
    r = call(
        base,
        "/credentials/revoke",
        method="POST",
        token=tok("classicRepo"),
        body={"credentials": [tok("classicNoExpiry")]},
    )
    assert r.status == 403
    assert call(base, "/user", token=tok("classicNoExpiry")).status == 200


# ---- request log -------------------------------------------------------------------------


def test_request_log_has_no_token_values(base):
    call(base, "/user", token=tok("classicRepo"))
    call(base, "/user", token=classic("stranger"))
    call(base, "/user")
    call(base, "/repos/octo-org/private-data", token=tok("fineGrained"), scheme="Bearer")
    call(base, "/credentials/revoke", method="POST", body={"credentials": [tok("revoked")]})
    call(base, f"/search?q={tok('classicReadOnly')}", token=tok("classicReadOnly"))
    log = call(base, "/_fake/requests")
    assert log.status == 200
    entries = log.json()
    assert [e["auth"] for e in entries] == ["classicRepo", "unknown", "none", "fineGrained", "none", "classicReadOnly"]
    assert entries[0] == {"method": "GET", "path": "/user", "auth": "classicRepo", "origin": ORIGIN, "status": 200}
    text = log.raw.decode()
    for value in [*ALL_TOKEN_VALUES, classic("stranger")]:
        assert value not in text
    assert not re.search(r"gh[pousr]_[A-Za-z0-9]{10}|github_pat_", text)
    call(base, "/_fake/reset", method="POST")
    assert call(base, "/_fake/requests").json() == []


def test_cli_prints_ready_line_and_never_tokens(tmp_path):
    import signal
    import subprocess

    proc = subprocess.Popen(
        [sys.executable, str(FAKE_DIR / "fake_github_api.py"), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    try:
        line = proc.stdout.readline().strip()
        m = re.fullmatch(r"fake GitHub API listening on (http://127\.0\.0\.1:(\d+))", line)
        assert m, line
        url = m.group(1)
        assert call(url, "/user", token=tok("classicRepo")).status == 200
        assert call(url, "/user", token=tok("revoked")).status == 401
        call(url, "/credentials/revoke", method="POST", body={"credentials": [tok("slow")]})
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert "GET /user 200" in out and "GET /user 401" in out
    for value in ALL_TOKEN_VALUES:
        assert value not in out and value not in err


def test_refuses_non_loopback():
    with pytest.raises(ValueError):
        fake.make_server(host="0.0.0.0", port=0)
