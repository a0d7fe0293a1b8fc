"""The page's debug-logging check (src/kernel/debugCheck.json) against real ipykernels.

A kernel started with ``--debug`` logs every execute request's content, so a
token sent as code would land in its log. The page evaluates one silent user
expression first and refuses unless it says ``quiet``. Here the exact
expression the page sends is evaluated in real kernels, with and without
debug logging, next to a control proving that the debug kernel's log really
holds what an execute request carried.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager

ROOT = Path(__file__).resolve().parents[2]
CHECK = json.loads((ROOT / "src" / "kernel" / "debugCheck.json").read_text(encoding="utf-8"))
EXPRESSION: str = CHECK["expression"]
KEY = "jupyterlab_github_token_debug"


class RunningKernel:
    """A kernel process whose stdout and stderr (its log) go to a file."""

    def __init__(self, manager: AsyncKernelManager, client: AsyncKernelClient, log: Path) -> None:
        self.manager = manager
        self.client = client
        self.log = log

    async def execute(self, code: str, expressions: dict[str, str] | None = None) -> dict[str, Any]:
        """One silent execute request, as the page sends it; the reply's content."""
        msg_id = self.client.execute(
            code,
            silent=True,
            store_history=False,
            user_expressions=expressions or {},
            allow_stdin=False,
            stop_on_error=False,
        )
        while True:
            reply = await self.client.get_shell_msg(timeout=60)
            if reply["parent_header"].get("msg_id") == msg_id:
                content: dict[str, Any] = reply["content"]
                return content

    async def check(self) -> str:
        """The page's expression, evaluated the way the page evaluates it."""
        content = await self.execute("", {KEY: EXPRESSION})
        assert content["status"] == "ok"
        result = content["user_expressions"][KEY]
        assert result["status"] == "ok", result
        text: str = result["data"]["text/plain"]
        return text

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@asynccontextmanager
async def running_kernel(tmp_path: Path, name: str, arguments: list[str]) -> AsyncIterator[RunningKernel]:
    """A real ipykernel started with ``arguments``, its output going to ``<name>.log``."""
    log = tmp_path / f"{name}.log"
    manager = AsyncKernelManager(kernel_name="python3")
    with log.open("w", encoding="utf-8") as out:
        await manager.start_kernel(stdout=out, stderr=out, extra_arguments=arguments)
    client = manager.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=60)
        yield RunningKernel(manager, client, log)
    finally:
        client.stop_channels()
        await manager.shutdown_kernel(now=True)


def _sentinel() -> str:
    return "ghp_SENTINEL" + secrets.token_hex(12)


def _silent_literal(text: str) -> str:
    """Code carrying ``text`` as a literal, like the page's token-bearing code."""
    return f"try:\n    {text!r}\nexcept:\n    pass"


async def test_debug_kernel_logs_request_content_and_check_says_debug(tmp_path: Path, isolated_home: Path) -> None:
    sentinel = _sentinel()
    async with running_kernel(tmp_path, "debug", ["--debug"]) as kernel:
        # Control: what an execute request carries is in the debug kernel's log.
        assert (await kernel.execute(_silent_literal(sentinel)))["status"] == "ok"
        assert sentinel in kernel.log_text()
        assert await kernel.check() == repr(CHECK["debug"])


async def test_normal_kernel_does_not_log_and_check_says_quiet(tmp_path: Path, isolated_home: Path) -> None:
    sentinel = _sentinel()
    async with running_kernel(tmp_path, "normal", []) as kernel:
        assert (await kernel.execute(_silent_literal(sentinel)))["status"] == "ok"
        assert await kernel.check() == repr(CHECK["quiet"])
        assert sentinel not in kernel.log_text()


async def test_session_debug_kernel_check_says_debug(tmp_path: Path, isolated_home: Path) -> None:
    # jupyter_client's Session.debug pretty-prints every message the kernel
    # receives: the check must catch that too.
    async with running_kernel(tmp_path, "session", ["--Session.debug=True"]) as kernel:
        assert await kernel.check() == repr(CHECK["debug"])


async def test_logging_turned_on_at_run_time_is_seen(tmp_path: Path, isolated_home: Path) -> None:
    # A cell can raise the level after start: the page checks before every
    # token-bearing request, not once per kernel.
    async with running_kernel(tmp_path, "later", []) as kernel:
        assert await kernel.check() == repr(CHECK["quiet"])
        # What --debug does, done from a cell: the kernel log's handler at DEBUG.
        code = "[handler.setLevel(10) for handler in get_ipython().kernel.log.handlers]"
        assert (await kernel.execute(code))["status"] == "ok"
        sentinel = _sentinel()
        assert (await kernel.execute(_silent_literal(sentinel)))["status"] == "ok"
        assert sentinel in kernel.log_text()
        assert await kernel.check() == repr(CHECK["debug"])


async def test_root_logging_at_debug_is_not_the_kernel_log(tmp_path: Path, isolated_home: Path) -> None:
    # logging.basicConfig(level=DEBUG) in a notebook does not make ipykernel's
    # own logger (propagate=False) log messages: no false alarm.
    async with running_kernel(tmp_path, "root", []) as kernel:
        code = "import logging; logging.basicConfig(level=logging.DEBUG)"
        assert (await kernel.execute(code))["status"] == "ok"
        sentinel = _sentinel()
        assert (await kernel.execute(_silent_literal(sentinel)))["status"] == "ok"
        assert sentinel not in kernel.log_text()
        assert await kernel.check() == repr(CHECK["quiet"])


async def test_check_defines_no_name(tmp_path: Path, isolated_home: Path) -> None:
    async with running_kernel(tmp_path, "names", []) as kernel:
        names = {"names": "sorted(get_ipython().user_ns)"}
        before = (await kernel.execute("", names))["user_expressions"]["names"]
        await kernel.check()
        after = (await kernel.execute("", names))["user_expressions"]["names"]
        assert before == after
