"""Shared fixtures for the server extension tests (test_server_*.py)."""

from __future__ import annotations

import importlib.util
import json
import logging
import sys
from collections.abc import Awaitable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import pytest
from jupyter_client.asynchronous.client import AsyncKernelClient

ROOT = Path(__file__).resolve().parents[2]
# Test the source tree, not an installed copy.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# secret_service: the real private Secret Service fixture (test/python/secret_service.py).
pytest_plugins = ["pytest_jupyter.jupyter_server", "secret_service"]

# pytest-jupyter's ``jp_fetch``: (*url parts, **tornado request options) -> response.
Fetch = Callable[..., Awaitable[Any]]

FAKE_DIR = ROOT / "test" / "fake_github"
sys.path.insert(0, str(FAKE_DIR))  # the fake API's modules import each other (and token_factory) by name
TOKENS = json.loads((FAKE_DIR / "tokens.json").read_text(encoding="utf-8"))["tokens"]


def _load_fake_module() -> ModuleType:
    name = "fake_github_api"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, FAKE_DIR / "fake_github_api.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


async def run_in_kernel(kernel_manager: Any, kernel_id: str, code: str, timeout: float = 300) -> tuple[str, str]:
    """Run ``code`` in a running kernel as one execute request (IPython syntax,
    no history, no stdin); return (status, stdout), where status is ``"ok"`` or,
    for an exception, ``"error: <name>"``."""
    client = AsyncKernelClient()
    client.load_connection_info(kernel_manager.get_kernel(kernel_id).get_connection_info())
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=60)
        chunks: list[str] = []

        def hook(msg: dict[str, Any]) -> None:
            if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
                chunks.append(msg["content"]["text"])

        reply = await client.execute_interactive(
            code, store_history=False, timeout=timeout, output_hook=hook, allow_stdin=False
        )
        content = reply["content"]
        status: str = content["status"]
        if status == "error":
            status = "error: " + content.get("ename", "")
        return status, "".join(chunks)
    finally:
        client.stop_channels()


@pytest.fixture(autouse=True)
def jp_server_cleanup(request: pytest.FixtureRequest) -> Iterator[None]:
    """pytest-jupyter's autouse cleanup, only for tests that started a server.

    (The original instantiates a ServerApp after every test, including the fake
    API tests that never use one.)"""
    yield
    if "jp_serverapp" not in request.fixturenames:
        return
    from jupyter_server.serverapp import ServerApp

    loop = request.getfixturevalue("jp_asyncio_loop")
    app = ServerApp.instance()
    try:
        loop.run_until_complete(app._cleanup())
    except (RuntimeError, SystemExit) as exc:  # pragma: no cover
        print("ignoring cleanup error", exc)
    if hasattr(app, "kernel_manager"):
        app.kernel_manager.context.destroy()
    ServerApp.clear_instance()


@pytest.fixture(scope="session")
def fake_github() -> Iterator[str]:
    fake = _load_fake_module()
    server, base_url = fake.start_fake_github(port=0, slow_seconds=3)
    yield str(base_url)
    server.shutdown()
    server.server_close()


@pytest.fixture
def isolated_home(jp_home_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME (pytest-jupyter's) and XDG dirs in temp folders; no system git config."""
    xdg = tmp_path / "xdg_config"
    xdg.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("IPYTHONDIR", str(Path(jp_home_dir) / ".ipython"))
    for name in ("GITHUB_TOKEN", "GH_TOKEN", "GIT_CONFIG_COUNT", "GIT_ASKPASS", "SSH_ASKPASS"):
        monkeypatch.delenv(name, raising=False)
    return xdg


@pytest.fixture
def jp_server_config(fake_github: str, isolated_home: Path) -> dict[str, Any]:
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_github_token": True}},
        "GitHubTokenExtension": {"allowed_api_base_urls": [fake_github]},
    }


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every log record at DEBUG and above, from the test's start."""
    caplog.set_level(logging.DEBUG)
    return caplog
