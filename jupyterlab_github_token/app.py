"""The server extension: the administrator's settings (``c.GitHubTokenExtension.*``) and
what it adds to the server when it is loaded.

The server holds at most one token per allowed GitHub API base URL in memory
(never in a file of ours), and, when the user asks, in the OS keychain, so that
it is back after a restart (read and re-verified once in the background). The one marked
for new kernels goes to kernels and terminals started while it is held
(environment variables plus an environment-only git credential helper for
the one git host the token was verified for). Every page of the server shows
the held tokens and hears of changes through jupyter_server's event bus. It also
forwards a few read-only GitHub API requests so the browser can read headers
that CORS hides (such as the token's expiry). Every notebook save the server
makes has GitHub tokens removed from its saved widget state.
"""

from __future__ import annotations

from jupyter_server.extension.application import ExtensionApp
from tornado.ioloop import IOLoop
from traitlets import Bool, Float, List, TraitError, Unicode, validate
from traitlets.utils.bunch import Bunch

from .environment import normalize_api_base_url
from .events import TokenEvents
from .handlers import handlers
from .hooks import install_kernel_hook
from .keychain import Keychain
from .save_guard import make_pre_save_hook
from .state import SETTINGS_KEY, ServerState


class GitHubTokenExtension(ExtensionApp):
    """Settings of the jupyterlab-github-token server extension."""

    name = "jupyterlab_github_token"
    description = "Guided, verified and safe GitHub token setup for JupyterLab"

    allowed_api_base_urls = List(
        Unicode(),
        default_value=["https://api.github.com"],
        config=True,
        help=(
            "GitHub API base URLs the server may contact on the user's behalf, and whose git "
            "hosts get the token's credential helper (https://api.github.com -> github.com, "
            "https://HOST/api/v3 -> HOST, https://api.SUB.ghe.com -> SUB.ghe.com). https only, "
            "except http on a loopback address (tests)."
        ),
    )

    request_timeout = Float(
        15.0,
        config=True,
        help="Seconds before a request to the GitHub API is abandoned (502 'timeout').",
    )

    scrub_saved_widget_state = Bool(
        True,
        config=True,
        help=(
            "Remove GitHub tokens from a notebook's saved ipywidgets state (metadata.widgets) "
            "on every save the server makes, including real-time collaboration and other "
            "clients of the contents API. Tokens elsewhere in a notebook are logged "
            "(count and path only), not removed."
        ),
    )

    keychain = Bool(
        True,
        config=True,
        help=(
            "Let users remember a token in the OS keychain (macOS Keychain, Windows Credential "
            "Locker, the freedesktop Secret Service), through the Python keyring package, so that "
            "it is back after a server restart. Only those secure backends are ever used; False "
            "keeps every token in server memory only."
        ),
    )

    @validate("allowed_api_base_urls")
    def _validate_urls(self, proposal: Bunch) -> list[str]:
        out: list[str] = []
        for url in proposal["value"]:
            try:
                normalized = normalize_api_base_url(url)
            except ValueError as exc:
                raise TraitError(f"GitHubTokenExtension.allowed_api_base_urls: {exc}: {url!r}") from exc
            if normalized not in out:
                out.append(normalized)
        return out

    @validate("request_timeout")
    def _validate_timeout(self, proposal: Bunch) -> float:
        value = float(proposal["value"])
        if not (0 < value <= 600):
            raise TraitError("GitHubTokenExtension.request_timeout must be in (0, 600] seconds")
        return value

    def initialize_settings(self) -> None:
        # Linking applies the administrator's settings; when they are invalid it fails,
        # and the server still loads the extension: refuse, rather than run on defaults.
        if not self._linked:
            raise RuntimeError("jupyterlab_github_token: the settings of GitHubTokenExtension are invalid")
        serverapp = self.serverapp
        assert serverapp is not None
        events = TokenEvents(getattr(serverapp, "event_logger", None))
        events.register()
        state = ServerState(
            config=self,
            keychain=Keychain.detect(enabled=self.keychain),
            events=events,
            log=serverapp.log,
        )
        install_kernel_hook(serverapp.kernel_manager, state.vault, state.kernels, serverapp.log)
        # Also called by PUT token, in case jupyter_server_terminals is loaded after us.
        state.hook_terminals(serverapp.web_app.settings.get("terminal_manager"))
        contents_manager = getattr(serverapp, "contents_manager", None)
        if contents_manager is not None and hasattr(contents_manager, "register_pre_save_hook"):
            contents_manager.register_pre_save_hook(
                make_pre_save_hook(serverapp.log, lambda: self.scrub_saved_widget_state)
            )
        self.settings[SETTINGS_KEY] = state
        # Remembered tokens come back once the server runs: a slow or locked Secret Service
        # must not delay its start. Then each is checked (a request to GitHub), and the
        # events tell pages opened meanwhile.
        IOLoop.current().add_callback(state.restore_and_check, list(self.allowed_api_base_urls))

    def initialize_handlers(self) -> None:
        self.handlers.extend(handlers())
        assert self.serverapp is not None
        self.serverapp.log.info(
            "jupyterlab_github_token server extension loaded (API base URLs: %s)",
            ", ".join(self.allowed_api_base_urls),
        )
