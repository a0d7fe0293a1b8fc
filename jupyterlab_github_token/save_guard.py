"""Server-side save guard: no GitHub token in a notebook's saved widget state.

The JupyterLab extension scrubs the saved ipywidgets state before the page
saves a notebook, and asks before saving a token anywhere else. Saves that do
not come from that page (real-time collaboration, where the server writes the
shared document itself; other clients of the contents API; scripts) never pass
through it. This pre-save hook covers them for the part that is never meant to
be saved: every token inside ``metadata.widgets`` is removed before the file is
written (a Password widget's value is a secret the user never sees in the
file). Tokens elsewhere in the notebook are counted and logged, without the
token, but left in place: the server cannot tell an accident from a save the
user confirmed in the page.

The token rule is the page's (``src/tokenScan.ts``): a whole run of
``[A-Za-z0-9_]`` characters that is ``gh[pousr]_`` plus at least 36 letters or
digits, or ``github_pat_`` plus at least 22 letters, digits or underscores, at
most 255 characters. Linear time whatever the input.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Tuple

WIDGETS_KEY = "widgets"

_WORD = re.compile(r"[A-Za-z0-9_]+")
# Every token starts with one of these: text without them needs no word scan
# (base64 images, the bulk of a large notebook, have long runs of word characters).
_TOKEN_PREFIX = re.compile(r"gh[pousr]_|github_pat_")
_PREFIXED_TOKEN = re.compile(r"gh[pousr]_[A-Za-z0-9]{36,}")
_FINE_GRAINED_TOKEN = re.compile(r"github_pat_[A-Za-z0-9_]{22,}")
_MIN_TOKEN_LENGTH = 33
_MAX_TOKEN_LENGTH = 255


def _is_token(word: str) -> bool:
    return (
        _MIN_TOKEN_LENGTH <= len(word) <= _MAX_TOKEN_LENGTH
        and word[0] == "g"
        and (
            _PREFIXED_TOKEN.fullmatch(word) is not None
            or _FINE_GRAINED_TOKEN.fullmatch(word) is not None
        )
    )


def find_tokens(text: object) -> List[str]:
    """Every GitHub token in ``text``, in order (``[]`` for a non-string)."""
    if not isinstance(text, str) or _TOKEN_PREFIX.search(text) is None:
        return []
    return [m.group(0) for m in _WORD.finditer(text) if _is_token(m.group(0))]


def remove_tokens(text: str) -> Tuple[str, int]:
    """``text`` with every token removed, and how many were removed."""
    if _TOKEN_PREFIX.search(text) is None:
        return text, 0
    count = 0

    def replace(match: "re.Match[str]") -> str:
        nonlocal count
        if _is_token(match.group(0)):
            count += 1
            return ""
        return match.group(0)

    return _WORD.sub(replace, text), count


def _map_strings(value: Any, fn: Callable[[str], str]) -> Any:
    """A copy of the JSON ``value`` with ``fn`` applied to every string and key."""
    # Iterative, so a deeply nested state cannot exhaust the recursion limit.
    root: List[Any] = [None]
    stack: List[Tuple[Any, Any, Any]] = [(value, root, 0)]
    while stack:
        item, parent, key = stack.pop()
        if isinstance(item, str):
            parent[key] = fn(item)
        elif isinstance(item, dict):
            copy: Dict[Any, Any] = {}
            parent[key] = copy
            for k, v in item.items():
                new_key = fn(k) if isinstance(k, str) else k
                copy[new_key] = None
                stack.append((v, copy, new_key))
        elif isinstance(item, (list, tuple)):
            items: List[Any] = [None] * len(item)
            parent[key] = items
            for i, v in enumerate(item):
                stack.append((v, items, i))
        else:
            parent[key] = item
    return root[0]


def count_tokens(value: Any) -> int:
    """How many tokens the strings (and keys) of the JSON ``value`` hold."""
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            total += len(find_tokens(item))
        elif isinstance(item, dict):
            for k, v in item.items():
                stack.append(k)
                stack.append(v)
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return total


def scrub_widget_state(notebook: Any) -> int:
    """Remove every token from ``notebook["metadata"]["widgets"]``, in place.

    Returns how many were removed; anything that is not a notebook is left alone.
    """
    if not isinstance(notebook, dict):
        return 0
    metadata = notebook.get("metadata")
    if not isinstance(metadata, dict) or WIDGETS_KEY not in metadata:
        return 0
    widgets = metadata[WIDGETS_KEY]
    if count_tokens(widgets) == 0:
        return 0
    removed = 0

    def scrub(text: str) -> str:
        nonlocal removed
        text, count = remove_tokens(text)
        removed += count
        return text

    metadata[WIDGETS_KEY] = _map_strings(widgets, scrub)
    return removed


def make_pre_save_hook(log: Any, scrub: Callable[[], bool]) -> Callable[..., None]:
    """A ``ContentsManager`` pre-save hook; ``scrub()`` says whether it is on."""

    def github_token_pre_save_hook(model: Any = None, path: str = "", **kwargs: Any) -> None:
        if not scrub() or not isinstance(model, dict) or model.get("type") != "notebook":
            return
        notebook = model.get("content")
        removed = scrub_widget_state(notebook)
        if removed:
            log.warning(
                "jupyterlab_github_token: removed %d GitHub token(s) from the saved widget state of %s",
                removed,
                path,
            )
        elsewhere = count_tokens(notebook)
        if elsewhere:
            log.warning(
                "jupyterlab_github_token: %s is being saved with %d GitHub token(s) in its cells, "
                "outputs or metadata",
                path,
                elsewhere,
            )

    return github_token_pre_save_hook
