"""Kernels, terminals and git get the token's environment only while it is held.

Real ipykernel kernels, real terminado terminals, real git against a local
``git http-backend`` that requires ``x-access-token:<token>``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import TOKENS, Fetch, run_in_kernel
from jupyter_server.serverapp import ServerApp

NS = "jupyterlab-github-token"
TOKEN = TOKENS["classicRepo"]["token"]
TOKEN_SHA = hashlib.sha256(TOKEN.encode()).hexdigest()

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is required")


# --------------------------------------------------------------------------
# A tiny authenticated git smart-HTTP server (git http-backend as CGI)
# --------------------------------------------------------------------------


class GitServer(ThreadingHTTPServer):
    """The repositories under ``root``, for ``x-access-token:<token>`` only; counts the answers."""

    daemon_threads = True

    def __init__(self, root: Path, token: str) -> None:
        super().__init__(("127.0.0.1", 0), GitHandler)
        self.root = root
        self.token = token
        self.granted = self.denied = 0
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


class GitHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server: GitServer

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_GET

    def _serve(self) -> None:
        expected = "Basic " + base64.b64encode(f"x-access-token:{self.server.token}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            self.server.denied += 1
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="test"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.server.granted += 1
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": str(self.server.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": str(self.server.root),
            "REQUEST_METHOD": self.command,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": "x-access-token",
            "REMOTE_ADDR": "127.0.0.1",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PROTOCOL": "HTTP/1.0",
        }
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        # A failing backend answers with its own status line: read it, do not raise.
        out = subprocess.run(
            ["git", "http-backend"], input=body, env=env, capture_output=True, timeout=30, check=False
        ).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        if not _:
            head, _, payload = out.partition(b"\n\n")
        status = 200
        headers = []
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def _git(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    base.update(
        {
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.invalid",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.invalid",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_TERMINAL_PROMPT": "0",
        }
    )
    base.update(env or {})
    # The callers assert on returncode (some expect a failure).
    return subprocess.run(["git", *args], cwd=cwd, env=base, capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture
def git_server(tmp_path: Path, isolated_home: Path) -> Iterator[GitServer]:
    root = tmp_path / "git-root"
    root.mkdir()
    assert _git("init", "-q", "--bare", "-b", "main", str(root / "repo.git")).returncode == 0
    work = tmp_path / "seed"
    assert _git("init", "-q", "-b", "main", str(work)).returncode == 0
    (work / "README.md").write_text("hello\n")
    assert _git("add", "README.md", cwd=work).returncode == 0
    assert _git("commit", "-q", "-m", "first", cwd=work).returncode == 0
    assert _git("push", "-q", str(root / "repo.git"), "main", cwd=work).returncode == 0
    server = GitServer(root, TOKEN)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def jp_server_config(fake_github: str, isolated_home: Path, git_server: GitServer) -> dict[str, Any]:
    # The git server's origin is allowed so that its credential helper is configured.
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_github_token": True}},
        "GitHubTokenExtension": {"allowed_api_base_urls": [fake_github, git_server.url + "/api/v3"]},
    }


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


async def call(jp_fetch: Fetch, method: str, *parts: str, body: Any = None, **kwargs: Any) -> Any:
    if body is not None:
        body = json.dumps(body)
    elif method in ("POST", "PUT"):
        body = ""
    response = await jp_fetch(*parts, method=method, body=body, allow_nonstandard_methods=True, **kwargs)
    text = response.body.decode() if response.body else ""
    assert TOKEN not in text
    return json.loads(text) if text else None


async def _run_in_kernel(kernel_manager: Any, kernel_id: str, code: str) -> str:
    """Run ``code`` in the kernel; return its stdout (the probe's JSON)."""
    status, out = await run_in_kernel(kernel_manager, kernel_id, code, timeout=90)
    assert status == "ok", (status, out)
    return out


# Never contains the token: prints which variables are set and a hash of them.
PROBE = r"""
import hashlib, json, os, re, subprocess, tempfile
out = {name: hashlib.sha256(os.environ[name].encode()).hexdigest() if name in os.environ else None
       for name in ("GITHUB_TOKEN", "GH_TOKEN", "MY_PAT")}
out["git_config_count"] = os.environ.get("GIT_CONFIG_COUNT")
out["helper_hosts"] = re.findall(r"'credential\.([^']+)\.useHttpPath'",
                                 os.environ.get("GIT_CONFIG_PARAMETERS", ""))
out["core_pager"] = subprocess.run(["git", "config", "core.pager"], capture_output=True,
                                   text=True).stdout.strip()
dest = os.path.join(os.environ["HOME"], "clones", "c" + str(os.getpid()))
env = dict(os.environ, GIT_TERMINAL_PROMPT="0")
r = subprocess.run(["git", "clone", "-q", "%(url)s/repo.git", dest], env=env,
                   capture_output=True, text=True, timeout=60)
out["clone"] = r.returncode
out["readme"] = open(os.path.join(dest, "README.md")).read() if r.returncode == 0 else None
out["global_config"] = subprocess.run(["git", "config", "--global", "--list"],
                                      capture_output=True, text=True).stdout
print(json.dumps(out))
"""


def _files_containing(token: str, *dirs: str | Path) -> list[str]:
    found: list[str] = []
    needle = token.encode()
    for d in dirs:
        for path in Path(d).rglob("*"):
            if path.is_file() and not path.is_symlink():
                try:
                    if needle in path.read_bytes():
                        found.append(str(path))
                except OSError:
                    pass
    return found


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------


async def test_kernels_and_git_get_token_only_while_held(
    jp_fetch: Fetch,
    jp_serverapp: ServerApp,
    git_server: GitServer,
    jp_home_dir: Path,
    jp_runtime_dir: Path,
    jp_data_dir: Path,
    jp_config_dir: Path,
    jp_env_jupyter_path: Any,
    jp_root_dir: Path,
    isolated_home: Path,
    all_logs: pytest.LogCaptureFixture,
) -> None:
    km = jp_serverapp.kernel_manager
    probe = PROBE % {"url": git_server.url}
    (Path(jp_home_dir) / "clones").mkdir()

    # Started before the token is held: nothing.
    before = (await call(jp_fetch, "POST", "api", "kernels", body={"name": "python3"}))["id"]

    status = await call(
        jp_fetch,
        "PUT",
        NS,
        "token",
        body={
            "token": TOKEN,
            "variables": ["GITHUB_TOKEN", "GH_TOKEN", "MY_PAT"],
            "apiBaseUrl": git_server.url + "/api/v3",
            "forNewKernels": True,
        },
    )
    [held] = status["tokens"]
    assert held["forNewKernels"] and status["kernels"] == []
    assert held["gitHosts"] == [git_server.url]

    # Through a session (env= from the session manager), like JupyterLab does.
    session = await call(
        jp_fetch,
        "POST",
        "api",
        "sessions",
        body={
            "path": "a.ipynb",
            "type": "notebook",
            "name": "a.ipynb",
            "kernel": {"name": "python3"},
        },
    )
    with_token = session["kernel"]["id"]
    status = await call(jp_fetch, "GET", NS, "status")
    assert status["kernels"] == [with_token]

    out = json.loads(await _run_in_kernel(km, with_token, probe))
    assert out["GITHUB_TOKEN"] == out["GH_TOKEN"] == out["MY_PAT"] == TOKEN_SHA
    assert out["git_config_count"] is None  # the configuration is in GIT_CONFIG_PARAMETERS
    assert out["helper_hosts"] == [git_server.url]  # only the bound host
    assert out["clone"] == 0 and out["readme"] == "hello\n"
    assert out["global_config"] == ""  # nothing written to ~/.gitconfig
    assert git_server.granted > 0

    out = json.loads(await _run_in_kernel(km, before, probe))
    assert out["GITHUB_TOKEN"] is None and out["GH_TOKEN"] is None
    assert out["clone"] != 0

    # Forget: reports the kernel still running with the token.
    status = await call(jp_fetch, "DELETE", NS, "token")
    assert status["tokens"] == []
    assert status["stillRunning"] == [with_token]
    assert status["kernels"] == []
    assert status["lastForget"] == {
        "apiBaseUrl": None,
        "kernels": [with_token],
        "terminals": [],
        "variables": ["GITHUB_TOKEN", "GH_TOKEN", "MY_PAT"],
    }

    # A kernel started after forgetting has nothing, and git cannot authenticate.
    denied = git_server.denied
    after = (await call(jp_fetch, "POST", "api", "kernels", body={"name": "python3"}))["id"]
    out = json.loads(await _run_in_kernel(km, after, probe))
    assert out["GITHUB_TOKEN"] is None and out["GH_TOKEN"] is None and out["MY_PAT"] is None
    assert out["git_config_count"] is None and out["helper_hosts"] == []
    assert out["clone"] != 0 and git_server.denied > denied

    # Restarting the kernel that had the token does not bring it back.
    await call(jp_fetch, "POST", "api", "kernels", with_token, "restart")
    out = json.loads(await _run_in_kernel(km, with_token, probe))
    assert out["GITHUB_TOKEN"] is None and out["clone"] != 0

    for kid in (before, with_token, after):
        await jp_fetch("api", "kernels", kid, method="DELETE")

    # Nothing on disk holds the token.
    assert (
        _files_containing(
            TOKEN,
            jp_home_dir,
            isolated_home,
            jp_runtime_dir,
            jp_data_dir,
            jp_config_dir,
            jp_env_jupyter_path,
            jp_root_dir,
        )
        == []
    )
    assert TOKEN not in all_logs.text


async def test_terminal_gets_token_only_while_held(
    jp_fetch: Fetch, jp_serverapp: ServerApp, fake_github: str, all_logs: pytest.LogCaptureFixture
) -> None:
    tm = jp_serverapp.web_app.settings["terminal_manager"]

    async def run(command: str, marker: str) -> str:
        name = (await call(jp_fetch, "POST", "api", "terminals"))["name"]
        term = tm.terminals[name]
        term.ptyproc.write(command + "\r")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            text = "".join(term.read_buffer)
            # The marker's second occurrence is the command's output, not its echo.
            if text.count(marker) >= 2 and "\n" in text.rsplit(marker, 1)[1]:
                break
            await asyncio.sleep(0.05)
        text = "".join(term.read_buffer)
        await jp_fetch("api", "terminals", name, method="DELETE")
        assert TOKEN not in text
        return text

    command = (
        'echo "@@$(printf %s "$GITHUB_TOKEN" | sha256sum | cut -c1-64)/${GH_TOKEN:+gh}/${GIT_CONFIG_PARAMETERS:+git}"'
    )
    text = await run(command, "@@")
    assert f"@@{hashlib.sha256(b'').hexdigest()}//" in text

    # Held, but not for new kernels and terminals: nothing.
    await call(jp_fetch, "PUT", NS, "token", body={"token": TOKEN, "apiBaseUrl": fake_github})
    text = await run(command, "@@")
    assert f"@@{hashlib.sha256(b'').hexdigest()}//" in text

    await call(jp_fetch, "PUT", NS, "token", body={"token": TOKEN, "apiBaseUrl": fake_github, "forNewKernels": True})
    text = await run(command, "@@")
    assert f"@@{TOKEN_SHA}/gh/git" in text

    await call(jp_fetch, "DELETE", NS, "token")
    text = await run(command, "@@")
    assert f"@@{hashlib.sha256(b'').hexdigest()}//" in text
    assert TOKEN not in all_logs.text


# --------------------------------------------------------------------------
# Issue 9
# --------------------------------------------------------------------------


async def _new_kernel(jp_fetch: Fetch, name: str = "python3") -> str:
    kernel_id: str = (await call(jp_fetch, "POST", "api", "kernels", body={"name": name}))["id"]
    return kernel_id


async def test_token_is_offered_only_to_the_bound_git_host(
    jp_fetch: Fetch, jp_serverapp: ServerApp, git_server: GitServer, jp_home_dir: Path, fake_github: str
) -> None:
    """Bound to the first allowed API (the fake github.com), the other allowed host's git
    (the git server, an 'Enterprise' host) gets no credential helper: the clone is refused."""
    km = jp_serverapp.kernel_manager
    (Path(jp_home_dir) / "clones").mkdir()
    status = await call(
        jp_fetch, "PUT", NS, "token", body={"token": TOKEN, "apiBaseUrl": fake_github, "forNewKernels": True}
    )
    assert [(t["apiBaseUrl"], t["gitHosts"]) for t in status["tokens"]] == [(fake_github, [fake_github])]
    kernel = await _new_kernel(jp_fetch)
    out = json.loads(await _run_in_kernel(km, kernel, PROBE % {"url": git_server.url}))
    assert out["GITHUB_TOKEN"] == TOKEN_SHA
    assert out["helper_hosts"] == [fake_github]
    assert out["clone"] != 0 and git_server.granted == 0
    await jp_fetch("api", "kernels", kernel, method="DELETE")


def _write_kernelspec(data_dir: Path, name: str, env: dict[str, str]) -> None:
    import sys

    spec_dir = Path(data_dir) / "kernels" / name
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": name,
                "language": "python",
                "env": env,
            }
        )
    )


async def test_kernelspec_git_config_count_keeps_the_helper(
    jp_fetch: Fetch,
    jp_serverapp: ServerApp,
    git_server: GitServer,
    jp_home_dir: Path,
    jp_data_dir: Path,
    all_logs: pytest.LogCaptureFixture,
) -> None:
    """jupyter_client applies a kernelspec's env after ours: its GIT_CONFIG_COUNT used to
    replace the helper's entries. Both configurations now reach git."""
    _write_kernelspec(
        jp_data_dir,
        "pager-spec",
        {
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "core.pager",
            "GIT_CONFIG_VALUE_0": "cat",
        },
    )
    _write_kernelspec(jp_data_dir, "params-spec", {"GIT_CONFIG_PARAMETERS": "'core.pager'='less'"})
    km = jp_serverapp.kernel_manager
    (Path(jp_home_dir) / "clones").mkdir()
    await call(
        jp_fetch,
        "PUT",
        NS,
        "token",
        body={"token": TOKEN, "apiBaseUrl": git_server.url + "/api/v3", "forNewKernels": True},
    )

    kernel = await _new_kernel(jp_fetch, "pager-spec")
    out = json.loads(await _run_in_kernel(km, kernel, PROBE % {"url": git_server.url}))
    assert out["core_pager"] == "cat"  # the kernelspec's own git configuration
    assert out["git_config_count"] == "1"
    assert out["clone"] == 0 and out["readme"] == "hello\n"  # and the helper

    # A kernelspec that sets GIT_CONFIG_PARAMETERS itself wins: said in status and the log.
    clashing = await _new_kernel(jp_fetch, "params-spec")
    out = json.loads(await _run_in_kernel(km, clashing, PROBE % {"url": git_server.url}))
    assert out["helper_hosts"] == [] and out["clone"] != 0
    status = await call(jp_fetch, "GET", NS, "status")
    assert status["kernelClashes"] == [{"id": clashing, "variables": ["GIT_CONFIG_PARAMETERS"]}]
    assert sorted(status["kernels"]) == sorted([kernel, clashing])
    assert any(clashing in r.getMessage() and "GIT_CONFIG_PARAMETERS" in r.getMessage() for r in all_logs.records)
    for kid in (kernel, clashing):
        await jp_fetch("api", "kernels", kid, method="DELETE")
    assert TOKEN not in all_logs.text


@pytest.mark.parametrize(
    "inherited",
    [
        {"GIT_CONFIG_PARAMETERS": "'credential.helper'='store'"},
        {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "credential.helper", "GIT_CONFIG_VALUE_0": "store"},
    ],
    ids=["parameters", "count"],
)
async def test_inherited_credential_store_never_gets_the_token(
    jp_fetch: Fetch,
    jp_serverapp: ServerApp,
    git_server: GitServer,
    jp_home_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    inherited: dict[str, str],
    all_logs: pytest.LogCaptureFixture,
) -> None:
    """The server was started with git told to store credentials (`git -c
    credential.helper=store` exports GIT_CONFIG_PARAMETERS): a clone through the
    authenticated server writes no ~/.git-credentials, in a kernel nor in a terminal."""
    for key, value in inherited.items():
        monkeypatch.setenv(key, value)
    km = jp_serverapp.kernel_manager
    home = Path(jp_home_dir)
    (home / "clones").mkdir()
    await call(
        jp_fetch,
        "PUT",
        NS,
        "token",
        body={"token": TOKEN, "apiBaseUrl": git_server.url + "/api/v3", "forNewKernels": True},
    )
    kernel = await _new_kernel(jp_fetch)
    out = json.loads(await _run_in_kernel(km, kernel, PROBE % {"url": git_server.url}))
    assert out["clone"] == 0 and git_server.granted > 0
    await jp_fetch("api", "kernels", kernel, method="DELETE")

    # A terminal (its HOME is the server's too).
    tm = jp_serverapp.web_app.settings["terminal_manager"]
    name = (await call(jp_fetch, "POST", "api", "terminals"))["name"]
    term = tm.terminals[name]
    granted = git_server.granted
    # The quotes keep the marker out of the echoed command line.
    term.ptyproc.write(
        f'GIT_TERMINAL_PROMPT=0 git clone -q {git_server.url}/repo.git {home}/clones/term; echo @@"rc"=$?@@\r'
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "@@rc=" not in "".join(term.read_buffer):
        await asyncio.sleep(0.05)
    assert "@@rc=0@@" in "".join(term.read_buffer)
    assert git_server.granted > granted
    await jp_fetch("api", "terminals", name, method="DELETE")

    assert not (home / ".git-credentials").exists()
    assert not (home / ".config" / "git" / "credentials").exists()
    assert _files_containing(TOKEN, home) == []
    assert TOKEN not in all_logs.text


async def test_forget_lists_terminals_started_with_the_token(
    jp_fetch: Fetch, jp_serverapp: ServerApp, fake_github: str, git_server: GitServer
) -> None:
    before = (await call(jp_fetch, "POST", "api", "terminals"))["name"]
    await call(jp_fetch, "PUT", NS, "token", body={"token": TOKEN, "apiBaseUrl": fake_github, "forNewKernels": True})
    with_token = (await call(jp_fetch, "POST", "api", "terminals"))["name"]
    closed = (await call(jp_fetch, "POST", "api", "terminals"))["name"]
    await jp_fetch("api", "terminals", closed, method="DELETE")
    status = await call(jp_fetch, "GET", NS, "status")
    assert status["terminals"] == [with_token]

    # Forgetting another URL's token does not name it.
    other = git_server.url + "/api/v3"
    await call(jp_fetch, "PUT", NS, "token", body={"token": TOKEN, "apiBaseUrl": other})
    status = await call(jp_fetch, "DELETE", NS, "token", params={"apiBaseUrl": other})
    assert status["stillRunningTerminals"] == [] and status["terminals"] == [with_token]

    status = await call(jp_fetch, "DELETE", NS, "token", params={"apiBaseUrl": fake_github})
    assert status["stillRunningTerminals"] == [with_token]
    assert status["terminals"] == []
    last = {
        "apiBaseUrl": fake_github,
        "kernels": [],
        "terminals": [with_token],
        "variables": ["GITHUB_TOKEN", "GH_TOKEN"],
    }
    assert status["lastForget"] == last
    after = (await call(jp_fetch, "POST", "api", "terminals"))["name"]  # may reuse the closed one's name
    status = await call(jp_fetch, "GET", NS, "status")
    assert status["terminals"] == []
    assert status["lastForget"] == last  # only the terminal that got the token
    await jp_fetch("api", "terminals", with_token, method="DELETE")
    status = await call(jp_fetch, "GET", NS, "status")
    assert status["lastForget"] is None
    # A new terminal that takes the closed one's name is not it.
    again = (await call(jp_fetch, "POST", "api", "terminals"))["name"]
    status = await call(jp_fetch, "GET", NS, "status")
    assert status["lastForget"] is None
    for name in (before, after, again):
        await jp_fetch("api", "terminals", name, method="DELETE")
