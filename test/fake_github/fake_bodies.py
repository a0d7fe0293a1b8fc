"""The fake API's fixed data and the JSON bodies of its successful answers."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from fake_state import Bucket

READ_WRITE = {"admin": False, "maintain": False, "push": True, "triage": True, "pull": True}
READ_ONLY = {"admin": False, "maintain": False, "push": False, "triage": False, "pull": True}

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


def node_id(prefix: str, number: int) -> str:
    raw = hashlib.sha1(f"{prefix}{number}".encode()).hexdigest()[:16]
    return f"{prefix}_kgDO{raw}"


def find_repo(full_name: str) -> tuple[str, dict[str, Any]] | None:
    """The repository (its canonical name and data), compared case-insensitively."""
    for key, repo in REPOSITORIES.items():
        if key.lower() == full_name.lower():
            return key, repo
    return None


def token_permissions(entry: dict[str, Any], full_name: str) -> dict[str, bool] | None:
    """The permissions the token ``entry`` has on a repository, or None."""
    for key, perms in (entry.get("repos") or {}).items():
        if key.lower() == full_name.lower():
            return dict(perms)
    return None


def user_body(entry: dict[str, Any], base_url: str, api: str) -> dict[str, Any]:
    """GET /user for the token ``entry`` (private fields when its scopes allow them)."""
    login, uid = entry["login"], entry["id"]
    body: dict[str, Any] = {
        "login": login,
        "id": uid,
        "node_id": node_id("U", uid),
        "avatar_url": f"{base_url}/_fake/avatars/{login}.png?v=4",
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


def repo_body(
    full_name: str, repo: dict[str, Any], permissions: dict[str, bool] | None, base_url: str, api: str
) -> dict[str, Any]:
    """GET /repos/{owner}/{repo}; ``permissions`` only for an authenticated caller."""
    owner, name = full_name.split("/")
    oid = ORGS.get(owner, 9999)
    body: dict[str, Any] = {
        "id": repo["id"],
        "node_id": node_id("R", repo["id"]),
        "name": name,
        "full_name": full_name,
        "private": repo["private"],
        "owner": {
            "login": owner,
            "id": oid,
            "node_id": node_id("O", oid),
            "avatar_url": f"{base_url}/_fake/avatars/{owner}.png?v=4",
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


def rate_limit_body(b: Bucket) -> dict[str, Any]:
    """GET /rate_limit: the caller's core bucket, the other resources untouched."""
    core = {
        "limit": b.limit,
        "used": b.used,
        "remaining": b.remaining,
        "reset": b.reset,
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
