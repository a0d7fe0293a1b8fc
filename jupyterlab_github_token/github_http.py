"""One GET of a GitHub API path with a token: the proxy (``handlers.GitHubProxyHandler``) and
the server's own check (``github_check.check_token``) both send it this way.

SECURITY: the token goes only into the Authorization header of this one request. Redirects
are not followed (the header is never resent elsewhere), and a dedicated simple client is
used (a globally configured curl client logs request headers at debug level). Network
failures are reported by kind only: their exceptions may quote the request.
"""

from __future__ import annotations

from dataclasses import dataclass

from tornado.httpclient import HTTPRequest
from tornado.simple_httpclient import HTTPTimeoutError, SimpleAsyncHTTPClient

from . import __version__

#: The GitHub REST API version asked for.
API_VERSION = "2022-11-28"


@dataclass(frozen=True)
class GitHubResponse:
    """GitHub's answer: status code, headers (lower-case names, repeated ones joined) and body."""

    code: int
    headers: dict[str, str]
    body: bytes


class GitHubUnreachable(Exception):
    """No answer: the request timed out (``timeout``) or could not be sent (DNS, TLS, refused)."""

    def __init__(self, timeout: bool) -> None:
        super().__init__("timeout" if timeout else "unreachable")
        self.timeout = timeout


def request_for(api_base_url: str, path: str, token: str, timeout: float) -> HTTPRequest:
    """The request for ``GET {api_base_url}{path}`` (``path`` starts with ``/``)."""
    return HTTPRequest(
        api_base_url.rstrip("/") + path,
        method="GET",
        headers={
            "Authorization": f"token {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": f"jupyterlab-github-token/{__version__}",
        },
        connect_timeout=timeout,
        request_timeout=timeout,
        follow_redirects=False,
        decompress_response=True,
    )


async def github_get(api_base_url: str, path: str, token: str, timeout: float) -> GitHubResponse:
    """``GET {api_base_url}{path}`` with ``token``; raises ``GitHubUnreachable`` without an answer."""
    request = request_for(api_base_url, path, token, timeout)
    try:
        client = SimpleAsyncHTTPClient(force_instance=True)
        try:
            response = await client.fetch(request, raise_error=False)
        finally:
            client.close()
    except HTTPTimeoutError:
        raise GitHubUnreachable(True) from None
    except Exception:  # DNS, refused connection, TLS... (not chained: it may quote the request)
        raise GitHubUnreachable(False) from None
    if response.code == 599:
        raise GitHubUnreachable(isinstance(response.error, HTTPTimeoutError))
    headers = {name.lower(): ", ".join(response.headers.get_list(name)) for name in response.headers}
    return GitHubResponse(response.code, headers, response.body or b"")
