"""The environment given to kernels and terminals started while a token is held for them.

Git is configured ONLY through an environment variable (``GIT_CONFIG_PARAMETERS``,
the one ``git -c`` uses, in the ``'key'='value'`` form of git >= 2.31): no file is
written. For the git host the held token is bound to, the credential helper list
is reset and replaced by a tiny shell helper that reads the token from the FIRST
configured variable when git runs it; the token itself is never part of the
configuration.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from .policy import API_BASE_URL_POLICY
from .token_store import SAFE_ENV_NAME, TokenVault

_GHE_COM = re.compile(r"api\.([a-z0-9-]+)\.ghe\.com")
_DEFAULT_PORTS = {"https": 443, "http": 80}
_REFUSED_CHARACTERS = re.compile(API_BASE_URL_POLICY["refusedCharacters"])


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` is this machine, by the policy: a name in its loopbackNames,
    any IPv4 address in 127.0.0.0/8, or ::1 (bracketed or not); case-insensitive.
    The page's ``isLoopbackHost`` (src/github/apiBaseUrl.ts) is the same rule."""
    name = (host or "").lower()
    if name in API_BASE_URL_POLICY["loopbackNames"]:
        return True
    bracketed = name.startswith("[") and name.endswith("]")
    try:
        address = ipaddress.ip_address(name[1:-1] if bracketed else name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        # ::1 itself: not an IPv4-mapped form, whatever the Python version thinks.
        return int(address) == 1 and not address.scope_id
    return not bracketed and address.is_loopback


def normalize_api_base_url(url: object) -> str:
    """``scheme://host[:port][/path]``: scheme and host lower-cased, a default port
    and trailing slashes dropped, as the page's ``normalizeApiBaseUrl``.

    Raises ``ValueError`` (whose message may quote ``url``) when it is not an
    https URL, or an http URL on a loopback host, without credentials, query or
    fragment, of at most the policy's maximum length.
    """
    if not isinstance(url, str) or not url or len(url) > API_BASE_URL_POLICY["maxLength"]:
        raise ValueError("the API base URL must be a non-empty string")
    if _REFUSED_CHARACTERS.search(url.strip()):
        raise ValueError("the API base URL must not contain a backslash or whitespace")
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in API_BASE_URL_POLICY["schemes"] or not parts.hostname:
        raise ValueError("the API base URL must be an http(s) URL")
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        raise ValueError("the API base URL must not contain credentials, a query or a fragment")
    if scheme != "https" and not is_loopback_host(parts.hostname):
        raise ValueError("the API base URL must use https (http only on a loopback address)")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError("the API base URL has an invalid port") from exc
    host = parts.hostname.lower()
    if ":" in host:
        try:
            # The form URL parsers give (and the page sees): compressed.
            host = f"[{ipaddress.IPv6Address(host).compressed}]"
        except ValueError as exc:
            raise ValueError("the API base URL has an invalid IPv6 address") from exc
    netloc = host if port is None or port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
    path = parts.path.rstrip("/")
    return f"{scheme}://{netloc}{path}"


def git_origin_for_api_base(api_base_url: str) -> str | None:
    """The git origin served by a GitHub API base URL, or ``None``.

    ``https://api.github.com`` -> ``https://github.com``;
    ``https://api.SUB.ghe.com`` -> ``https://SUB.ghe.com``;
    ``https://HOST/api/v3`` -> ``https://HOST``;
    ``http(s)://127.0.0.1:PORT[/prefix]`` (loopback, for tests) -> the same origin.
    """
    try:
        normalized = normalize_api_base_url(api_base_url)
    except ValueError:
        return None
    parts = urlsplit(normalized)
    origin = f"{parts.scheme}://{parts.netloc}"
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and host == "api.github.com" and not parts.path:
        return "https://github.com"
    match = _GHE_COM.fullmatch(host)
    if parts.scheme == "https" and match and not parts.path:
        return f"https://{match.group(1)}.ghe.com"
    if parts.path == "/api/v3":
        return origin
    if is_loopback_host(host):
        return origin
    return None


def git_hosts_for(api_base_urls: Iterable[str]) -> list[str]:
    """Distinct git origins for the allowed API base URLs, in order."""
    hosts: list[str] = []
    for url in api_base_urls:
        origin = git_origin_for_api_base(url)
        if origin and origin not in hosts:
            hosts.append(origin)
    return hosts


def credential_helper(variable: str) -> str:
    """A git shell credential helper answering ``get`` from ``$variable`` at run time."""
    if not SAFE_ENV_NAME.fullmatch(variable):
        raise ValueError("invalid environment variable name")
    return (
        f'!f() {{ if [ "$1" = get ] && [ -n "${{{variable}}}" ]; then '
        f"echo username=x-access-token; printf 'password=%s\\n' \"${{{variable}}}\"; fi; }}; f"
    )


def sq_quote(text: str) -> str:
    """``text`` single-quoted the way git's GIT_CONFIG_PARAMETERS parser reads it."""
    return "'" + text.replace("'", "'\\''") + "'"


def git_config_env(variable: str, git_hosts: Iterable[str], base_env: Mapping[str, str]) -> dict[str, str]:
    """``GIT_CONFIG_PARAMETERS`` with our entries appended after those in ``base_env``.

    git reads files, then ``GIT_CONFIG_COUNT`` entries, then ``GIT_CONFIG_PARAMETERS``
    (measured with git 2.39): appended there, our empty ``helper`` (which clears the
    helper list collected so far, as ``gh auth setup-git`` does) comes after every
    inherited helper, so an inherited ``credential.helper=store`` never sees the token.
    A kernelspec's ``GIT_CONFIG_COUNT`` does not touch this variable either.
    """
    entries = []
    helper = credential_helper(variable)
    for origin in git_hosts:
        entries.append((f"credential.{origin}.helper", ""))
        entries.append((f"credential.{origin}.helper", helper))
        entries.append((f"credential.{origin}.useHttpPath", "false"))
    if not entries:
        return {}
    ours = " ".join(f"{sq_quote(key)}={sq_quote(value)}" for key, value in entries)
    inherited = str(base_env.get("GIT_CONFIG_PARAMETERS") or "").strip()
    return {"GIT_CONFIG_PARAMETERS": f"{inherited} {ours}" if inherited else ours}


def bound_env(
    bound: tuple[str, list[str], list[str]] | None,
    base_env: Mapping[str, str],
    git_hosts: Iterable[str] | None = None,
) -> dict[str, str]:
    """The variables to ADD to ``base_env`` for ``bound`` = ``(token, variables, git_hosts)``.

    Empty for ``None``. Otherwise each variable set to the token, plus the git
    configuration for ``git_hosts`` (default: the origins the token is bound to).
    """
    if bound is None:
        return {}
    token, variables, bound_hosts = bound
    env = dict.fromkeys(variables, token)
    hosts = bound_hosts if git_hosts is None else list(git_hosts)
    env.update(git_config_env(variables[0], hosts, base_env))
    return env


def token_env(
    vault: TokenVault,
    base_env: Mapping[str, str],
    git_hosts: Iterable[str] | None = None,
) -> dict[str, str]:
    """The variables to ADD to ``base_env`` for a process started now: those of the
    entry held for new kernels and terminals (empty when there is none).
    Use as ``env = {**base_env, **token_env(vault, base_env)}``.
    """
    return bound_env(vault.bound_snapshot(), base_env, git_hosts)
