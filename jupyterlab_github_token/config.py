"""Administrator settings of the server extension (``c.GitHubTokenExtension.*``)."""

from __future__ import annotations

from traitlets import Bool, Float, List, TraitError, Unicode, validate
from traitlets.config import Configurable

from .environment import normalize_api_base_url


class GitHubTokenExtension(Configurable):
    """Settings of the jupyterlab-github-token server extension."""

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

    @validate("allowed_api_base_urls")
    def _validate_urls(self, proposal):
        out = []
        for url in proposal["value"]:
            try:
                normalized = normalize_api_base_url(url)
            except ValueError as exc:
                raise TraitError(f"GitHubTokenExtension.allowed_api_base_urls: {exc}: {url!r}")
            if normalized not in out:
                out.append(normalized)
        return out

    @validate("request_timeout")
    def _validate_timeout(self, proposal):
        value = proposal["value"]
        if not (0 < value <= 600):
            raise TraitError("GitHubTokenExtension.request_timeout must be in (0, 600] seconds")
        return value
