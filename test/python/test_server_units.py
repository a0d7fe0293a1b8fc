"""Pure-Python parts of the server extension: token vault, environment, config."""

import json
import os
import pickle
import subprocess

import pytest
from conftest import ROOT, TOKENS
from traitlets import TraitError
from traitlets.config import Config

from jupyterlab_github_token.app import GitHubTokenExtension
from jupyterlab_github_token.environment import (
    credential_helper,
    git_hosts_for,
    git_origin_for_api_base,
    normalize_api_base_url,
    token_env,
)
from jupyterlab_github_token.handlers import allowed_path
from jupyterlab_github_token.token_store import (
    HeldToken,
    TokenValidationError,
    TokenVault,
    mask_token,
    validate_env_name,
    validate_env_names,
)

TOKEN = TOKENS["classicRepo"]["token"]
FINE = TOKENS["fineGrained"]["token"]


NAME_CASES = json.loads((ROOT / "test" / "corpus" / "env-name-cases.json").read_text(encoding="ascii"))


# The policy values themselves are held to one copy by test_policy.py.


@pytest.mark.parametrize("case", NAME_CASES["cases"], ids=lambda c: repr(c["name"])[:40])
def test_env_name_cases(case):
    """Shared with test/unit/kernel/validation.spec.ts: same decision, same refusing rule."""
    if case["ok"]:
        assert validate_env_name(case["name"]) == case["name"]
        return
    with pytest.raises(TokenValidationError) as info:
        validate_env_name(case["name"])
    assert info.value.reason == "name-invalid"
    assert NAME_CASES["messages"][case["rule"]] in info.value.message


def test_env_name_cases_cover_the_issue():
    names = {c["name"]: c["ok"] for c in NAME_CASES["cases"]}
    for name in (
        "HISTFILE",
        "SSLKEYLOGFILE",
        "REQUESTS_CA_BUNDLE",
        "NODE_OPTIONS",
        "XDG_CONFIG_HOME",
        "GITHUB_PATH",
        "GITHUB_ENV",
        "GITHUB_TOKEN_FILE",
    ):
        assert names[name] is False
    for name in ("GITHUB_TOKEN", "GH_TOKEN", "GITHUB_PAT", "GH_ENTERPRISE_TOKEN", "NODE_AUTH_TOKEN"):
        assert names[name] is True


@pytest.mark.parametrize(
    "name",
    [
        "PATH",
        "path",
        "GIT_ASKPASS",
        "git_trace",
        "LD_PRELOAD",
        "PYTHONPATH",
        "JPY_X",
        "JUPYTER_X",
        "IPYTHONDIR",
        "LC_ALL",
        "BASH_FUNC_x",
        "HTTPS_PROXY",
        "ghp_abc",
        "a" * 129,
        "1A",
        "A-B",
        "0123456789abcdef0123456789abcdef01234567",
    ],
)
def test_invalid_names(name):
    with pytest.raises(TokenValidationError):
        validate_env_names([name])


def test_valid_names():
    assert validate_env_names(["GITHUB_TOKEN", "GH_ENTERPRISE_TOKEN", "_x_token", "GITHUB_PAT"]) == [
        "GITHUB_TOKEN",
        "GH_ENTERPRISE_TOKEN",
        "_x_token",
        "GITHUB_PAT",
    ]
    with pytest.raises(TokenValidationError) as info:
        validate_env_names(["A_TOKEN", "a_token"])
    assert info.value.reason == "name-duplicate"
    with pytest.raises(TokenValidationError):
        validate_env_names([f"V{i}_TOKEN" for i in range(17)])
    assert len(validate_env_names([f"V{i}_TOKEN" for i in range(16)])) == 16


URL = "https://api.github.com"


def hold(vault, token=TOKEN, url=URL, **kwargs):
    kwargs.setdefault("for_new_kernels", True)
    return vault.hold(HeldToken.create(url, token, **kwargs))[0]


def test_vault_hides_the_token():
    vault = TokenVault()
    entry = hold(vault, login="octo-scientist", expires_at="2026-12-24 10:00:00 UTC")
    assert vault.get(URL) == entry and entry.token == TOKEN
    assert entry.variables == ("GITHUB_TOKEN", "GH_TOKEN")
    assert entry.masked == "ghp_..." + TOKEN[-4:]
    for holder in (vault, entry):
        assert TOKEN not in repr(holder) and TOKEN not in str(holder)
        with pytest.raises(TypeError):
            pickle.dumps(holder)
    assert "ghp_..." + TOKEN[-4:] in repr(vault)
    with pytest.raises(TokenValidationError) as info:
        hold(vault, TOKEN + "-")
    assert TOKEN not in str(info.value) and TOKEN not in repr(info.value)
    assert vault.get(URL) == entry  # a refused replacement keeps the old token
    assert vault.forget() == [entry]
    assert vault.get(URL) is None and vault.entries() == [] and vault.bound_snapshot() is None


def test_mask():
    # The page's rule (MASK_POLICY); before, the server showed "ghs_...", "...aaaa" and "...".
    assert mask_token(FINE) == "github_pat_..." + FINE[-4:]
    assert mask_token("ghs_short") == "••••"
    assert mask_token("a" * 40) == "••••..." + "a" * 4
    assert mask_token("abcdef") == "••••"


def test_api_base_urls_and_git_hosts():
    assert normalize_api_base_url("HTTPS://API.GitHub.com/") == "https://api.github.com"
    for bad in (
        "http://api.github.com",
        "ftp://x",
        "https://u:p@api.github.com",
        "https://api.github.com?x=1",
        "",
        None,
        "api.github.com",
    ):
        with pytest.raises(ValueError):
            normalize_api_base_url(bad)
    assert git_origin_for_api_base("https://api.github.com") == "https://github.com"
    assert git_origin_for_api_base("https://ghe.example.com/api/v3/") == "https://ghe.example.com"
    assert git_origin_for_api_base("https://api.acme.ghe.com") == "https://acme.ghe.com"
    assert git_origin_for_api_base("http://127.0.0.1:8765") == "http://127.0.0.1:8765"
    assert git_origin_for_api_base("http://127.0.0.1:8765/prefix") == "http://127.0.0.1:8765"
    assert git_origin_for_api_base("https://example.com/other") is None
    assert git_hosts_for(["https://api.github.com", "https://api.github.com/"]) == ["https://github.com"]


def test_config_validates_urls():
    ext = GitHubTokenExtension(
        config=Config(
            {
                "GitHubTokenExtension": {
                    "allowed_api_base_urls": ["https://api.github.com/", "https://ghe.example.com/api/v3"],
                    "request_timeout": 3,
                }
            }
        )
    )
    assert ext.allowed_api_base_urls == ["https://api.github.com", "https://ghe.example.com/api/v3"]
    assert ext.request_timeout == 3
    assert GitHubTokenExtension().allowed_api_base_urls == ["https://api.github.com"]
    assert GitHubTokenExtension().request_timeout == 15
    assert GitHubTokenExtension().keychain is True
    assert GitHubTokenExtension(config=Config({"GitHubTokenExtension": {"keychain": False}})).keychain is False
    with pytest.raises(TraitError):
        GitHubTokenExtension(allowed_api_base_urls=["http://api.github.com"])


def _git_env(home, extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        {"HOME": str(home), "XDG_CONFIG_HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}
    )
    env.update(extra or {})
    return env


def test_token_env():
    vault = TokenVault()
    assert token_env(vault, {}) == {}
    hold(vault, variables=["MY_TOKEN", "GH_TOKEN"], git_hosts=["https://github.com"], for_new_kernels=False)
    # Held, but not for new kernels: nothing.
    assert token_env(vault, {}) == {}
    vault.update(URL, for_new_kernels=True)
    store = vault
    base = {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "core.pager",
        "GIT_CONFIG_VALUE_0": "cat",
        "GIT_CONFIG_PARAMETERS": "'core.editor'='true'",
    }
    env = token_env(store, base)
    assert env["MY_TOKEN"] == env["GH_TOKEN"] == TOKEN
    # GIT_CONFIG_COUNT is left alone: the entries go to GIT_CONFIG_PARAMETERS, after the inherited ones.
    assert sorted(env) == ["GH_TOKEN", "GIT_CONFIG_PARAMETERS", "MY_TOKEN"]
    params = env["GIT_CONFIG_PARAMETERS"]
    assert params.startswith("'core.editor'='true' 'credential.https://github.com.helper'='' ")
    assert "${MY_TOKEN}" in params
    assert params.endswith("'credential.https://github.com.useHttpPath'='false'")
    # Only the bound origin: no other host's helper.
    assert params.count("credential.") == 3
    # The token is only in the variables, never in the git configuration.
    assert [k for k, v in env.items() if TOKEN in v] == ["MY_TOKEN", "GH_TOKEN"]
    # Bound to no git origin: variables only.
    vault.forget()
    hold(vault, url="https://example.com/other", git_hosts=[])
    assert sorted(token_env(vault, {})) == ["GH_TOKEN", "GITHUB_TOKEN"]
    vault.forget()
    assert token_env(vault, {}) == {}


def test_git_reads_the_reset_after_inherited_helpers(tmp_path):
    """Real git: inherited helpers (GIT_CONFIG_PARAMETERS and GIT_CONFIG_COUNT, as a server
    started from a shell with `git -c credential.helper=store` would pass) are cleared
    for the bound host: ours answers, and approving stores nothing anywhere."""
    # Which one git reads last decides where the reset must go.
    order = subprocess.run(
        ["git", "config", "--get-all", "x.y"],
        capture_output=True,
        check=False,
        text=True,
        env=_git_env(
            tmp_path,
            {
                "GIT_CONFIG_COUNT": "1",
                "GIT_CONFIG_KEY_0": "x.y",
                "GIT_CONFIG_VALUE_0": "count",
                "GIT_CONFIG_PARAMETERS": "'x.y'='parameters'",
            },
        ),
    )
    assert order.stdout.split() == ["count", "parameters"]
    store = TokenVault()
    hold(store, git_hosts=["https://github.com"])
    inherited = {
        "GIT_CONFIG_PARAMETERS": "'credential.helper'='store'",
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "credential.https://github.com.helper",
        "GIT_CONFIG_VALUE_0": "store",
    }
    env = _git_env(tmp_path, inherited)
    env.update(token_env(store, env))
    helpers = subprocess.run(
        ["git", "config", "--get-all", "credential.https://github.com.helper"],
        env=env,
        capture_output=True,
        check=False,
        text=True,
    ).stdout.splitlines()
    assert helpers[-2] == "" and helpers[-1].startswith("!f() {")
    out = subprocess.run(
        ["git", "credential", "fill"],
        input="protocol=https\nhost=github.com\n\n",
        env=env,
        capture_output=True,
        check=False,
        text=True,
        timeout=30,
    )
    assert f"password={TOKEN}" in out.stdout
    subprocess.run(
        ["git", "credential", "approve"],
        input=f"protocol=https\nhost=github.com\nusername=x-access-token\npassword={TOKEN}\n\n",
        env=env,
        capture_output=True,
        check=False,
        text=True,
        timeout=30,
    )
    assert list(tmp_path.iterdir()) == []  # no .git-credentials


def test_credential_helper_runs(tmp_path):
    """git runs the helper and gets x-access-token + the variable's value."""
    store = TokenVault()
    hold(store, git_hosts=["https://github.com"])
    env = _git_env(tmp_path)
    env.update(token_env(store, env))
    out = subprocess.run(
        ["git", "credential", "fill"],
        input="protocol=https\nhost=github.com\n\n",
        env=env,
        capture_output=True,
        check=False,
        text=True,
        timeout=30,
    )
    assert out.returncode == 0, out.stderr
    assert "username=x-access-token" in out.stdout
    assert f"password={TOKEN}" in out.stdout
    # "store"/"erase" are ignored by the helper (nothing written anywhere).
    subprocess.run(
        ["git", "credential", "approve"],
        input=f"protocol=https\nhost=github.com\nusername=x-access-token\npassword={TOKEN}\n\n",
        env=env,
        capture_output=True,
        check=False,
        text=True,
        timeout=30,
    )
    assert list(tmp_path.iterdir()) == []
    # Other hosts are not answered.
    out = subprocess.run(
        ["git", "credential", "fill"],
        input="protocol=https\nhost=example.com\n\n",
        env=env,
        capture_output=True,
        check=False,
        text=True,
        timeout=30,
    )
    assert TOKEN not in out.stdout
    assert credential_helper("GITHUB_TOKEN").startswith("!f() {")
    with pytest.raises(ValueError):
        credential_helper("A;rm -rf /")


@pytest.mark.parametrize(
    "path, ok",
    [
        ("/user", True),
        ("/rate_limit", True),
        ("/repos/octo-org/private-data", True),
        ("/repos/a.b/c_d-e", True),
        ("/repos/../x", False),
        ("/repos/a/..", False),
        ("/repos/a/b/c", False),
        ("/user/", False),
        ("/users/x", False),
        ("user", False),
        ("/repos/a%2F/b", False),
        (None, False),
    ],
)
def test_allowed_paths(path, ok):
    assert allowed_path(path) is ok
