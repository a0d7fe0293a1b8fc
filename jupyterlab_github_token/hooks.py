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
restarts, so restarting such a kernel does not bring the token back.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Dict, List, Optional

from jupyter_core.utils import ensure_async

from .environment import token_env
from .token_store import TokenStore

_WRAPPED = "_jupyterlab_github_token_wrapped"


class KernelTracker:
    """Ids of kernels started with the token, and the env keys added to each."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # kernel id -> (added keys, GIT_CONFIG_COUNT of the base env or None)
        self._kernels: Dict[str, Any] = {}

    def add(self, kernel_id: str, added_keys: List[str], base_count: Optional[str]) -> None:
        with self._lock:
            self._kernels[kernel_id] = (list(added_keys), base_count)

    def ids(self) -> List[str]:
        with self._lock:
            return list(self._kernels)

    def pop_all(self) -> Dict[str, Any]:
        with self._lock:
            kernels, self._kernels = self._kernels, {}
            return kernels


def running_kernel_ids(kernel_manager: Any) -> List[str]:
    try:
        return list(kernel_manager.list_kernel_ids())
    except Exception:  # pragma: no cover - defensive
        return []


def install_kernel_hook(kernel_manager: Any, store: TokenStore, tracker: KernelTracker) -> bool:
    """Wrap ``kernel_manager.start_kernel``; return False if already wrapped."""
    if getattr(kernel_manager, _WRAPPED, False):
        return False
    original = kernel_manager.start_kernel

    async def start_kernel(*args: Any, **kwargs: Any) -> str:
        kernel_id = kwargs.get("kernel_id")
        existing = kernel_id is not None and kernel_id in kernel_manager
        added: Dict[str, str] = {}
        base_count = None
        if not existing and store.held:
            base = kwargs.get("env")
            env = dict(base) if isinstance(base, dict) else dict(os.environ)
            base_count = env.get("GIT_CONFIG_COUNT")
            added = token_env(store, env)
            env.update(added)
            kwargs["env"] = env
        new_id = await ensure_async(original(*args, **kwargs))
        if added:
            tracker.add(new_id, list(added), base_count)
        return new_id

    kernel_manager.start_kernel = start_kernel
    setattr(kernel_manager, _WRAPPED, True)
    return True


def scrub_launch_env(kernel_manager: Any, kernel_id: str, keys: List[str], base_count) -> None:
    """Remove the token's variables from the env jupyter_client reuses on restart."""
    try:
        km = kernel_manager.get_kernel(kernel_id)
    except KeyError:
        return
    launch_args = getattr(km, "_launch_args", None)
    env = launch_args.get("env") if isinstance(launch_args, dict) else None
    if not isinstance(env, dict):
        return
    for key in keys:
        env.pop(key, None)
    if base_count is not None:
        env["GIT_CONFIG_COUNT"] = base_count


def install_terminal_hook(terminal_manager: Any, store: TokenStore) -> bool:
    """Wrap ``terminal_manager.make_term_env``; return False if absent or already wrapped."""
    if terminal_manager is None or getattr(terminal_manager, _WRAPPED, False):
        return False
    original = getattr(terminal_manager, "make_term_env", None)
    if original is None:
        return False

    def make_term_env(*args: Any, **kwargs: Any) -> Dict[str, str]:
        env = original(*args, **kwargs)
        env.update(token_env(store, env))
        return env

    terminal_manager.make_term_env = make_term_env
    setattr(terminal_manager, _WRAPPED, True)
    return True
