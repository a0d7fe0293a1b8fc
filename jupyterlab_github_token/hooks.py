"""Give the token's environment to kernels and terminals started while one is held for them.

The vault's entry for new kernels (``TokenVault.for_new_kernels``) is the one given;
each kernel and terminal is recorded with the API base URL of the token it got, so
that forgetting one URL's token names (and scrubs) only those.

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
Kernels the page put a token into itself (``POST kernels``) are recorded too,
with nothing to restore in their launch environment.

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

from .environment import bound_env
from .token_store import TokenVault

_WRAPPED = "_jupyterlab_github_token_wrapped"
_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrackedKernel:
    """What giving one kernel a token changed in its environment."""

    # Each added variable -> the value it replaced in the launch env (None: it was absent),
    # so that forget can put the launch env back as it was. Empty for a kernel the page
    # wrote to (its launch env never had the token).
    restore: dict[str, str | None]
    # Added variables that the kernelspec's own env replaced (see kernelspec_env_keys).
    clashes: list[str] = field(default_factory=list)
    # The API base URL of the token it got (None: unknown).
    api_base_url: str | None = None
    # The token's variables it got (what clearing, and a report after Forget, name).
    variables: list[str] = field(default_factory=list)


class KernelTracker:
    """Kernels that got a token: per API base URL what was added, and what clashed.

    One kernel may have got several URLs' tokens (one at start, others from the page):
    forgetting one URL's token lists the kernel and restores only what that token changed.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # kernel id -> {API base URL (None: unknown) -> restore}
        self._kernels: dict[str, dict[str | None, dict[str, str | None]]] = {}
        # kernel id -> {API base URL -> the token's variables it got}
        self._variables: dict[str, dict[str | None, list[str]]] = {}
        self._clashes: dict[str, list[str]] = {}

    def add(
        self,
        kernel_id: str,
        restore: dict[str, str | None],
        clashes: list[str] | None = None,
        api_base_url: str | None = None,
        variables: list[str] | None = None,
    ) -> None:
        """A kernel started with a token (its launch env got ``restore``'s keys, ``variables``
        the token's names among them)."""
        with self._lock:
            self._kernels.setdefault(kernel_id, {})[api_base_url] = dict(restore)
            self._add_variables(kernel_id, api_base_url, variables or [])
            if clashes:
                self._clashes[kernel_id] = list(clashes)

    def record(self, kernel_id: str, api_base_url: str | None, variables: list[str] | None = None) -> None:
        """A running kernel the page gave the URL's token to (in ``variables``): listed by
        forget, launch env untouched."""
        with self._lock:
            self._kernels.setdefault(kernel_id, {}).setdefault(api_base_url, {})
            self._add_variables(kernel_id, api_base_url, variables or [])

    def _add_variables(self, kernel_id: str, api_base_url: str | None, variables: list[str]) -> None:
        """Lock held. Names add up: the page may have put the token in under other names too."""
        known = self._variables.setdefault(kernel_id, {}).setdefault(api_base_url, [])
        known.extend(name for name in variables if name not in known)

    def variables(self, kernel_id: str) -> list[str]:
        """The token variables the kernel got, from every URL's token."""
        with self._lock:
            by_url = self._variables.get(kernel_id, {})
            return list(dict.fromkeys(name for names in by_url.values() for name in names))

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._kernels)

    def clashes(self) -> dict[str, list[str]]:
        """Kernel id -> variables its kernelspec set over ours (only kernels with some)."""
        with self._lock:
            return {k: list(v) for k, v in self._clashes.items() if k in self._kernels}

    def pop(self, api_base_url: str | None = None) -> dict[str, TrackedKernel]:
        """Stop tracking what the URL's token (``None``: every token, and unknown ones) gave;
        return the kernels concerned with what to restore in each one's launch env."""
        popped: dict[str, TrackedKernel] = {}
        with self._lock:
            for kernel_id, by_url in list(self._kernels.items()):
                urls = [url for url in by_url if api_base_url is None or url in (api_base_url, None)]
                if not urls:
                    continue
                restore: dict[str, str | None] = {}
                names: list[str] = []
                variables = self._variables.get(kernel_id, {})
                for url in urls:
                    restore.update(by_url.pop(url))
                    names.extend(name for name in variables.pop(url, []) if name not in names)
                popped[kernel_id] = TrackedKernel(restore, list(self._clashes.get(kernel_id, [])), api_base_url, names)
                if not by_url:
                    del self._kernels[kernel_id]
                    self._variables.pop(kernel_id, None)
                    self._clashes.pop(kernel_id, None)
            return popped


class TerminalTracker:
    """Terminals started with a token, and whose (weakly: a closed one goes away)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._terms: weakref.WeakKeyDictionary[Any, str | None] = weakref.WeakKeyDictionary()

    def add(self, term: Any, api_base_url: str | None = None) -> None:
        with self._lock:
            self._terms[term] = api_base_url

    def running(self, terminal_manager: Any, api_base_url: str | None = None) -> list[str]:
        """Names of the running terminals started with a token (``api_base_url``: that URL's)."""
        return [name for name, _ in self.running_terms(terminal_manager, api_base_url)]

    def running_terms(self, terminal_manager: Any, api_base_url: str | None = None) -> list[tuple[str, Any]]:
        """``(name, terminal)`` of the running terminals started with a token (that URL's)."""
        with self._lock:
            return [
                (name, term)
                for name, term in running_terminals(terminal_manager)
                if term in self._terms and (api_base_url is None or self._terms[term] in (api_base_url, None))
            ]

    def clear(self, api_base_url: str | None = None) -> None:
        """Stop tracking the URL's terminals (``None``: all)."""
        with self._lock:
            if api_base_url is None:
                self._terms = weakref.WeakKeyDictionary()
                return
            for term, url in list(self._terms.items()):
                if url in (api_base_url, None):
                    del self._terms[term]


def running_terminals(terminal_manager: Any) -> list[tuple[str, Any]]:
    """``(name, terminal)`` of every running terminal (none without a terminal manager)."""
    terminals = getattr(terminal_manager, "terminals", None) or {}
    return list(terminals.items())


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
    vault: TokenVault,
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
        # One snapshot: the token and its URL belong together even if the vault changes now.
        entry = None if existing else vault.for_new_kernels()
        if entry is not None:
            base = kwargs.get("env")
            env = dict(base) if isinstance(base, dict) else dict(os.environ)
            added = bound_env(entry.bound(), env)
            restore = {key: env.get(key) for key in added}
            env.update(added)
            kwargs["env"] = env
            spec_keys = set(kernelspec_env_keys(kernel_manager, kwargs.get("kernel_name")))
            clashes = sorted(key for key in added if key in spec_keys)
        new_id = cast(str, await ensure_async(original(*args, **kwargs)))
        if added and entry is not None:
            tracker.add(new_id, restore, clashes, entry.api_base_url, list(entry.variables))
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


def install_terminal_hook(terminal_manager: Any, vault: TokenVault, tracker: TerminalTracker | None = None) -> bool:
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
        entry = vault.for_new_kernels()
        added = bound_env(None if entry is None else entry.bound(), env)
        env.update(added)
        given.url = entry.api_base_url if added and entry is not None else None
        given.token = bool(added)
        return env

    terminal_manager.make_term_env = make_term_env
    original_new = getattr(terminal_manager, "new_terminal", None)
    if tracker is not None and original_new is not None:

        def new_terminal(*args: Any, **kwargs: Any) -> Any:
            given.token = False
            given.url = None
            term = original_new(*args, **kwargs)
            if given.token:
                tracker.add(term, given.url)
            return term

        terminal_manager.new_terminal = new_terminal
    setattr(terminal_manager, _WRAPPED, True)
    return True
