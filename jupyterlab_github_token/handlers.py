"""REST API v2 under ``{base_url}jupyterlab-github-token/`` (routes relative to the base URL).

``status``, ``token`` (PUT holds, PATCH changes options, DELETE forgets), ``token/reveal``,
``kernels`` (the page reports a kernel it gave a token to) and ``github`` (the proxy).

SECURITY: request bodies are parsed here without logging (jupyter_server's
``get_json_body`` logs unparsable bodies at debug level), no response but
``token/reveal`` contains a token, and error messages are scrubbed of them.
"""

from __future__ import annotations

import json
import re
from typing import Any

import tornado.web
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from .environment import normalize_api_base_url
from .github_http import GitHubUnreachable, github_get
from .hooks import running_kernel_ids, scrub_launch_env
from .keychain import KeychainError
from .state import KeychainUnavailable, LastForget, ServerState, git_hosts_of, server_state
from .token_store import HeldToken, TokenValidationError, validate_env_names, validate_flag, validate_token

NAMESPACE = "jupyterlab-github-token"

_REPO_PATH = re.compile(r"/repos/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)")
_ALLOWED_PATHS = ("/user", "/rate_limit")
MAX_BODY = 64 * 1024


def allowed_path(path: object) -> bool:
    """``/user``, ``/rate_limit`` or ``/repos/{owner}/{repo}`` (no ``.``/``..`` segments)."""
    if not isinstance(path, str):
        return False
    if path in _ALLOWED_PATHS:
        return True
    match = _REPO_PATH.fullmatch(path)
    return match is not None and all(set(part) != {"."} for part in match.groups())


class _Base(APIHandler):
    # The token reaches kernels: the same permission as starting kernels
    # (read for status, write for changes), under any Authorizer (e.g. JupyterHub roles).
    auth_resource = "kernels"

    @property
    def state(self) -> ServerState:
        return server_state(self.settings)

    def _reply(self, status: int, body: dict[str, Any] | None = None) -> None:
        self.set_status(status)
        self.set_header("Cache-Control", "no-store")
        if body is None:
            self.finish()
            return
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    def _fail(self, status: int, message: str, **extra: Any) -> None:
        body = {"message": self.state.vault.scrub(message)}
        body.update(extra)
        self._reply(status, body)

    def _invalid(self, exc: TokenValidationError, candidate: object = None) -> None:
        # The messages never contain a token; scrub anyway (the candidate token too).
        message = exc.message
        if isinstance(candidate, str) and candidate and candidate in message:
            message = message.replace(candidate, "[token]")
        self._fail(400, message, reason=exc.reason)

    def _require_execute(self) -> None:
        # A token that reaches kernels, or the token itself: whoever may not execute
        # code in kernels must not choose or read it (write alone lets one start kernels).
        if not self.authorizer.is_authorized(self, self.current_user, "execute", "kernels"):
            raise tornado.web.HTTPError(403, "Executing code in kernels is not permitted.")

    def _body(self) -> dict[str, Any] | None:
        """The JSON object body, or None (after answering 400). Never logs the body."""
        raw = self.request.body or b""
        if len(raw) > MAX_BODY:
            self._fail(413, "The request body is too large.")
            return None
        try:
            data = json.loads(raw.decode("utf-8")) if raw.strip() else None
        except (ValueError, UnicodeDecodeError, RecursionError):  # deep nesting: 400, not 500
            self._fail(400, "The request body must be a JSON object.")
            return None
        if not isinstance(data, dict):
            self._fail(400, "The request body must be a JSON object.")
            return None
        return data

    def _base(self, value: object) -> str | None:
        """The normalised API base URL, or None (after answering 400)."""
        try:
            return normalize_api_base_url(value)
        except ValueError:
            self._fail(400, "apiBaseUrl must be an https URL.")
            return None

    def _allowed_base(self, value: object) -> str | None:
        """The normalised API base URL if allowed, or None (after answering 400/403)."""
        base = self._base(value)
        if base is None:
            return None
        if base not in list(self.state.config.allowed_api_base_urls):
            self._fail(
                403,
                f"{base} is not in the allowed GitHub API base URLs; an administrator can add it "
                "with c.GitHubTokenExtension.allowed_api_base_urls",
            )
            return None
        return base

    def _terminal_manager(self) -> Any:
        return self.settings.get("terminal_manager")

    def status_model(self) -> dict[str, Any]:
        """``IServerStatus``: never a token (masked only)."""
        state = self.state
        running = set(running_kernel_ids(self.kernel_manager))
        clashes = state.kernels.clashes()
        keychain = state.keychain_status()
        return {
            "version": 2,
            "tokens": [entry.to_status() for entry in state.vault.entries()],
            "allowedApiBaseUrls": list(state.config.allowed_api_base_urls),
            "keychain": {
                "enabled": keychain.enabled,
                "available": keychain.available,
                "backend": keychain.backend,
                "reason": keychain.reason,
            },
            "kernels": [k for k in state.kernels.ids() if k in running],
            # Running kernels whose kernelspec env replaced some of the token's variables.
            "kernelClashes": [{"id": k, "variables": v} for k, v in clashes.items() if k in running],
            "terminals": state.terminals.running(self._terminal_manager()),
            # What the most recent Forget (in any tab) left running with the forgotten token.
            "lastForget": None
            if state.last_forget is None
            else state.last_forget.to_status(running, self._terminal_manager()),
        }


class StatusHandler(_Base):
    @tornado.web.authenticated
    @authorized
    def get(self) -> None:
        self._reply(200, self.status_model())


class TokenHandler(_Base):
    @tornado.web.authenticated
    @authorized
    async def put(self) -> None:
        """Hold a (page-verified) token for its API base URL."""
        self._require_execute()
        data = self._body()
        if data is None:
            return
        state = self.state
        base = self._allowed_base(data.get("apiBaseUrl"))
        if base is None:
            return
        try:
            remember = bool(validate_flag(data.get("remember"), "remember"))
            for_new_kernels = validate_flag(data.get("forNewKernels"), "forNewKernels")
            entry = HeldToken.create(
                base,
                data.get("token"),
                data.get("variables"),
                login=data.get("login"),
                expires_at=data.get("expiresAt"),
                scopes=data.get("scopes"),
                git_hosts=git_hosts_of(base),
                for_new_kernels=for_new_kernels,
            )
        except TokenValidationError as exc:
            self._invalid(exc, data.get("token"))
            return
        # Terminals: make sure the hook is in place even if jupyter_server_terminals
        # was loaded after this extension.
        state.hook_terminals(self._terminal_manager())
        _, warning = await state.hold(entry, keep_for_new_kernels=for_new_kernels is None, remember=remember)
        self.log.info("GitHub token held in server memory for %s", base)
        model = self.status_model()
        if warning:
            model["warning"] = state.vault.scrub(warning)
        self._reply(200, model)

    @tornado.web.authenticated
    @authorized
    async def patch(self) -> None:
        """Turn "for new kernels and terminals" or "remember" on or off."""
        data = self._body()
        if data is None:
            return
        base = self._base(data.get("apiBaseUrl"))
        if base is None:
            return
        try:
            for_new_kernels = validate_flag(data.get("forNewKernels"), "forNewKernels")
            remember = validate_flag(data.get("remember"), "remember")
        except TokenValidationError as exc:
            self._invalid(exc)
            return
        if for_new_kernels or remember:
            # Remembering keeps the token for later kernels (and the next start): the same as setting it.
            self._require_execute()
        state = self.state
        if state.vault.get(base) is None:
            self._fail(404, f"No token is held for {base}.")
            return
        state.hook_terminals(self._terminal_manager())
        try:
            changed = await state.change(base, for_new_kernels=for_new_kernels, remember=remember)
        except KeychainUnavailable as exc:
            self._fail(409, str(exc), reason="keychain-unavailable")
            return
        except KeychainError as exc:
            self._fail(409, str(exc), reason="keychain-failed")
            return
        if changed is None:
            self._fail(404, f"No token is held for {base}.")
            return
        self._reply(200, self.status_model())

    @tornado.web.authenticated
    @authorized
    async def delete(self) -> None:
        """Forget the token of ``?apiBaseUrl=`` (none: every token), in memory and in the keychain."""
        requested = self.get_query_argument("apiBaseUrl", None)
        base = None
        if requested is not None:
            base = self._base(requested)
            if base is None:
                return
        state = self.state
        tracked = state.kernels.pop(base)
        running = set(running_kernel_ids(self.kernel_manager))
        still = [k for k in tracked if k in running]
        for kernel_id in still:
            scrub_launch_env(self.kernel_manager, kernel_id, tracked[kernel_id].restore)
        terms = state.terminals.running_terms(self._terminal_manager(), base)
        state.terminals.clear(base)
        removed, keychain_removed, keychain_error = await state.forget(base)
        variables = [name for entry in removed for name in entry.variables]
        variables += [name for kernel_id in still for name in tracked[kernel_id].variables]
        state.forgotten(LastForget(base, still, (term for _, term in terms), variables))
        self.log.info("GitHub token forgotten by the server (%s)", base or "every API base URL")
        model = self.status_model()
        model["stillRunning"] = still
        # A terminal's environment cannot be changed from outside: it keeps the token until it exits.
        model["stillRunningTerminals"] = [name for name, _ in terms]
        model["keychainRemoved"] = keychain_removed
        model["keychainError"] = state.vault.scrub(keychain_error)
        self._reply(200, model)


class RevealHandler(_Base):
    """The held token itself, for one delivery by the page (which drops it after).

    POST (not GET) so that jupyter_server's XSRF check applies to cookie-authenticated
    requests; needs the permission to execute code in kernels. Never logged.
    """

    @tornado.web.authenticated
    @authorized
    def post(self) -> None:
        self._require_execute()
        data = self._body()
        if data is None:
            return
        base = self._base(data.get("apiBaseUrl"))
        if base is None:
            return
        entry = self.state.vault.get(base)
        if entry is None:
            self._fail(404, f"No token is held for {base}.")
            return
        self._reply(200, {"token": entry.token})


class KernelsHandler(_Base):
    """The page gave a running kernel a token (kernel write, notebook field, leak guard):
    recorded so that Forget, in any tab, lists it."""

    @tornado.web.authenticated
    @authorized
    def post(self) -> None:
        data = self._body()
        if data is None:
            return
        kernel_id = data.get("kernelId")
        base = self._base(data.get("apiBaseUrl"))
        if base is None:
            return
        try:
            variables = validate_env_names(data.get("variables"))
        except TokenValidationError as exc:
            self._invalid(exc)
            return
        if not isinstance(kernel_id, str) or kernel_id not in running_kernel_ids(self.kernel_manager):
            self._fail(404, "No such running kernel.")
            return
        self.state.kernels.record(kernel_id, base, variables)
        self._reply(204)


class GitHubProxyHandler(_Base):
    """Forward one GET to an allowed GitHub API, server-side (no CORS limits on headers)."""

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        data = self._body()
        if data is None:
            return
        config = self.state.config
        base = self._allowed_base(data.get("apiBaseUrl"))
        if base is None:
            return
        path = data.get("path")
        if not isinstance(path, str) or not allowed_path(path):
            self._fail(
                403,
                "Only GET /user, /rate_limit and /repos/{owner}/{repo} can be requested.",
            )
            return
        # Only the caller's own token: the one the server holds is never lent
        # out here (it could go to another allowed host, or to another user).
        try:
            token = validate_token(data.get("token"))
        except TokenValidationError as exc:
            self._fail(400, exc.message, reason=exc.reason)
            return
        try:
            response = await github_get(base, path, token, config.request_timeout)
        except GitHubUnreachable as exc:
            self._network_failure(exc.timeout)
            return
        text = response.body.decode("utf-8", errors="replace")
        try:
            payload: Any = json.loads(text) if text.strip() else None
        except ValueError:
            payload = text
        self._reply(200, {"status": response.code, "headers": response.headers, "data": payload})

    def _network_failure(self, timeout: bool) -> None:
        kind = "timeout" if timeout else "unreachable"
        self._reply(
            502,
            {
                "network": kind,
                "message": "The GitHub API did not answer in time."
                if timeout
                else "The GitHub API could not be reached.",
            },
        )


def handlers() -> list[tuple[str, type[_Base]]]:
    """The routes, relative to the server's base URL (the ExtensionApp prefixes it)."""

    def route(name: str) -> str:
        return url_path_join(NAMESPACE, name)

    return [
        (route("status"), StatusHandler),
        (route("token"), TokenHandler),
        (route("token/reveal"), RevealHandler),
        (route("kernels"), KernelsHandler),
        (route("github"), GitHubProxyHandler),
    ]
