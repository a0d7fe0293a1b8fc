"""The fake API's named test tokens: what each one is and does, and tokens.json.

``tokens.json`` (next to this file) is what the fake API and the browser and unit
tests read; it is generated from ``TOKEN_DEFINITIONS`` and the seeds by
``python test/fake_github/fake_github_api.py --write-tokens`` (only if they change:
unit tests quote some token values).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fake_bodies import READ_ONLY, READ_WRITE
from token_factory import FIXTURE_TOKENS

TOKENS_FILE = Path(__file__).resolve().parent / "tokens.json"

# Definitions used to (re)write tokens.json. tokens.json is what the server and
# the browser tests read; keep both in sync with --write-tokens.
TOKEN_DEFINITIONS: dict[str, dict[str, Any]] = {
    "classicRepo": {
        "kind": "classic",
        "login": "octo-scientist",
        "name": "Octo Scientist",
        "id": 5101,
        "scopes": "repo, user",
        "expiration": "2026-12-24 10:00:00 UTC",
        "behavior": "ok",
        "repos": {"octo-org/private-data": READ_WRITE, "octo-org/public-notes": READ_WRITE},
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
        "repos": {"octo-org/public-notes": READ_WRITE},
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
        "repos": {"octo-org/private-data": READ_WRITE},
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
        "repos": {"octo-org/private-data": READ_WRITE},
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
        "repos": {"octo-org/private-data": READ_ONLY},
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
        "repos": {"octo-org/private-data": READ_WRITE},
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
        "repos": {"octo-org/private-data": READ_WRITE},
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
        "repos": {"octo-org/private-data": READ_WRITE},
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
        "repos": {"octo-org/private-data": READ_WRITE},
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


def make_token(kind: str, seed: str) -> str:
    """The token of ``kind`` ("fine-grained" or a fixed-length kind) for ``seed``."""
    if kind == "fine-grained":
        return FIXTURE_TOKENS.fine_grained(seed + ":a", seed + ":b")
    return FIXTURE_TOKENS.fixed_length(seed, kind)


def build_tokens_document() -> dict[str, Any]:
    tokens: dict[str, Any] = {}
    for name, spec in TOKEN_DEFINITIONS.items():
        seed = f"jupyterlab-github-token/fake/{name}"
        tokens[name] = {"token": make_token(spec["kind"], seed), "seed": seed, **spec}
    return {
        "_comment": "Fake tokens for the fake GitHub API (test/fake_github/fake_github_api.py). "
        "Not real credentials. Regenerate with: python test/fake_github/"
        "fake_github_api.py --write-tokens",
        "tokens": tokens,
    }


def write_tokens_file(path: Path = TOKENS_FILE) -> None:
    path.write_text(json.dumps(build_tokens_document(), indent=2) + "\n", encoding="utf-8")


def load_tokens(path: Path = TOKENS_FILE) -> dict[str, dict[str, Any]]:
    tokens: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["tokens"]
    return tokens
