#!/usr/bin/env python3
"""Write test/corpus/hostile-strings.json: strings that every path building kernel
code (or notebook source) from user input must refuse.

Deterministic, stdlib plus the package's policy and validators (stdlib only
themselves): ``python test/corpus/make_hostile_corpus.py`` always writes the same
file (``--check`` only verifies that the file is up to date). One function per
group (``GROUPS``); tokens come from test/fake_github/token_factory.py.

Every string that carries code does, if it ever runs in a Python kernel, the
sentinel side effect

    __import__('builtins').__dict__.setdefault('GHT_SENTINEL', []).append(<index>)

where ``<index>`` is the string's own position in ``strings`` (so a test can tell
which string fired), and where a shell is involved ``touch ght-sentinel-<index>``.
Nothing here does anything else: no payload deletes, reads, sleeps or blocks.

Which paths each string is fed to (``paths``, parallel to ``strings``) is computed
here with the server's validators (jupyterlab_github_token/token_store.py, which
share src/policy/policy.json with src/kernel/validation.ts) and the policy itself; only
the kernel language rule and the panel's JavaScript trim are ports:

- ``token``: assertSafeToken (buildSetEnvCode / buildSetWidgetValueCode token,
  rewriteAssignmentToLiteral token, the server's PUT token);
- ``envName``: assertSafeEnvName(s) (every builder's names, rewriteAssignmentToEnvRead,
  replaceTokensInPythonSource, the server's PUT variables);
- ``modelId``: assertSafeModelIds (buildSetWidgetValueCode / buildWidgetValueCheckExpression);
- ``language``: isSupportedKernelLanguage (every builder's language);
- ``browser``: the token field of the panel (input sanitisation strips CR/LF, the
  model trims, then checkTokenFormat must report an error).

A string lists a path only if that path refuses it. All strings refuse all paths,
except the groups ``reserved-env-name`` (valid identifiers refused by policy: not
``token``), ``model-id-lookalike`` (token-charset strings that only the model id
check must refuse: not ``token`` nor ``envName``) and ``language-name`` (language
names that are not Python: not ``token`` nor ``envName``), whose strings list the
paths that refuse them. The script fails if that is not so.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import unicodedata
import warnings
from collections.abc import Callable, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any, Union
from urllib.parse import quote, unquote

HERE = Path(__file__).resolve().parent
OUT = HERE / "hostile-strings.json"
# The validators and the policy of this source tree (not of an installed, possibly
# older, copy), and the tests' token factory.
sys.path[:0] = [str(HERE.parents[1]), str(HERE.parent / "fake_github")]

from token_factory import (  # noqa: E402 (needs the path above)
    BODY_LENGTH,
    CORPUS_TOKENS,
    FINE_GRAINED_PARTS,
    FINE_GRAINED_PREFIX,
    FIXED_LENGTH_KINDS,
    PREFIX_OF,
    checksum_ok,
    class_and_count,
    kind_of,
)

from jupyterlab_github_token.policy import (  # noqa: E402
    ENV_NAME_POLICY,
    TOKEN_POLICY,
    WIDGET_MODEL_ID_POLICY,
    whole_match,
)
from jupyterlab_github_token.token_store import (  # noqa: E402
    TokenValidationError,
    validate_env_name,
    validate_token,
)

ALL_PATHS = ("token", "envName", "modelId", "language", "browser")

# ---------------------------------------------------------------------------
# Payloads
# ---------------------------------------------------------------------------


def S(i: int, q: str = "'") -> str:
    """The Python sentinel for string ``i`` (``q``: the quote used inside it)."""
    return f"__import__({q}builtins{q}).__dict__.setdefault({q}GHT_SENTINEL{q}, []).append({i})"


def SH(i: int) -> str:
    """The shell sentinel for string ``i``."""
    return f"touch ght-sentinel-{i}"


def OSS(i: int, q: str = "'") -> str:
    """Python that runs the shell sentinel and the Python one."""
    return f"__import__({q}os{q}).system({q}{SH(i)}{q}) or {S(i, q)}"


# ---------------------------------------------------------------------------
# Which paths refuse a string (see the module docstring)
# ---------------------------------------------------------------------------

MAX_TOKEN_LENGTH: int = TOKEN_POLICY["maxLength"]
MODEL_ID_PATTERN = whole_match(WIDGET_MODEL_ID_POLICY["pattern"])
LEGACY_TOKEN = whole_match(TOKEN_POLICY["legacy"])
FINE_GRAINED_LENGTH = len(FINE_GRAINED_PREFIX) + FINE_GRAINED_PARTS[0] + 1 + FINE_GRAINED_PARTS[1]
# A port of isSupportedKernelLanguage (src/kernel/validation.ts): only the page checks a
# kernel's language, so the package has no copy to import.
LANGUAGE = re.compile(r"i?python[23]?", re.IGNORECASE | re.ASCII)

# ECMAScript WhiteSpace + LineTerminator (String.prototype.trim, /\s/).
JS_SPACE = set(
    "\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)


def js_trim(s: str) -> str:
    a, b = 0, len(s)
    while a < b and s[a] in JS_SPACE:
        a += 1
    while b > a and s[b - 1] in JS_SPACE:
        b -= 1
    return s[a:b]


def token_ok(s: str) -> bool:
    try:
        validate_token(s)
    except TokenValidationError:
        return False
    return True


def env_ok(s: str) -> bool:
    try:
        validate_env_name(s)
    except TokenValidationError:
        return False
    return True


def model_ok(s: str) -> bool:
    return bool(MODEL_ID_PATTERN.fullmatch(s))


def language_ok(s: str) -> bool:
    return bool(LANGUAGE.fullmatch(js_trim(s)))


def browser_ok(s: str) -> bool:
    """Whether the panel would hold ``s`` as a usable token (checkTokenFormat ok)."""
    value = s.replace("\r", "").replace("\n", "")  # <input type=password> sanitisation
    t = js_trim(value)
    if not token_ok(t):  # empty, whitespace/bad chars, too long
        return False
    kind = kind_of(t)
    if kind == "refresh":
        return False  # refresh tokens: an error
    if kind in FIXED_LENGTH_KINDS:
        return checksum_ok(t)
    if kind == "fine-grained":
        return len(t) == FINE_GRAINED_LENGTH  # the checksum is only advisory
    if kind is not None:
        return True  # installation tokens: any length, a warning only
    return bool(LEGACY_TOKEN.fullmatch(t))


ACCEPTS: dict[str, Callable[[str], bool]] = {
    "token": token_ok,
    "envName": env_ok,
    "modelId": model_ok,
    "language": language_ok,
    "browser": browser_ok,
}

# ---------------------------------------------------------------------------
# Deterministic material
# ---------------------------------------------------------------------------

chars = CORPUS_TOKENS.chars


def classic(seed: str, kind: str = "classic") -> str:
    """A well-formed token with a valid checksum (never a real one)."""
    return CORPUS_TOKENS.fixed_length("ght-corpus/" + seed, kind)


HEX, MODEL_ID_LENGTH = class_and_count(WIDGET_MODEL_ID_POLICY["pattern"])
T_CLASSIC = classic("classic")
T_OAUTH = classic("oauth", "oauth")
T_USER = classic("user", "user-to-server")
T_INSTALL = PREFIX_OF["server-to-server"] + chars("ght-corpus/install", BODY_LENGTH)
T_REFRESH = classic("refresh", "refresh")
T_FINE = CORPUS_TOKENS.fine_grained("ght-corpus-fg/fine", "ght-corpus-fg2/fine")
T_LEGACY = CORPUS_TOKENS.legacy("ght-corpus/legacy")
# Well formed but with a wrong checksum: the panel refuses it even when the input
# field strips a CR/LF put inside it (as <input> does).
T_BADSUM = T_CLASSIC[:-1] + ("A" if T_CLASSIC[-1] != "A" else "B")
BASE_TOKENS = [T_CLASSIC, T_FINE, T_OAUTH, T_USER, T_INSTALL, T_REFRESH, T_LEGACY]
assert all(browser_ok(t) for t in BASE_TOKENS if kind_of(t) != "refresh")
MODEL_ID_SAMPLE = chars("ght-corpus/model", MODEL_ID_LENGTH, HEX)
#: The shortest strings of token characters that are too long for a token.
OVER = MAX_TOKEN_LENGTH + 1

# ---------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------

#: A payload: the string at a given index, naming that index in its sentinel.
Payload = Callable[[int], str]
#: What ``Corpus.add`` takes: a string, or a payload (``...``: the lambdas bind loop
#: values as extra default parameters).
Make = Union[str, Callable[..., str]]


class Corpus:
    def __init__(self) -> None:
        self.strings: list[str] = []
        self.group_of: list[str] = []
        self.seen: set[str] = set()
        self.groups: dict[str, dict[str, Any]] = {}
        self.controls: list[dict[str, Any]] = []
        self.payloads: list[int] = []
        self.group = ""

    def start(self, name: str, about: str, paths: Sequence[str] = ALL_PATHS) -> None:
        self.group = name
        self.groups[name] = {"about": about, "paths": list(paths), "count": 0}

    @property
    def next(self) -> int:
        return len(self.strings)

    def add(self, make: Make, control: str | None = None) -> int | None:
        """Add ``make(i)`` (or the string ``make``) at index i; skip duplicates.

        ``control``: a naive wrapper (``@@`` = the string) under which the string
        is designed to fire; the Python test runs those in a real kernel."""
        i = self.next
        s = make(i) if callable(make) else make
        if s in self.seen:
            return None
        if callable(make):
            # A payload: its text depends on (and names) its own index.
            assert make(i + 1) != s, s
            self.payloads.append(i)
        self.seen.add(s)
        self.strings.append(s)
        self.group_of.append(self.group)
        self.groups[self.group]["count"] += 1
        if control:
            assert f"({i})" in s or f"ght-sentinel-{i}" in s, (i, s)
            self.controls.append({"index": i, "wrapper": control, "group": self.group})
        return i


# ---------------------------------------------------------------------------
# The groups
# ---------------------------------------------------------------------------


def quote_breakout(c: Corpus) -> None:
    """1. Quote breakouts."""
    c.start(
        "quote-breakout",
        "Closes a ' \" ''' \"\"\" (or backslash-escaped) string literal, or opens an f-string "
        "replacement field, then runs the sentinel.",
    )
    quotes = ["'", '"', "'''", '"""', "\\'", '\\"']
    # Q: the quote that closes the literal, P: the payload; the end re-opens a literal
    # (to balance the builder's closing quote) or comments it out.
    forms = [
        "Q; P; Q",
        "Q; P #",
        "Q\nP\nQ",
        "Q\nP #",
        "Q), P, (Q",
        "Q + str(P) + Q",
        "Q, P, Q",
        "Q if P else Q",
        "Q;P;x=Q",
        "Q]; P; [Q",
        "Q}); P; ({Q",
        "Q == P or Q",
        "Q;\\\nP #",
        "Q;\tP\t;Q",
    ]
    prefixes = ["", "ghp_"]
    for q in quotes:
        inner_q = '"' if q in ("'", "'''", "\\'") else "'"
        naive = {"'": "x = '@@'", '"': 'x = "@@"', "'''": "x = '''@@'''", '"""': 'x = """@@"""'}.get(q)
        for form in forms:
            for prefix in prefixes:
                made = c.add(
                    lambda i, q=q, form=form, prefix=prefix, iq=inner_q: (
                        prefix + form.replace("Q", q).replace("P", S(i, iq))
                    ),
                    control=naive
                    if (naive and prefix == "ghp_" and form in ("Q; P; Q", "Q\nP #", "Q + str(P) + Q"))
                    else None,
                )
                assert made is not None
    # f-strings and str.format fields.
    for prefix in prefixes:
        c.add(lambda i, p=prefix: p + "{" + S(i, '"') + "}", control="x = f'@@'" if prefix == "" else None)
        c.add(lambda i, p=prefix: p + "{" + S(i, "'") + "}", control='x = f"@@"' if prefix == "" else None)
        c.add(lambda i, p=prefix: p + "{(" + S(i, '"') + ")!r}")
        c.add(lambda i, p=prefix: p + "{" + S(i, '"') + ":>10}")
        c.add(lambda i, p=prefix: p + "{{" + S(i, '"') + "}}")
        c.add(lambda i, p=prefix: p + "'{" + S(i, '"') + "}'")
        c.add(lambda i, p=prefix: p + "{0.__class__}{" + S(i, '"') + "}")
        c.add(lambda i, p=prefix: p + "'f'{" + S(i, '"') + "}'")
    # Smart and other quotes that look like ASCII ones.
    for q in ["\u2018", "\u2019", "\u201c", "\u201d", "\u00b4", "`", "\uff07", "\uff02", "\u02bc", "\u2032"]:
        c.add(lambda i, q=q: q + "; " + S(i) + "; " + q)
        c.add(lambda i, q=q: "ghp_" + q + "\n" + S(i) + " #")


def newline(c: Corpus) -> None:
    """2. Newlines."""
    c.start(
        "newline",
        "Line breaks Python, IPython (str.splitlines) or JavaScript treat as new lines: "
        "inside a token, and around the sentinel, a ! shell escape or a % magic.",
    )
    newlines = ["\n", "\r", "\r\n", "\u2028", "\u2029", "\x0b", "\x0c", "\x85", "\x1c", "\x1e"]
    for nl in newlines:
        body = T_BADSUM[4:]
        c.add("ghp_" + body[:10] + nl + body[10:])
        c.add(T_CLASSIC[:-1] + nl)
        c.add(nl + T_CLASSIC[1:])
        c.add(lambda i, nl=nl: "ghp_x'" + nl + S(i) + nl + "#", control="x = '@@'" if nl in ("\n", "\r") else None)
        c.add(lambda i, nl=nl: 'ghp_x"' + nl + S(i) + nl + "#")
        c.add(lambda i, nl=nl: nl + S(i) + nl)
        c.add(lambda i, nl=nl: "'" + nl + "!" + SH(i) + nl + "#", control="x = '@@'" if nl == "\n" else None)
        c.add(lambda i, nl=nl: "'" + nl + "%system " + SH(i) + nl + "#")
        c.add(lambda i, nl=nl: "'" + nl + "%time " + S(i) + nl + "#", control="x = '@@'" if nl == "\n" else None)
        c.add(lambda i, nl=nl: "ghp_" + nl + "import os" + nl + "os.system('" + SH(i) + "')")
        c.add(lambda i, nl=nl: "GITHUB_TOKEN" + nl + S(i))


def control_char(c: Corpus) -> None:
    """3. NUL and other controls."""
    c.start(
        "control-char",
        "NUL, the other C0 controls, DEL and the C1 controls, inside, before and after a "
        "well-formed token, and before a breakout.",
    )
    controls = [chr(x) for x in range(0x20)] + ["\x7f"] + [chr(x) for x in range(0x80, 0xA0)]
    for k, ch in enumerate(controls):
        base = BASE_TOKENS[k % len(BASE_TOKENS)] if ch not in "\r\n" else T_BADSUM
        c.add(base[:12] + ch + base[12:])
        if ch in "\x00\x01\x07\x08\x1b\x1f\x7f\x80\x85\x9b\x9f" and ch not in JS_SPACE:
            c.add(base + ch)
            c.add(ch + base)
        c.add(lambda i, ch=ch: "ghp_a" + ch + "'; " + S(i) + " #")
    c.add(lambda i: T_CLASSIC + "\x00" + "'; " + S(i) + " #")
    c.add(lambda i: "\x00" * 4 + S(i))
    c.add("\x00")
    c.add("\x00" * MAX_TOKEN_LENGTH)
    c.add("\x00" * OVER)
    c.add(T_CLASSIC + "\x00garbage")
    c.add("\x1b[31m" + T_CLASSIC + "\x1b[0m")
    c.add("\x1b]0;" + T_CLASSIC + "\x07")
    c.add(T_CLASSIC[:20] + "\x08" * 5 + T_CLASSIC[20:])


def lookalike(c: Corpus) -> None:
    """4. Unicode look-alikes."""
    c.start(
        "lookalike",
        "Well-formed tokens with one character swapped for a Cyrillic/Greek/Latin look-alike, "
        "fullwidth or mathematical letters, zero-width characters, combining marks, bidi "
        "controls or a BOM; and look-alikes of 'python'.",
    )
    homoglyphs = {
        "a": ["\u0430", "\u03b1", "\u0251"],
        "c": ["\u0441", "\u03f2"],
        "e": ["\u0435"],
        "o": ["\u043e", "\u03bf", "\u0585"],
        "p": ["\u0440", "\u03c1"],
        "h": ["\u04bb"],
        "x": ["\u0445", "\u03c7"],
        "y": ["\u0443"],
        "i": ["\u0456", "\u0131"],
        "j": ["\u0458"],
        "s": ["\u0455", "\u017f"],
        "d": ["\u0501"],
        "g": ["\u0261", "\u0581"],
        "K": ["\u212a"],
        "A": ["\u0410", "\u0391"],
        "B": ["\u0412", "\u0392"],
        "E": ["\u0415", "\u0395"],
        "H": ["\u041d", "\u0397"],
        "M": ["\u041c", "\u039c"],
        "O": ["\u041e", "\u039f"],
        "P": ["\u0420", "\u03a1"],
        "T": ["\u0422", "\u03a4"],
        "X": ["\u0425", "\u03a7"],
        "0": ["\u041e", "\u0966"],
        "1": ["\u0406", "\u04c0", "\u2170"],
        "_": ["\uff3f", "\u2017", "\u02cd"],
    }
    for latin, subs in homoglyphs.items():
        for sub in subs:
            # Swap the first occurrence of the letter (in the prefix for g, h, p, _).
            pos = T_CLASSIC.find(latin)
            pos = pos if pos >= 0 else 10
            c.add(T_CLASSIC[:pos] + sub + T_CLASSIC[pos + 1 :])
            c.add(T_FINE[:50] + sub + T_FINE[51:])
    for prefix in [
        "\u0261hp_",
        "g\u04bbp_",
        "gh\u0440_",
        "gh\u03c1_",
        "ghp\uff3f",
        "\uff47\uff48\uff50\uff3f",
        "github\uff3fpat_",
        "g\u0456thub_pat_",
        "\U0001d420\U0001d421\U0001d429_",
        "\u24d6\u24d7\u24df_",
    ]:
        c.add(prefix + T_CLASSIC[4:])
    # Fullwidth / mathematical letters and digits for the whole body.
    fw = "".join(chr(ord(ch) + 0xFEE0) if ch != "_" else "\uff3f" for ch in T_CLASSIC)
    c.add(fw)
    c.add(T_CLASSIC[:4] + fw[4:])
    c.add("".join(chr(0x1D41A + ord(ch) - 97) if "a" <= ch <= "z" else ch for ch in T_CLASSIC))
    c.add("".join(chr(0x1D7CE + ord(ch) - 48) if "0" <= ch <= "9" else ch for ch in T_CLASSIC))
    c.add(unicodedata.normalize("NFD", "ghp_\u00e9" + T_CLASSIC[5:]))
    c.add("ghp_\ufb01" + T_CLASSIC[6:])  # fi ligature: NFKC gives 'fi'
    c.add("ghp_" + T_CLASSIC[4:20] + "\u00b2" + T_CLASSIC[21:])  # superscript two
    invisible = [
        "\u200b",
        "\u200c",
        "\u200d",
        "\u2060",
        "\ufeff",
        "\u180e",
        "\u00ad",
        "\u034f",
        "\u2061",
        "\u2062",
        "\u2063",
        "\u2064",
        "\u115f",
        "\u3164",
        "\ufe0f",
        "\U000e0020",
    ]
    for ch in invisible:
        for pos in (0, 4, 20):
            if pos == 0 and ch in JS_SPACE:
                continue  # a leading BOM is trimmed by the panel: see below
            c.add(T_CLASSIC[:pos] + ch + T_CLASSIC[pos:])
        if ch not in JS_SPACE:
            c.add(T_CLASSIC + ch)
    c.add("\ufeff" + T_BADSUM)
    c.add(T_BADSUM + "\ufeff")
    for mark in ["\u0301", "\u0300", "\u0338", "\u20dd", "\u0335", "\u0489"]:
        for pos in (1, 5, 39):
            c.add(T_CLASSIC[: pos + 1] + mark + T_CLASSIC[pos + 1 :])
    bidi = [
        "\u202e",
        "\u202d",
        "\u202a",
        "\u202b",
        "\u202c",
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",
        "\u200e",
        "\u200f",
        "\u061c",
    ]
    for ch in bidi:
        c.add(T_CLASSIC[:20] + ch + T_CLASSIC[20:])
        c.add(ch + T_CLASSIC)
        c.add(lambda i, ch=ch: "ghp_abc" + ch + "'; " + S(i) + " #")
    # RTL override hiding a breakout that reads backwards on screen.
    c.add(lambda i: T_CLASSIC + "\u202e#" + S(i)[::-1] + " ;'\u202c")
    c.add(lambda i: "\u202e'" + "\n" + S(i) + "\n#")
    c.add(lambda i: "\ufeff'; " + S(i) + " #")
    c.add(lambda i: "python3'; " + S(i) + " #")
    c.add(lambda i: "python\n" + S(i))


def language_name(c: Corpus) -> None:
    """4b. Language names."""
    c.start(
        "language-name",
        "Kernel language names that are not Python, or look-alikes of python (a language is "
        "an input of every builder).",
        paths=("language", "modelId", "browser"),
    )
    for lang in [
        "pyth\u043en",
        "pyth\u043en3",
        "\u0440ython",
        "python\u0033\u20e3",
        "python\u2083",
        "python\u00b3",
        "pytho\u0578",
        "\uff50\uff59\uff54\uff48\uff4f\uff4e",
        "python\u200b",
        "py\u200dthon",
        "python\x00",
        "python3\x00",
        "python4",
        "python33",
        "ipython4",
        "pypython",
        "python-3",
        "python 3",
        "python3.11",
        "Python\u00a03",
        "\u0131python3",
        "python3'",
        'python3"',
        "python3\\",
        "r",
        "julia",
        "javascript",
    ]:
        c.add(lang)
    c.add(lambda i: f"python3;{SH(i)}")


def one_bad_char(c: Corpus) -> None:
    """5. Token-shaped with one bad ASCII character."""
    c.start(
        "one-bad-char",
        "Each kind of well-formed token (classic, fine-grained, OAuth, user, installation, "
        "refresh, legacy hex) with one printable ASCII character outside [A-Za-z0-9_] inserted "
        "or substituted.",
    )
    bad_ascii = " !\"#$%&'()*+,-./:;<=>?@[\\]^`{|}~\t"
    for k, ch in enumerate(bad_ascii):
        for j in range(4):
            base = BASE_TOKENS[(k + j) % len(BASE_TOKENS)]
            pos = [0, 3, 4, 11, 20, len(base) - 1, len(base)][(k + 2 * j) % 7]
            if pos in (0, len(base)) and ch in JS_SPACE:
                pos = 15  # surrounding whitespace is trimmed by the panel: keep it inside
            if j % 2:
                c.add(base[:pos] + ch + base[pos + 1 :])  # substituted
            else:
                c.add(base[:pos] + ch + base[pos:])  # inserted


def very_long(c: Corpus) -> None:
    """6. Very long."""
    c.start(
        "long",
        f"Just over the {MAX_TOKEN_LENGTH}-character limit with only token characters (refused by policy), "
        "1 KB to 64 KB, and long strings ending in a breakout.",
    )
    c.add("a" * OVER)
    c.add("_" * OVER)
    c.add("9" * OVER)
    c.add("ghp_" + "A" * (OVER - 4))
    c.add(FINE_GRAINED_PREFIX + chars("ght-corpus/long", OVER - len(FINE_GRAINED_PREFIX)))
    c.add("ghs_" + chars("ght-corpus/long-s", OVER - 4))
    c.add(chars("ght-corpus/long2", 256))
    c.add(chars("ght-corpus/long3", 300))
    c.add(chars("ght-corpus/long4", 1024))
    c.add("A" * 4096)
    c.add("x" * 10 * 1024)
    c.add(T_CLASSIC * 256)  # 10 KB of repeated valid tokens
    c.add("G" * 64 * 1024)
    c.add(chars("ght-corpus/long5", 64 * 1024))
    c.add("a" * MAX_TOKEN_LENGTH + "'")
    c.add("a" * (MAX_TOKEN_LENGTH - 1) + "\n")
    c.add("\u00e9" * MAX_TOKEN_LENGTH)
    c.add("\u0301" * 300)
    c.add("\U0001f511" * 128)
    c.add(lambda i: "a" * 10 * 1024 + "'; " + S(i) + " #")
    c.add(lambda i: "'; " + S(i) + " #" + "a" * 10 * 1024)
    c.add(lambda i: "'''" + "\n" * 1000 + S(i) + "\n#")
    c.add(lambda i: ("'; " + S(i) + " #\n") * 200)
    c.add(lambda i: "ghp_" + "A" * MAX_TOKEN_LENGTH + "'; " + S(i) + " #")
    c.add(lambda i: " " * 10 * 1024 + "'; " + S(i) + " #")
    c.add(lambda i: "x" * 64 * 1024 + "'; " + S(i) + " #")


def empty_whitespace(c: Corpus) -> None:
    """7. Empty / whitespace."""
    c.start("empty-whitespace", "The empty string, and strings made only of (Unicode) whitespace.")
    c.add("")
    spaces = [
        " ",
        "\t",
        "\n",
        "\r",
        "\r\n",
        "\x0b",
        "\x0c",
        "\xa0",
        "\u1680",
        "\u2000",
        "\u2003",
        "\u2007",
        "\u200a",
        "\u2028",
        "\u2029",
        "\u202f",
        "\u205f",
        "\u3000",
        "\ufeff",
        "\x85",
        "\x1c",
        "\x1f",
        "\u180e",
        "\u200b",
    ]
    for sp in spaces:
        c.add(sp)
        c.add(sp * 3)
    c.add(" \t\n\r\x0b\x0c")
    c.add("".join(spaces))
    c.add(" " * OVER)
    c.add("\n" * 1000)


def python_code(c: Corpus) -> None:
    """8. Python code fragments."""
    c.start(
        "python-code",
        "Python statements and expressions that would run the sentinel as code, alone or after "
        "a token, a closing bracket, a comment or a line continuation.",
    )
    py: list[Payload] = [
        S,
        OSS,
        lambda i: f"exec({S(i)!r})",
        lambda i: f"eval({S(i)!r})",
        lambda i: f"exec(__import__('base64').b64decode('{__import__('base64').b64encode(S(i).encode()).decode()}'))",
        lambda i: f"exec(bytes.fromhex('{S(i).encode().hex()}').decode())",
        lambda i: f"exec(''.join(map(chr, {[ord(ch) for ch in S(i)]})))",
        lambda i: f"import builtins; builtins.__dict__.setdefault('GHT_SENTINEL', []).append({i})",
        lambda i: f"getattr(__import__('builtins'), '__dict__').setdefault('GHT_SENTINEL', []).append({i})",
        lambda i: f"[{S(i)} for _ in [0]]",
        lambda i: f"(lambda: {S(i)})()",
        lambda i: f"(_ght := {S(i)})",
        lambda i: f"); {S(i)}; (",
        lambda i: f"]); {S(i)} #",
        lambda i: f"}})); {S(i)} #",
        lambda i: f"), {S(i)}, (",
        lambda i: f"# \n{S(i)}",
        lambda i: f"\\\n{S(i)}",
        lambda i: f"\\'; {S(i)} #",
        lambda i: f"\\\\'; {S(i)} #",
        lambda i: f"\\x27; {S(i)} #",
        lambda i: f"\\u0027; {S(i)} #",
        lambda i: f"\\N{{APOSTROPHE}}; {S(i)} #",
        lambda i: f"__import__('os').environ.update(GHT_SENTINEL=str({S(i)}))",
        lambda i: f"open('ght-sentinel-{i}', 'w').close() or {S(i)}",
        lambda i: f"__import__('subprocess').run(['touch', 'ght-sentinel-{i}']) and {S(i)}",
        lambda i: f"globals().setdefault('x', {S(i)})",
        lambda i: f"x = None; del x; {S(i)}",
        lambda i: f"assert {S(i)} or True",
        lambda i: f"if True: {S(i)}",
        lambda i: f"try: {S(i)}\nexcept: pass",
        lambda i: f"@(lambda f: {S(i)})\ndef g(): pass",
        lambda i: f"class C: x = {S(i)}",
        lambda i: f"print({S(i)})",
        lambda i: f"__builtins__.__dict__['exec']({S(i)!r}) if hasattr(__builtins__, '__dict__') else exec({S(i)!r})",
        lambda i: f"# -*- coding: utf-7 -*-\n{S(i)}",
        lambda i: f"'''\n{S(i)}\n'''",
        lambda i: f'"""\n{S(i)}\n"""',
        lambda i: f"r'\\'; {S(i)} #",
        lambda i: f"b'; {S(i)} #",
        lambda i: f"u''; {S(i)} #",
    ]
    for k, make in enumerate(py):
        c.add(make, control="@@" if k in (0, 1, 2, 9, 11) else None)
        # After a token on its own line (e.g. a token pasted into a comment).
        c.add(lambda i, make=make, k=k: (T_CLASSIC + "\n" if k % 2 else "ghp_\r\n") + make(i))
    c.add(")")
    c.add(");")
    c.add("#")
    c.add("\\")
    c.add("\\\\")
    c.add("'")
    c.add('"')
    c.add("'''")
    c.add('"""')
    c.add("ghp_\\")
    c.add(T_CLASSIC + "\\")
    c.add(T_CLASSIC + "#")
    c.add(T_CLASSIC + "'")


def shell(c: Corpus) -> None:
    """9. Shell fragments."""
    c.start(
        "shell",
        "Command substitution, backticks, separators, pipes and redirections that would run "
        "touch ght-sentinel-<index> in a shell (and IPython {expr} expansion in ! lines).",
    )
    sh: list[Payload] = [
        lambda i: f"$({SH(i)})",
        lambda i: f"`{SH(i)}`",
        lambda i: f"; {SH(i)}",
        lambda i: f"&& {SH(i)}",
        lambda i: f"; false || {SH(i)}",
        lambda i: f"| sh -c '{SH(i)}'",
        lambda i: f"; rm -f ght-sentinel-decoy-{i}; {SH(i)}",
        lambda i: f";${{IFS}}{SH(i).replace(' ', '${IFS}')}",
        lambda i: f"'; {SH(i)}; '",
        lambda i: f'"; {SH(i)}; "',
        lambda i: f"\n{SH(i)}\n",
        lambda i: f"> ght-sentinel-{i}",
        lambda i: f"$(sh -c '{SH(i)}')",
        lambda i: f"& {SH(i)} &",
        lambda i: f"{{{S(i, chr(34))}}}",  # IPython expands {expr} in ! lines
        lambda i: f"$'\\x27'; {SH(i)}",
        lambda i: f'"$({SH(i)})"',
        lambda i: f"'$({SH(i)})'",
    ]
    for k, make in enumerate(sh):
        control = {0: "!echo @@", 1: "!echo @@", 2: "!echo @@", 14: "!echo @@"}.get(k)
        c.add(make, control=control)
        c.add(lambda i, make=make: "ghp_" + make(i))
        c.add(lambda i, make=make: T_CLASSIC + make(i))


def json_html_js(c: Corpus) -> None:
    """10. JSON / HTML / JavaScript fragments."""
    c.start(
        "json-html-js",
        "Fragments that break out of JSON, HTML, attributes, scripts or JS template literals; "
        "the code they carry is the Python sentinel.",
    )
    web: list[Payload] = [
        lambda i: f'", "x": {S(i)}, "y": "',
        lambda i: f'"}}; {S(i)}; {{"',
        lambda i: f'{{"token": "ghp_"}}\'), {S(i)} #',
        lambda i: f"</script><script>{S(i)}</script>",
        lambda i: f"'; {S(i)} #</script><script>{S(i)}</script>",
        lambda i: f'<img src=x onerror="{S(i)}">',
        lambda i: f"\"; {S(i)} #\"><svg onload='{S(i)}'>",
        lambda i: f"javascript:{S(i)}",
        lambda i: f"${{{S(i)}}}",
        lambda i: f"`; {S(i)}; `",
        lambda i: f"<!--'; {S(i)} #-->",
        lambda i: f"]]><x>'; {S(i)} #",
        lambda i: f"{{{{{S(i)}}}}}",
        lambda i: f"\\u0027; {S(i)} #",
        lambda i: f"');{S(i)}#",
        lambda i: f'<iframe srcdoc="&lt;script&gt;{S(i)}&lt;/script&gt;">',
        lambda i: f"</textarea><b>'; {S(i)} #",
    ]
    for make in web:
        c.add(make)
        c.add(lambda i, make=make: "ghp_" + make(i))
        c.add(lambda i, make=make: T_FINE[:30] + make(i))
    c.add('{"token": "' + T_CLASSIC + '"}')
    c.add('["' + T_CLASSIC + '"]')


def magic(c: Corpus) -> None:
    """11. IPython magics and shell escapes."""
    c.start(
        "magic",
        "% and %% magics, ! and !! shell escapes, help ? and IPython's {expr}/$var expansion, "
        "alone or after a breakout.",
    )
    magic: list[Payload] = [
        lambda i: f"!{SH(i)}",
        lambda i: f"!!{SH(i)}",
        lambda i: f"%system {SH(i)}",
        lambda i: f"%sx {SH(i)}",
        lambda i: f"%time {S(i)}",
        lambda i: f"%timeit -n1 -r1 {S(i)}",
        lambda i: f"%%bash\n{SH(i)}",
        lambda i: f"%%sh\n{SH(i)}",
        lambda i: f"%%script sh\n{SH(i)}",
        lambda i: f"%%python\n{OSS(i)}",
        lambda i: f"%%capture\n{S(i)}",
        lambda i: f"%env GHT_X={{{S(i, chr(34))}}}",
        lambda i: f"%alias ght{i} {SH(i)}\n%ght{i}",
        lambda i: f"!echo {{{S(i, chr(34))}}}",
        lambda i: f"get_ipython().run_line_magic('time', {S(i)!r})",
        lambda i: f"get_ipython().system({SH(i)!r}) or {S(i)}",
        lambda i: f"%%writefile ght-sentinel-{i}\nx",
    ]
    for k, make in enumerate(magic):
        c.add(make, control="@@" if k in (0, 2, 4, 13) else None)
        if make(0).startswith("%%"):
            # A cell magic only works on a cell's first line (blank lines before it are dropped).
            c.add(lambda i, make=make: "\n\n" + make(i))
        else:
            c.add(lambda i, make=make: "'\n" + make(i) + "\n#")
        c.add(lambda i, make=make: "ghp_x\n" + make(i))
    c.add("%")
    c.add("%%")
    c.add("!")
    c.add("?")
    c.add("??")
    c.add(T_CLASSIC + "?")
    c.add("%" + T_CLASSIC)
    c.add("!" + T_CLASSIC)


def surrogate(c: Corpus) -> None:
    """12. Surrogate halves."""
    c.start(
        "surrogate",
        "Lone UTF-16 surrogate halves (not valid Unicode scalar values), reversed pairs, "
        "inside and around tokens and breakouts.",
    )
    for sur in ["\ud800", "\udbff", "\udc00", "\udfff", "\udc00\ud800", "\ud83d", "\ude00"]:
        c.add(sur)
        c.add(T_CLASSIC[:20] + sur + T_CLASSIC[20:])
        c.add(T_CLASSIC + sur)
        c.add(sur + T_CLASSIC)
        c.add(lambda i, sur=sur: "ghp_" + sur + "'; " + S(i) + " #")


def emoji(c: Corpus) -> None:
    """13. Emoji."""
    c.start(
        "emoji",
        "Emoji, ZWJ sequences, skin tones, flags, keycaps, variation selectors and invisible "
        "tag characters (ASCII smuggling).",
    )
    emoji = [
        "\U0001f511",
        "\U0001f468\u200d\U0001f469\u200d\U0001f467",
        "\U0001f44d\U0001f3fd",
        "\U0001f1fa\U0001f1f8",
        "1\ufe0f\u20e3",
        "\u2764\ufe0f",
        "\U0001f4a9",
        "\U0001f9d1\u200d\U0001f4bb",
        "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
        "\u00a9\ufe0e",
    ]
    for e in emoji:
        c.add(e)
        c.add(T_CLASSIC[:10] + e + T_CLASSIC[10:])
        c.add(lambda i, e=e: e + "'; " + S(i) + " #")
    # Invisible tag characters spelling a breakout.
    c.add(lambda i: T_CLASSIC + "".join(chr(0xE0000 + ord(ch)) for ch in "'; " + S(i) + " #"))
    c.add("ghp_" + "".join(chr(0xE0000 + ord(ch)) for ch in T_CLASSIC[4:]))


def encoding(c: Corpus) -> None:
    """14. Percent-encoding and other encodings."""
    c.start(
        "encoding",
        "Percent-encoded, HTML-entity, escaped, base64-like and header/URL-wrapped tokens and breakouts.",
    )
    enc = [
        "ghp_%27%3B",
        T_CLASSIC + "%00",
        T_CLASSIC + "%0A",
        "%2527",
        "%u0027",
        T_CLASSIC + "%20",
        "ghp_&#39;",
        "&#x27;&#59;",
        "ghp_\\x27",
        "ghp_\\u0027",
        "ghp_\\047",
        "Z2hwXw==",
        T_CLASSIC + "==",
        T_CLASSIC + "+/",
        "https://x-access-token:" + T_CLASSIC + "@github.com/o/r.git",
        "Bearer " + T_CLASSIC,
        "token " + T_CLASSIC,
        "Authorization: token " + T_CLASSIC,
        "GITHUB_TOKEN=" + T_CLASSIC,
        "export GITHUB_TOKEN=" + T_CLASSIC,
        T_CLASSIC + ",",
        "ghp-" + T_CLASSIC[4:],
        "github-pat-" + T_FINE[11:],
        T_CLASSIC + "." + T_CLASSIC,
        T_CLASSIC.replace("_", "%5F"),
        "ghp_" + T_CLASSIC[4:].encode().hex()[:36] + "%",
    ]
    for s in enc:
        c.add(s)
    for make in [lambda i: "'; " + S(i) + " #", lambda i: "\n!" + SH(i)]:
        c.add(lambda i, make=make: quote(make(i), safe=""))
        c.add(lambda i, make=make: quote(quote(make(i), safe=""), safe=""))
        c.add(lambda i, make=make: "".join(f"&#{ord(ch)};" for ch in make(i)))
        c.add(lambda i, make=make: "".join(f"\\x{ord(ch):02x}" for ch in make(i)))
        c.add(lambda i, make=make: "".join(f"\\u{ord(ch):04x}" for ch in make(i)))


def reserved_env_name(c: Corpus) -> None:
    """15. Reserved environment variable names (policy)."""
    c.start(
        "reserved-env-name",
        "Valid identifiers refused by policy as environment variable names: the reserved names "
        "and prefixes of src/policy/policy.json in several letter cases, names that do not look "
        "like token variables, and token-like names.",
        paths=("envName", "modelId", "language", "browser"),
    )
    reserved = [
        *sorted(ENV_NAME_POLICY["reserved"]),
        "LD_PRELOAD",
        "LD_LIBRARY_PATH",
        "LD_AUDIT",
        "DYLD_INSERT_LIBRARIES",
        "DYLD_LIBRARY_PATH",
        "PYTHONSTARTUP",
        "PYTHONPATH",
        "PYTHONHOME",
        "PYTHONINSPECT",
        "PYTHONWARNINGS",
        "PYTHONBREAKPOINT",
        "PYTHONUSERBASE",
        "JPY_SESSION_NAME",
        "JPY_PARENT_PID",
        "JUPYTER_CONFIG_DIR",
        "JUPYTER_PATH",
        "JUPYTER_RUNTIME_DIR",
        "IPYTHONDIR",
        "LC_ALL",
        "LC_CTYPE",
        "BASH_FUNC_x",
        "GIT_ASKPASS",
        "GIT_SSH_COMMAND",
        "GIT_SSH",
        "GIT_EDITOR",
        "GIT_PAGER",
        "GIT_TRACE",
        "GIT_TRACE_CURL",
        "GIT_CONFIG_COUNT",
        "GIT_CONFIG_KEY_0",
        "GIT_CONFIG_VALUE_0",
        "GIT_EXEC_PATH",
        "GIT_DIR",
        "GIT_PROXY_COMMAND",
        "GIT_EXTERNAL_DIFF",
        # Not reserved, refused because they do not look like token variables (issue 9).
        "HISTFILE",
        "SSLKEYLOGFILE",
        "REQUESTS_CA_BUNDLE",
        "NODE_OPTIONS",
        "XDG_CONFIG_HOME",
        "GITHUB_PATH",
        "GITHUB_ENV",
        "GITHUB_TOKEN_FILE",
    ]
    for k, name in enumerate(reserved):
        c.add(name)
        if k % 2 == 0:
            c.add([name.lower(), name.capitalize(), name[:1].lower() + name[1:]][k % 3])
    # Names that look like tokens (refused as names; as tokens they would be well formed).
    for name in [
        "ghp_GITHUB_TOKEN",
        "GHP_TOKEN",
        "gho_x",
        "ghu_x",
        "ghr_x",
        "github_pat_x",
        "GITHUB_PAT_TOKEN",
        T_CLASSIC[:-1],
        T_FINE[:-1],
        T_LEGACY.upper(),
    ]:
        c.add(name)


def model_id_lookalike(c: Corpus) -> None:
    """16. ipywidgets model id look-alikes."""
    c.start(
        "model-id-lookalike",
        "Almost-ipywidgets model ids (uuid4().hex): 31 or 33 hex digits, uppercase or mixed "
        "case, a non-hex letter, dashes, braces; only the model id check must refuse them.",
        paths=("modelId", "language", "browser"),
    )
    mid = MODEL_ID_SAMPLE
    c.add(mid[:-1])
    c.add(mid[1:])
    c.add(mid + "0")
    c.add(mid + "f")
    c.add(mid[:16])
    c.add(mid * 2)
    c.add(mid.upper())
    c.add(mid[:-1] + mid[-1].upper() if mid[-1].isalpha() else mid[:-1] + "A")
    c.add(mid[:10] + "g" + mid[11:])
    c.add(mid[:10] + "G" + mid[11:])
    c.add(mid[:10] + "z" + mid[11:])
    c.add("A" + mid[1:])
    c.add("0x" + mid[:-2])
    c.add("IPY_MODEL_" + mid)
    c.add(chars("ght-corpus/model2", MODEL_ID_LENGTH - 1, HEX))
    c.add(chars("ght-corpus/model3", MODEL_ID_LENGTH + 1, HEX))
    c.add(chars("ght-corpus/model4", MODEL_ID_LENGTH, HEX.upper()))
    c.add(chars("ght-corpus/model5", MODEL_ID_LENGTH, HEX + "".join(ch.upper() for ch in HEX if ch.isalpha())))
    c.add("_" * MODEL_ID_LENGTH)
    c.add("0" * (MODEL_ID_LENGTH - 1))
    # These contain characters outside [A-Za-z0-9_]: every path refuses them too.
    c.add("-".join([mid[:8], mid[8:12], mid[12:16], mid[16:20], mid[20:]]))
    c.add("{" + mid + "}")
    c.add(mid + "'")
    c.add("'" + mid)
    c.add(mid[:-1] + "'")
    c.add(lambda i: mid + "'; " + S(i) + " #")
    c.add(lambda i: mid + "'] + [" + S(i) + "] + ['")
    c.add(lambda i: mid + "', " + S(i) + ", '")
    c.add(mid + "\n")
    c.add(mid + "\x00")
    c.add(" " + mid)
    c.add(mid + " ")
    c.add(mid[:16] + "\u200b" + mid[16:])
    c.add(mid.replace("a", "\u0430", 1) if "a" in mid else mid[:5] + "\u0430" + mid[6:])
    c.add(mid.replace("e", "\u0435", 1) if "e" in mid else mid[:6] + "\u0435" + mid[7:])
    c.add(mid.replace("c", "\u0441", 1) if "c" in mid else mid[:7] + "\u0441" + mid[8:])
    c.add("".join(chr(ord(ch) + 0xFEE0) for ch in mid))
    c.add(mid[:20] + "\u0661" + mid[21:])  # Arabic-Indic digit one
    c.add(mid[:20] + "\U0001d7cf" + mid[21:])  # mathematical digit one
    c.add(mid[:-1] + "\u0301")


#: The groups, in the order their strings appear (the indexes are part of the file).
GROUPS: tuple[Callable[[Corpus], None], ...] = (
    quote_breakout,
    newline,
    control_char,
    lookalike,
    language_name,
    one_bad_char,
    very_long,
    empty_whitespace,
    python_code,
    shell,
    json_html_js,
    magic,
    surrogate,
    emoji,
    encoding,
    reserved_env_name,
    model_id_lookalike,
)


def build() -> Corpus:
    c = Corpus()
    for group in GROUPS:
        group(c)
    return c


def compute_paths(corpus: Corpus) -> list[list[str]]:
    out = []
    for s, group in zip(corpus.strings, corpus.group_of):
        refused = [p for p in ALL_PATHS if not ACCEPTS[p](s)]
        wanted = corpus.groups[group]["paths"]
        missing = [p for p in wanted if p not in refused]
        if missing:
            raise SystemExit(f"corpus error: {group} string {s[:60]!r} is accepted by {missing}")
        out.append(refused)
    return out


def document(corpus: Corpus) -> dict[str, Any]:
    paths = compute_paths(corpus)
    # Groups other than the two exceptions must be refused by every path.
    for s, group, p in zip(corpus.strings, corpus.group_of, paths):
        if group not in ("reserved-env-name", "model-id-lookalike", "language-name"):
            assert p == list(ALL_PATHS), (group, s[:60], p)
    payloads = corpus.payloads
    marker = re.compile(r"append\((\d+)\)|ght-sentinel-(?:decoy-)?(\d+)")
    for i, s in enumerate(corpus.strings):
        # Every payload names its own index and no other (also once decoded).
        views = [s, unquote(s), unquote(unquote(s)), html.unescape(s), s[::-1]]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with suppress(UnicodeDecodeError):
                views.append(s.encode("latin-1", "backslashreplace").decode("unicode_escape"))
        views.append("".join(chr(ord(ch) - 0xE0000) if 0xE0000 <= ord(ch) < 0xE0080 else ch for ch in s))
        found = {int(a or b) for view in views for a, b in marker.findall(view)}
        if i in payloads:
            assert found <= {i}, (i, s[:80], found)
        else:
            assert not found, (i, s[:80], found)
    counts = {p: sum(1 for q in paths if p in q) for p in ALL_PATHS}
    return {
        "sentinel": (
            "Every string that carries code would, if a Python kernel ever ran it, do "
            "__import__('builtins').__dict__.setdefault('GHT_SENTINEL', []).append(<index>) "
            "(<index> = its position in strings) and, where a shell is involved, "
            "touch ght-sentinel-<index> in the kernel's working directory. Nothing else: no "
            "payload deletes, reads, sleeps or blocks. A test proves a path safe when, after "
            "feeding it every string, builtins has no GHT_SENTINEL and no ght-sentinel-* file "
            "exists; 'controls' lists strings with a naive wrapper (@@ = the string) under which "
            "they do fire, to show that the detector can fail."
        ),
        "generator": (
            "test/corpus/make_hostile_corpus.py (deterministic: stdlib, src/policy/policy.json and "
            "the validators of jupyterlab_github_token/token_store.py)"
        ),
        "paths": {
            "token": "assertSafeToken (src/kernel/validation.ts): buildSetEnvCode/buildSetWidgetValueCode token "
            "(src/kernel/code.ts), rewriteAssignmentToLiteral token (src/notebook/fields.ts), server PUT token "
            "(jupyterlab_github_token/token_store.py validate_token)",
            "envName": "assertSafeEnvName(s) (src/kernel/validation.ts): builders' names (src/kernel/code.ts), "
            "rewriteAssignmentToEnvRead (src/notebook/fields.ts), replaceTokensInPythonSource envName "
            "(src/python/rewrite.ts), server PUT variables (jupyterlab_github_token/token_store.py "
            "validate_env_names)",
            "modelId": "assertSafeModelIds (src/kernel/validation.ts): "
            "buildSetWidgetValueCode/buildWidgetValueCheckExpression model ids (src/kernel/code.ts)",
            "language": "isSupportedKernelLanguage (src/kernel/validation.ts): every builder's language",
            "browser": "the panel's token field (checkTokenFormat of src/token/format.ts after CR/LF stripping "
            "and trim)",
        },
        "count": len(corpus.strings),
        "pathCounts": counts,
        "payloadCount": len(payloads),
        "payloads": payloads,
        "groups": corpus.groups,
        "controls": corpus.controls,
        "strings": corpus.strings,
        "group": corpus.group_of,
        "pathsOf": paths,
    }


def render() -> str:
    corpus = build()
    doc = document(corpus)
    assert doc["count"] >= 1000, doc["count"]
    assert len(set(corpus.strings)) == len(corpus.strings)
    # ASCII only (every non-ASCII character and lone surrogate as \u escapes), one
    # string per line.
    lines = ["{"]
    keys = list(doc)
    for n, key in enumerate(keys):
        value = doc[key]
        end = "," if n < len(keys) - 1 else ""
        if key in ("strings", "group", "pathsOf", "controls"):
            items = [json.dumps(v, ensure_ascii=True) for v in value]
            lines.append(f" {json.dumps(key)}: [")
            lines.extend(f"  {item}," for item in items[:-1])
            lines.append(f"  {items[-1]}")
            lines.append(f" ]{end}")
        elif key == "payloads":
            lines.append(f" {json.dumps(key)}: {json.dumps(value)}{end}")
        else:
            body = json.dumps(value, ensure_ascii=True, indent=1).replace("\n", "\n ")
            lines.append(f" {json.dumps(key)}: {body}{end}")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    assert json.loads(text) == json.loads(json.dumps(doc)), "rendering changed the document"
    return text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the JSON file is not up to date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = OUT.read_text(encoding="ascii") if OUT.exists() else ""
        if current != text:
            print(f"{OUT} is out of date: run {Path(__file__).name}", file=sys.stderr)
            return 1
        print(f"{OUT} is up to date")
        return 0
    OUT.write_text(text, encoding="ascii")
    doc = json.loads(text)
    print(f"wrote {OUT.relative_to(HERE.parents[1])}: {doc['count']} strings, {doc['payloadCount']} with payloads")
    for name, group in doc["groups"].items():
        print(f"  {name:20} {group['count']:5}  paths: {','.join(group['paths'])}")
    print("  per path:", doc["pathCounts"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
