"""Server-side save guard: no GitHub token in a notebook's saved widget state.

The JupyterLab extension scrubs the saved ipywidgets state before the page
saves a notebook, and asks before saving a token anywhere else. Saves that do
not come from that page (real-time collaboration, where the server writes the
shared document itself; other clients of the contents API; scripts; a
notebook uploaded through the file browser or saved from the text editor as a
file) never pass through it. This pre-save hook covers them for the part that
is never meant to be saved: every token inside ``metadata.widgets`` is
removed before the file is written (a Password widget's value is a secret the
user never sees in the file). Tokens elsewhere in the notebook, and in any
other text file saved, are counted and logged, without the token, but left in
place: the server cannot tell an accident from a save the user confirmed.

The token rules are the page's (``src/token/scan.ts``, held to the same list
by ``test/corpus/token-cases.json``), with the shapes of the one policy
(``TOKEN_POLICY``, from ``src/policy/policy.json``):

- a whole run of the token charset that is a short prefix (``ghp_``...) plus
  at least the fixed body length of letters or digits, or ``github_pat_``
  plus at least its first part of token characters, at most the maximum length;
- wherever it starts or ends, a short prefix plus exactly the fixed body
  length of letters or digits whose checksum holds, and ``github_pat_`` +
  first part + ``_`` + second part of letters or digits;
- the same in the text with backslash escapes undone, ANSI escape sequences
  removed and percent escapes undone; inside base64 (each prefix's three
  alignments); and split across two string literals (or the sources of two
  consecutive cells), the checksum deciding.

Linear time whatever the input; image data (``image/*`` but SVG) is searched
as it is, not decoded.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Iterable
from typing import Any, Callable

from .policy import TOKEN_POLICY, TOKEN_PREFIX_PATTERN, TOKEN_PREFIXES

WIDGETS_KEY = "widgets"

_FINE = TOKEN_POLICY["fineGrained"]
_PAT_PREFIX: str = _FINE["prefix"]
_PAT_FIRST: int = _FINE["firstPart"]
_PAT_SECOND: int = _FINE["secondPart"]
_PAT_LENGTH = len(_PAT_PREFIX) + _PAT_FIRST + 1 + _PAT_SECOND
_MIN_TOKEN_LENGTH: int = TOKEN_POLICY["scan"]["minLength"]
_MAX_TOKEN_LENGTH: int = TOKEN_POLICY["maxLength"]
_BODY_LENGTH: int = TOKEN_POLICY["fixedLength"]["bodyLength"]
_CHECKSUM_LENGTH: int = TOKEN_POLICY["fixedLength"]["checksumLength"]
_BASE62: str = TOKEN_POLICY["fixedLength"]["checksumAlphabet"]
_SHORT_PREFIXES = tuple(prefix for prefix in TOKEN_PREFIXES if prefix != _PAT_PREFIX)
_SHORT_LENGTH = len(_SHORT_PREFIXES[0])
_SPLIT_GAP: int = TOKEN_POLICY["scan"]["splitGap"]
_SPLIT_RUNS: int = TOKEN_POLICY["scan"]["splitRuns"]
_CHARSET: str = TOKEN_POLICY["charset"]
_BODY_CHARSET: str = TOKEN_POLICY["bodyCharset"]
_WORD_CHARS = frozenset(chr(code) for code in range(128) if re.fullmatch(_CHARSET, chr(code)))


def _alternation(prefixes: tuple[str, ...]) -> str:
    return "|".join(re.escape(prefix) for prefix in prefixes)


# Where a token may start: text without these needs no further look (base64
# images, the bulk of a large notebook, are searched natively, once).
_TOKEN_PREFIX = re.compile(TOKEN_PREFIX_PATTERN)
_HEAD_PREFIX = re.compile(_alternation(_SHORT_PREFIXES))
_WORD_RUN = re.compile(f"{_CHARSET}{{1,{_MAX_TOKEN_LENGTH + 1}}}")
_ALNUM_RUN = re.compile(f"{_BODY_CHARSET}{{1,{_BODY_LENGTH}}}")
_PREFIXED_TOKEN = re.compile(f"(?:{_alternation(_SHORT_PREFIXES)}){_BODY_CHARSET}{{{_BODY_LENGTH},}}")
_FINE_GRAINED_TOKEN = re.compile(f"{re.escape(_PAT_PREFIX)}{_CHARSET}{{{_PAT_FIRST},}}")
_EXACT_PREFIXED = re.compile(f"(?:{_alternation(_SHORT_PREFIXES)})({_BODY_CHARSET}{{{_BODY_LENGTH}}})")
_EXACT_FINE_GRAINED = re.compile(
    f"{re.escape(_PAT_PREFIX)}{_BODY_CHARSET}{{{_PAT_FIRST}}}_{_BODY_CHARSET}{{{_PAT_SECOND}}}"
)

_ANSI_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[@-_])")
_BACKSLASH_ESCAPE = re.compile(r"\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|([0-7]{1,3})|(.))", re.S)
_PERCENT_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")


def _base62(number: int, width: int = _CHECKSUM_LENGTH) -> str:
    digits = ""
    while True:
        number, rest = divmod(number, len(_BASE62))
        digits = _BASE62[rest] + digits
        if number == 0:
            return digits.rjust(width, "0")


def _body_checksum_valid(body: str) -> bool:
    payload, checksum = body[:-_CHECKSUM_LENGTH], body[-_CHECKSUM_LENGTH:]
    return _base62(zlib.crc32(payload.encode("utf-8")) & 0xFFFFFFFF) == checksum


def _alnum_run(text: str, start: int, most: int) -> int:
    match = _ALNUM_RUN.match(text, start)
    return min(most, match.end() - start) if match else 0


def _is_word_at(text: str, index: int) -> bool:
    return 0 <= index < len(text) and text[index] in _WORD_CHARS


def _positional(text: str) -> list[tuple[int, int]]:
    """The (start, end) of every token with a position in ``text``, in order.

    At each prefix: the whole word starting there if it is a token (today's
    rule, which also finds longer tokens), else a token of the exact new
    format starting there, glued to its neighbours or not. Matches do not
    overlap; bounded work per prefix.
    """
    spans: list[tuple[int, int]] = []
    n = len(text)
    hit = _TOKEN_PREFIX.search(text)
    while hit is not None:
        i = hit.start()
        span: tuple[int, int] | None = None
        if i == 0 or text[i - 1] not in _WORD_CHARS:
            run = _WORD_RUN.match(text, i)
            end = run.end() if run else i
            if _MIN_TOKEN_LENGTH <= end - i <= _MAX_TOKEN_LENGTH and (
                _PREFIXED_TOKEN.fullmatch(text, i, end) or _FINE_GRAINED_TOKEN.fullmatch(text, i, end)
            ):
                span = (i, end)
        if span is None:
            if hit.group(0) == _PAT_PREFIX:
                if _EXACT_FINE_GRAINED.match(text, i):
                    span = (i, i + _PAT_LENGTH)
            else:
                exact = _EXACT_PREFIXED.match(text, i)
                if exact and _body_checksum_valid(exact.group(1)):
                    span = (i, exact.end())
        if span is not None:
            spans.append(span)
            hit = _TOKEN_PREFIX.search(text, span[1]) if span[1] < n else None
        else:
            hit = _TOKEN_PREFIX.search(text, i + 1)
    return spans


def _unescape(match: re.Match[str]) -> str:
    hex_, uni, octal, char = match.groups()
    if hex_ is not None or uni is not None:
        return chr(int(hex_ if hex_ is not None else uni, 16))
    if octal is not None:
        return chr(int(octal, 8))
    # `\n`, `\t`, `\N{...}`: a separator, whatever the letter means.
    return "\n" if char in _WORD_CHARS else char


def decode_escapes(text: str) -> str:
    """``text`` with backslash escapes undone, ANSI escape sequences removed and
    percent escapes undone, each step only when the text holds ``\\``, ESC or
    ``%`` (the page's ``decodeEscapes``)."""
    if "\\" in text:
        text = _BACKSLASH_ESCAPE.sub(_unescape, text)
    if "\x1b" in text:
        text = _ANSI_ESCAPE.sub("", text)
    if "%" in text:
        text = _PERCENT_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text


def _base64_forms() -> dict[str, int]:
    """Each prefix's base64 digits in its three alignments (only those that
    depend on the prefix alone), with how many digits of its group precede."""
    forms: dict[str, int] = {}
    for prefix in TOKEN_PREFIXES:
        for offset in range(3):
            encoded = base64.b64encode(b"\0" * offset + prefix.encode("ascii")).decode("ascii")
            lead = -(-8 * offset // 6)
            stable = encoded[lead : (8 * (offset + len(prefix))) // 6]
            forms[stable] = lead
            forms[stable.replace("+", "-").replace("/", "_")] = lead
    return forms


_BASE64_LEAD = _base64_forms()

# By their first two digits: ``str.find`` of these is fast where a regular
# expression of every form is not (Python's engine tries each at each place).
_BASE64_HEADS: dict[str, list[tuple[str, int]]] = {}
for _form, _lead in _BASE64_LEAD.items():
    _BASE64_HEADS.setdefault(_form[:2], []).append((_form, _lead))

_BASE64_BEFORE = 4
_BASE64_AFTER = 4 * -(-(2 + _MAX_TOKEN_LENGTH) // 3) + 4
_BASE64_VALUES: dict[str, int] = {
    c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
}
_BASE64_VALUES.update({"+": 62, "-": 62, "/": 63, "_": 63})


_TO_STANDARD_BASE64 = str.maketrans("-_", "+/")
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/]")


def _decode_base64_group(group: str) -> str:
    """One group of 4 holding something else than digits: ``xx==`` is one byte,
    ``xxx=`` two, anything else 3 spaces."""
    a, b, c, _d = (_BASE64_VALUES.get(ch, -1) for ch in group)
    if a < 0 or b < 0:
        return "   "
    padded = group[3] == "="
    bits = (a << 18) | (b << 12) | (c << 6 if c >= 0 else 0)
    one = padded and (c >= 0 or group[2] == "=")
    two = padded and c >= 0
    return (chr(bits >> 16) if one else " ") + (chr((bits >> 8) & 0xFF) if two else " ") + " "


def _decode_base64_window(text: str, start: int, end: int) -> str:
    """Latin-1 bytes of the base64 digits ``text[start:end]``, group by group;
    a group with anything but digits (and ``=`` padding at its end) becomes 3
    spaces, so a token cannot span it. Runs of whole groups are decoded by
    ``binascii``."""
    groups = max(0, (end - start) // 4)
    chunk = text[start : start + 4 * groups].translate(_TO_STANDARD_BASE64)
    out: list[str] = []
    done = 0
    for bad in _NOT_BASE64.finditer(chunk):
        group = bad.start() // 4
        if group < done:
            continue
        if group > done:
            out.append(binascii.a2b_base64(chunk[4 * done : 4 * group]).decode("latin-1"))
        out.append(_decode_base64_group(chunk[4 * group : 4 * group + 4]))
        done = group + 1
    if done < groups:
        out.append(binascii.a2b_base64(chunk[4 * done :]).decode("latin-1"))
    return "".join(out)


def _base64_tokens(text: str, add: Callable[[str], None]) -> None:
    """Tokens inside base64: around each prefix form, decode from its group on
    (a group before, room for the longest token after); windows of the same
    alignment that overlap are decoded once, as one."""
    current: list[list[int] | None] = [None, None, None, None]
    windows: list[list[int]] = []
    hits: list[tuple[int, int]] = []
    for head, forms in _BASE64_HEADS.items():
        index = text.find(head)
        while index >= 0:
            for form, lead in forms:
                if text.startswith(form, index):
                    hits.append((index, lead))
                    break
            index = text.find(head, index + 1)
    # In text order, as the page's regular expression meets them.
    for index, lead in sorted(hits):
        group = index - lead
        if group >= 0:
            start = group - _BASE64_BEFORE if group >= _BASE64_BEFORE else group
            end = min(len(text), group + _BASE64_AFTER)
            window = current[group % 4]
            if window is not None and start <= window[1]:
                window[1] = max(window[1], end)
            else:
                opened = [start, end]
                current[group % 4] = opened
                windows.append(opened)
    for start, end in sorted(windows):
        decoded = _decode_base64_window(text, start, end)
        for token_start, token_end in _positional(decoded):
            add(decoded[token_start:token_end])


def _split_tokens(text: str, add: Callable[[str], None], heads_before: int | None = None) -> None:
    """Tokens split across two string literals: a head ``gh?_`` + fewer than 36
    letters or digits ending a word run, completed by the first letters or
    digits of one of the next 3 word runs starting within 40 characters, the
    checksum deciding (heads only before ``heads_before``)."""
    n = len(text)
    limit_heads = n if heads_before is None else heads_before
    hit = _HEAD_PREFIX.search(text)
    while hit is not None and hit.start() < limit_heads:
        i = hit.start()
        have = _alnum_run(text, i + _SHORT_LENGTH, _BODY_LENGTH)
        head_end = i + _SHORT_LENGTH + have
        if have < _BODY_LENGTH and not _is_word_at(text, head_end):
            need = _BODY_LENGTH - have
            limit = min(n, head_end + _SPLIT_GAP)
            runs = 0
            j = head_end
            while runs < _SPLIT_RUNS and j < limit:
                if text[j] not in _WORD_CHARS:
                    j += 1
                    continue
                runs += 1
                if _alnum_run(text, j, need) == need:
                    body = text[i + _SHORT_LENGTH : head_end] + text[j : j + need]
                    if _body_checksum_valid(body):
                        add(text[i : i + _SHORT_LENGTH] + body)
                        break
                while j < n and text[j] in _WORD_CHARS:
                    j += 1
        hit = _HEAD_PREFIX.search(text, i + 1)


def find_tokens(text: object, image: bool = False) -> list[str]:
    """Every GitHub token ``text`` holds (``[]`` for a non-string), in the
    page's order (``findTokenValues``): those with a position, repeats kept,
    then, once each, those seen only once escapes are undone, inside base64
    and split across literals. ``image``: image data, searched as it is."""
    if not isinstance(text, str) or len(text) < _MIN_TOKEN_LENGTH:
        return []
    tokens = [text[start:end] for start, end in _positional(text)]
    if image:
        return tokens
    seen = set(tokens)

    def add(token: str) -> None:
        if token not in seen:
            seen.add(token)
            tokens.append(token)

    decoded = decode_escapes(text)
    if decoded != text:
        for start, end in _positional(decoded):
            add(decoded[start:end])
    _base64_tokens(text, add)
    _split_tokens(decoded, add)
    if decoded != text:
        # Decoding can also spoil a head (`C:\ghp_...` reads `C:` + line break + `hp_...`).
        _split_tokens(text, add)
    return tokens


def find_split_tokens_across(before: str, after: str) -> list[str]:
    """Tokens split across the end of one cell's source and the start of the next."""
    tokens: list[str] = []
    tail = before[-2 * (_BODY_LENGTH + _SPLIT_GAP) :]
    _split_tokens(tail + "\n" + after[: 2 * (_BODY_LENGTH + _SPLIT_GAP)], tokens.append, len(tail))
    return tokens


def remove_tokens(text: str) -> tuple[str, int]:
    """``text`` without any token, and how many it held: tokens with a position
    are removed; if any is left after that (escaped, in base64, split), the
    whole text becomes ``""`` (the page's ``scrubTokens``)."""
    tokens = find_tokens(text)
    if not tokens:
        return text, 0
    out: list[str] = []
    pos = 0
    for start, end in _positional(text):
        out.append(text[pos:start])
        pos = end
    out.append(text[pos:])
    spliced = "".join(out)
    return (spliced if not find_tokens(spliced) else ""), len(tokens)


def _is_image_key(key: object) -> bool:
    return isinstance(key, str) and key.startswith("image/") and not key.startswith("image/svg")


def _map_strings(value: Any, fn: Callable[[str], str]) -> Any:
    """A copy of the JSON ``value`` with ``fn`` applied to every string and key."""
    # Iterative, so a deeply nested state cannot exhaust the recursion limit.
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]
    while stack:
        item, parent, key = stack.pop()
        if isinstance(item, str):
            parent[key] = fn(item)
        elif isinstance(item, dict):
            copy: dict[Any, Any] = {}
            parent[key] = copy
            for k, v in item.items():
                new_key = fn(k) if isinstance(k, str) else k
                copy[new_key] = None
                stack.append((v, copy, new_key))
        elif isinstance(item, (list, tuple)):
            items: list[Any] = [None] * len(item)
            parent[key] = items
            for i, v in enumerate(item):
                stack.append((v, items, i))
        else:
            parent[key] = item
    return root[0]


def count_tokens(value: Any) -> int:
    """How many tokens the strings (and keys) of the JSON ``value`` hold
    (strings under an ``image/*`` key, SVG aside, are searched as they are)."""
    if isinstance(value, str):
        return len(find_tokens(value))
    total = 0
    # Containers only (strings are searched where they are met): a save of a
    # large notebook walks tens of thousands of values.
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        item, image = stack.pop()
        pairs: Iterable[tuple[Any, Any]]
        if isinstance(item, dict):
            pairs = item.items()
        elif isinstance(item, (list, tuple)):
            if len(item) > 1 and all(isinstance(v, str) for v in item):
                # nbformat's multi-line string: one text, so a token split
                # across its lines is found (and each counted once).
                total += len(find_tokens("".join(item), image))
                continue
            pairs = ((None, v) for v in item)
        else:
            continue
        for k, v in pairs:
            if isinstance(k, str) and len(k) >= _MIN_TOKEN_LENGTH:
                total += len(find_tokens(k, image))
            if isinstance(v, str):
                if len(v) >= _MIN_TOKEN_LENGTH:
                    total += len(find_tokens(v, image or _is_image_key(k)))
            elif isinstance(v, (dict, list, tuple)):
                stack.append((v, image or _is_image_key(k)))
    return total


def _source_text(cell: Any) -> str:
    source = cell.get("source") if isinstance(cell, dict) else cell
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        return "".join(source)
    return ""


def count_notebook_tokens(notebook: Any) -> int:
    """:func:`count_tokens` of a notebook, plus the tokens split across the
    sources of two consecutive cells."""
    total = count_tokens(notebook)
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if isinstance(cells, list):
        for before, after in zip(cells, cells[1:]):
            total += len(find_split_tokens_across(_source_text(before), _source_text(after)))
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


def _file_text(model: dict[str, Any]) -> str | None:
    """The text of a ``type=file`` model's content, or None (binary, malformed)."""
    content = model.get("content")
    if not isinstance(content, str):
        return None
    if model.get("format") == "base64":
        try:
            return base64.b64decode(content.encode("ascii"), validate=False).decode("utf-8")
        except (binascii.Error, UnicodeError, ValueError):
            return None
    return content if model.get("format") == "text" else None


def _log_notebook(log: Any, path: str, notebook: Any) -> int:
    """Scrub ``notebook``'s widget state in place and log what was found; return how many were removed."""
    removed = scrub_widget_state(notebook)
    if removed:
        log.warning(
            "jupyterlab_github_token: removed %d GitHub token(s) from the saved widget state of %s",
            removed,
            path,
        )
    elsewhere = count_notebook_tokens(notebook)
    if elsewhere:
        log.warning(
            "jupyterlab_github_token: %s is being saved with %d GitHub token(s) in its cells, outputs or metadata",
            path,
            elsewhere,
        )
    return removed


def _guard_file(log: Any, model: dict[str, Any], path: str) -> None:
    """A file saved whole: an ``.ipynb`` is treated as a notebook (its widget
    state scrubbed, written back in the same format); any other text is only
    searched, and logged."""
    if model.get("chunk") not in (None, -1):
        # A chunk of an upload is not the file: nothing to parse. (The server
        # runs pre-save hooks on the first chunk only.)
        return
    text = _file_text(model)
    if text is None:
        return
    if path.lower().endswith(".ipynb"):
        try:
            notebook = json.loads(text)
        except ValueError:
            notebook = None
        if isinstance(notebook, dict):
            if _log_notebook(log, path, notebook):
                # nbformat's own layout, so the file reads as it would have.
                scrubbed = json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
                if model.get("format") == "base64":
                    model["content"] = base64.b64encode(scrubbed.encode("utf-8")).decode("ascii")
                else:
                    model["content"] = scrubbed
            return
    found = len(find_tokens(text))
    if found:
        log.warning("jupyterlab_github_token: %s is being saved with %d GitHub token(s)", path, found)


def make_pre_save_hook(log: Any, scrub: Callable[[], bool]) -> Callable[..., None]:
    """A ``ContentsManager`` pre-save hook; ``scrub()`` says whether it is on."""

    def github_token_pre_save_hook(model: Any = None, path: str = "", **kwargs: Any) -> None:
        if not scrub() or not isinstance(model, dict):
            return
        if model.get("type") == "notebook":
            _log_notebook(log, path, model.get("content"))
        elif model.get("type") == "file":
            _guard_file(log, model, path)

    return github_token_pre_save_hook
