"""What the server extension keeps while the server runs, shared by its request handlers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .hooks import KernelTracker, TerminalTracker, install_terminal_hook
from .token_store import TokenStore

if TYPE_CHECKING:  # the app imports this module
    from .app import GitHubTokenExtension

# The key of the state in the tornado settings. Not the extension's name: by
# jupyter_server's convention ``settings[name]`` is the ExtensionApp itself.
SETTINGS_KEY = "jupyterlab_github_token_state"


@dataclass
class ServerState:
    """The held token, what was given it, and the administrator's settings."""

    config: GitHubTokenExtension
    store: TokenStore = field(default_factory=TokenStore)
    kernels: KernelTracker = field(default_factory=KernelTracker)
    terminals: TerminalTracker = field(default_factory=TerminalTracker)

    def hook_terminals(self, terminal_manager: Any) -> bool:
        """Give the token to terminals started from now on (idempotent: the terminal
        manager may be created after this extension is loaded)."""
        return install_terminal_hook(terminal_manager, self.store, self.terminals)


def server_state(settings: Mapping[str, Any]) -> ServerState:
    state = settings[SETTINGS_KEY]
    if not isinstance(state, ServerState):  # pragma: no cover - another extension took the key
        raise TypeError(f"settings[{SETTINGS_KEY!r}] is not the jupyterlab_github_token state")
    return state
