"""JupyterLab GitHub token: guided, verified and safe GitHub token setup for JupyterLab."""

from __future__ import annotations

from typing import Any

try:
    from ._version import __version__
except ImportError:  # pragma: no cover - only when running from a source tree without a build
    __version__ = "dev"

__all__ = ["__version__"]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyterlab-github-token"}]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    # Imported here: importing the package (the token rules, the corpus generator)
    # must not load jupyter_server and tornado.
    from .app import GitHubTokenExtension  # noqa: PLC0415

    return [{"module": "jupyterlab_github_token", "app": GitHubTokenExtension}]
