"""Give the token's environment to kernels and terminals started while it is held.

* Kernels: ``server_app.kernel_manager.start_kernel`` is wrapped (on the
  instance). It receives ``env=`` from the session manager; when absent (a bare
  ``POST /api/kernels``) a copy of ``os.environ`` is used, as the kernel
  provisioner would.
* Terminals: terminado builds a terminal's environment in
  ``TermManagerBase.make_term_env``; it is wrapped on the terminal manager
  instance created by jupyter_server_terminals.

Running processes never change: a kernel or terminal started before the token was
held does not get it, and one started with it keeps it until it exits. On forget,
the token is also removed from the launch environment jupyter_client keeps for
restarts, so restarting such a kernel does not bring the token back. Both kinds
are tracked so that status and forget can name the ones still running with it.

A kernelspec's ``env`` is applied by jupyter_client's provisioner after ours and
replaces any variable it names: the git configuration goes through
``GIT_CONFIG_PARAMETERS``, which kernelspecs rarely set (unlike ``GIT_CONFIG_COUNT``),
and a kernel whose kernelspec sets one of our variables is reported (status
``kernelClashes`` and a log line with the names only).
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from dataclasses import dataclass, field
from typing import Any, cast

from jupyter_core.utils import ensure_async

from .environment import token_env
from .token_store import TokenStore

_WRAPPED = "_jupyterlab_github_token_wrapped"
_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrackedKernel:
    """What starting one kernel with the token changed in its environment."""

    # Each added variable -> the value it replaced in the launch env (None: it was absent),
    # so that forget can put the launch env back as it was.
    restore: dict[str, str | None]
    # Added variables that the kernelspec's own env replaced (see kernelspec_env_keys).
    clashes: list[str] = field(default_factory=list)


class KernelTracker:
    """Kernels started with the token: what was added to each, and what clashed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kernels: dict[str, TrackedKernel] = {}

    def add(self, kernel_id: str, restore: dict[str, str | None], clashes: list[str] | None = None) -> None:
        with self._lock:
            self._kernels[kernel_id] = TrackedKernel(dict(restore), list(clashes or []))

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._kernels)

    def clashes(self) -> dict[str, list[str]]:
        """Kernel id -> variables its kernelspec set over ours (only kernels with some)."""
        with self._lock:
            return {k: list(kernel.clashes) for k, kernel in self._kernels.items() if kernel.clashes}

    def pop_all(self) -> dict[str, TrackedKernel]:
        with self._lock:
            kernels, self._kernels = self._kernels, {}
            return kernels


class TerminalTracker:
    """Terminals started while the token was held (weakly: a closed one goes away)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._terms: weakref.WeakSet[Any] = weakref.WeakSet()

    def add(self, term: Any) -> None:
        with self._lock:
            self._terms.add(term)

    def running(self, terminal_manager: Any) -> list[str]:
        """Names of the running terminals that were started with the token."""
        terminals = getattr(terminal_manager, "terminals", None) or {}
        with self._lock:
            return [name for name, term in list(terminals.items()) if term in self._terms]

    def clear(self) -> None:
        with self._lock:
            self._terms = weakref.WeakSet()


def running_kernel_ids(kernel_manager: Any) -> list[str]:
    try:
        return list(kernel_manager.list_kernel_ids())
    except Exception:  # pragma: no cover - defensive
        return []


def kernelspec_env_keys(kernel_manager: Any, kernel_name: str | None) -> list[str]:
    """Names the kernelspec's ``env`` sets: jupyter_client's provisioner applies them
    (``pre_launch``) AFTER the ``env`` we pass to ``start_kernel``, so they win."""
    try:
        name = kernel_name or kernel_manager.default_kernel_name
        spec = kernel_manager.kernel_spec_manager.get_kernel_spec(name)
        return [str(key) for key in (getattr(spec, "env", None) or {})]
    except Exception:  # no such kernelspec: jupyter_client reports that itself
        return []


def install_kernel_hook(
    kernel_manager: Any,
    store: TokenStore,
    tracker: KernelTracker,
    log: logging.Logger | None = None,
) -> bool:
    """Wrap ``kernel_manager.start_kernel``; return False if already wrapped."""
    if getattr(kernel_manager, _WRAPPED, False):
        return False
    original = kernel_manager.start_kernel
    logger = log or _LOG

    async def start_kernel(*args: Any, **kwargs: Any) -> str:
        kernel_id = kwargs.get("kernel_id")
        existing = kernel_id is not None and kernel_id in kernel_manager
        added: dict[str, str] = {}
        restore: dict[str, str | None] = {}
        clashes: list[str] = []
        if not existing and store.held:
            base = kwargs.get("env")
            env = dict(base) if isinstance(base, dict) else dict(os.environ)
            added = token_env(store, env)
            restore = {key: env.get(key) for key in added}
            env.update(added)
            kwargs["env"] = env
            spec_keys = set(kernelspec_env_keys(kernel_manager, kwargs.get("kernel_name")))
            clashes = sorted(key for key in added if key in spec_keys)
        new_id = cast(str, await ensure_async(original(*args, **kwargs)))
        if added:
            tracker.add(new_id, restore, clashes)
            if clashes:
                # Names only: the values may be the token.
                logger.warning(
                    "jupyterlab_github_token: the kernelspec of kernel %s sets %s, which "
                    "replaces what the GitHub token gives it (git's credential helper or the "
                    "token's variables are missing in that kernel)",
                    new_id,
                    ", ".join(clashes),
                )
        return new_id

    kernel_manager.start_kernel = start_kernel
    setattr(kernel_manager, _WRAPPED, True)
    return True


def scrub_launch_env(kernel_manager: Any, kernel_id: str, restore: dict[str, str | None]) -> None:
    """Remove the token's variables from the env jupyter_client reuses on restart."""
    try:
        km = kernel_manager.get_kernel(kernel_id)
    except KeyError:
        return
    launch_args = getattr(km, "_launch_args", None)
    env = launch_args.get("env") if isinstance(launch_args, dict) else None
    if not isinstance(env, dict):
        return
    for key, previous in restore.items():
        if previous is None:
            env.pop(key, None)
        else:
            env[key] = previous


def install_terminal_hook(terminal_manager: Any, store: TokenStore, tracker: TerminalTracker | None = None) -> bool:
    """Wrap ``terminal_manager.make_term_env`` (and ``new_terminal``, to track the
    terminals given the token); return False if absent or already wrapped."""
    if terminal_manager is None or getattr(terminal_manager, _WRAPPED, False):
        return False
    original = getattr(terminal_manager, "make_term_env", None)
    if original is None:
        return False
    # new_terminal (used for named and automatic names) calls make_term_env in
    # the same thread: this tells it whether the token was added.
    given = threading.local()

    def make_term_env(*args: Any, **kwargs: Any) -> dict[str, str]:
        env: dict[str, str] = original(*args, **kwargs)
        added = token_env(store, env)
        env.update(added)
        given.token = bool(added)
        return env

    terminal_manager.make_term_env = make_term_env
    original_new = getattr(terminal_manager, "new_terminal", None)
    if tracker is not None and original_new is not None:

        def new_terminal(*args: Any, **kwargs: Any) -> Any:
            given.token = False
            term = original_new(*args, **kwargs)
            if given.token:
                tracker.add(term)
            return term

        terminal_manager.new_terminal = new_terminal
    setattr(terminal_manager, _WRAPPED, True)
    return True
