"""JupyterLab GitHub token: guided, verified and safe GitHub token setup for JupyterLab."""

try:
    from ._version import __version__
except ImportError:  # pragma: no cover - only when running from a source tree without a build
    __version__ = "dev"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-github-token"}]


def _jupyter_server_extension_points():
    return [{"module": "jupyterlab_github_token"}]


def _load_jupyter_server_extension(server_app):
    """Register the server side of the extension.

    The server can hold one token in memory (never on disk, forgotten when the
    server stops), give it to kernels and terminals started while it is held
    (environment variables plus an environment-only git credential helper for
    the one git host the token was verified for), and
    forward a few read-only GitHub API requests so the browser can read headers
    that CORS hides (such as the token's expiry). Every notebook save the server
    makes has GitHub tokens removed from its saved widget state.
    """
    from .config import GitHubTokenExtension
    from .handlers import SETTINGS_KEY, handlers
    from .hooks import KernelTracker, TerminalTracker, install_kernel_hook, install_terminal_hook
    from .save_guard import make_pre_save_hook
    from .token_store import TokenStore

    config = GitHubTokenExtension(parent=server_app)
    store = TokenStore()
    tracker = KernelTracker()
    terminals = TerminalTracker()
    web_app = server_app.web_app

    install_kernel_hook(server_app.kernel_manager, store, tracker, server_app.log)

    def ensure_terminal_hook():
        return install_terminal_hook(web_app.settings.get("terminal_manager"), store, terminals)

    ensure_terminal_hook()

    contents_manager = getattr(server_app, "contents_manager", None)
    if hasattr(contents_manager, "register_pre_save_hook"):
        contents_manager.register_pre_save_hook(
            make_pre_save_hook(server_app.log, lambda: config.scrub_saved_widget_state)
        )

    web_app.settings[SETTINGS_KEY] = {
        "store": store,
        "tracker": tracker,
        "terminals": terminals,
        "config": config,
        "ensure_terminal_hook": ensure_terminal_hook,
    }
    web_app.add_handlers(".*$", handlers(web_app.settings["base_url"]))
    server_app.log.info(
        "jupyterlab_github_token server extension loaded (API base URLs: %s)",
        ", ".join(config.allowed_api_base_urls),
    )
