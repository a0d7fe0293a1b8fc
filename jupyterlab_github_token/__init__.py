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

    The token is never handled here yet: the browser holds it in memory and
    writes it to a running kernel itself.
    """
    server_app.log.info("jupyterlab_github_token server extension loaded")
