"""The one policy (src/policy/policy.json): one file, read by both languages, never copied.

- the Python reader (``policy.py``) and the page (``policy.ts``) read the same file;
- the shared vectors (test/corpus/mask-cases.json, url-cases.json; token-cases.json
  and env-name-cases.json have their own tests) give the same answers in Python as
  in TypeScript (test/unit/token/mask.spec.ts, test/unit/policy/urlCases.spec.ts);
- no source file holds a copy of a policy value: the forbidden literals are derived
  from policy.json itself, so a value changed there cannot survive elsewhere.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from jupyterlab_github_token import policy
from jupyterlab_github_token.environment import is_loopback_host, normalize_api_base_url
from jupyterlab_github_token.token_store import mask_token

POLICY_JSON = ROOT / "src" / "policy" / "policy.json"
CORPUS = ROOT / "test" / "corpus"
MASK_CASES = json.loads((CORPUS / "mask-cases.json").read_text(encoding="utf-8"))["cases"]
URL_CASES = json.loads((CORPUS / "url-cases.json").read_text(encoding="utf-8"))
RAW: dict[str, Any] = json.loads(POLICY_JSON.read_text(encoding="utf-8"))
TOKEN = RAW["token"]
ENV = RAW["envName"]
GITHUB = RAW["github"]


# --- One file -------------------------------------------------------------------


def test_python_reads_the_file_the_page_imports():
    package_copy = ROOT / "jupyterlab_github_token" / "policy.json"
    assert package_copy.read_bytes() == POLICY_JSON.read_bytes()
    assert policy.POLICY == RAW
    assert policy.TOKEN_POLICY is policy.POLICY["token"]
    policy_ts = (ROOT / "src" / "policy" / "policy.ts").read_text(encoding="utf-8")
    assert re.search(r"^import policy from '\./policy\.json';$", policy_ts, re.M)


def test_the_package_copy_is_a_link_in_the_source_tree():
    link = ROOT / "jupyterlab_github_token" / "policy.json"
    assert link.is_symlink() and link.resolve() == POLICY_JSON.resolve()


# --- The shape the readers rely on (policy.spec.ts checks the same) -----------------


def test_prefixes_end_in_an_underscore_and_short_ones_share_a_length():
    prefixes = [rule["prefix"] for rule in TOKEN["prefixes"]]
    assert all(prefix.endswith("_") for prefix in prefixes)
    short = [prefix for prefix in prefixes if prefix != TOKEN["fineGrained"]["prefix"]]
    assert len({len(prefix) for prefix in short}) == 1
    assert TOKEN["fineGrained"]["prefix"] in prefixes
    kinds = {rule["kind"] for rule in TOKEN["prefixes"] if rule["prefix"] in short}
    assert set(TOKEN["fixedLength"]["kinds"]) <= kinds


def test_charsets_and_checksum_alphabet_agree():
    ascii_chars = [chr(code) for code in range(128)]
    word = {c for c in ascii_chars if re.fullmatch(TOKEN["charset"], c)}
    body = {c for c in ascii_chars if re.fullmatch(TOKEN["bodyCharset"], c)}
    assert body == word - {"_"}
    alphabet = TOKEN["fixedLength"]["checksumAlphabet"]
    assert len(alphabet) == len(set(alphabet)) == 62 and set(alphabet) == body


def test_patterns_compile_the_same_way_as_in_javascript():
    """Only syntax both engines read alike: classes, counted repeats, groups, alternation."""
    for pattern in (
        TOKEN["legacy"],
        ENV["pattern"],
        ENV["tokenVariable"],
        RAW["widgetModelId"]["pattern"],
        GITHUB["login"],
        GITHUB["expirationHeader"],
    ):
        assert not re.search(r"\\[AZbBdDsSwW]|\(\?P|\(\?[aiLmsux]", pattern), pattern
        compiled = policy.whole_match(pattern)
        assert not compiled.fullmatch("")
    assert policy.whole_match(ENV["tokenVariable"]).fullmatch("MY_PAT")
    assert not policy.whole_match(ENV["tokenVariable"]).fullmatch("NOPAT_X")
    assert TOKEN["scan"]["minLength"] == len(TOKEN["fineGrained"]["prefix"]) + TOKEN["fineGrained"]["firstPart"]


@pytest.mark.parametrize(
    "login, ok",
    [
        ("octocat", True),
        ("octo-scientist", True),
        ("a", True),
        ("x" * 39, True),
        ("dependabot[bot]", True),  # a GitHub App's account
        ("github-actions[bot]", True),
        ("mona-cat_octo", True),  # an Enterprise Managed User (handle_shortcode)
        ("x" * 40, False),
        ("-octocat", False),
        ("[bot]", False),
        ("octocat[bot][bot]", False),
        ("octo cat", False),
        ("bad login; rm", False),
        ("<script>", False),
        ("octo.cat", False),
        ("", False),
    ],
)
def test_the_login_rule(login: str, ok: bool) -> None:
    assert bool(policy.whole_match(policy.GITHUB_POLICY["login"]).fullmatch(login)) is ok


@pytest.mark.parametrize(
    "value, groups",
    [
        ("2026-12-24 10:00:00 UTC", ("2026", "12", "24", "10", "00", "00", "UTC")),
        ("2027-01-05 09:30 -0700", ("2027", "01", "05", "09", "30", None, "-0700")),
        (" 2027-01-05T09:30:00+07:00 ", ("2027", "01", "05", "09", "30", "00", "+07:00")),
        ("2027-01-05 09:30:00 utc", ("2027", "01", "05", "09", "30", "00", "utc")),
        ("2027-01-05 09:30:00", None),
        ("\u0662\u0660\u0662\u0667-01-05 09:30:00 UTC", None),  # non-ASCII digits, as in JavaScript
        ("2027-01-05 09:30:00 UTC\n", None),
    ],
)
def test_the_expiration_header_rule(value: str, groups: tuple[str | None, ...] | None) -> None:
    match = policy.whole_match(policy.GITHUB_POLICY["expirationHeader"], re.IGNORECASE).fullmatch(value)
    assert (match.groups() if match else None) == groups


def test_defaults_are_valid_unreserved_token_variables():
    for name in ENV["defaults"]:
        assert policy.whole_match(ENV["pattern"]).fullmatch(name)
        assert policy.whole_match(ENV["tokenVariable"]).fullmatch(name)
        assert name not in ENV["reserved"]
        assert not name.startswith(tuple(ENV["reservedPrefixes"]))
    assert len(ENV["defaults"]) <= ENV["maxNames"]


# --- Shared vectors ---------------------------------------------------------------


@pytest.mark.parametrize("case", MASK_CASES, ids=[c["why"] for c in MASK_CASES])
def test_mask_cases(case):
    assert mask_token(case["token"]) == case["mask"]


@pytest.mark.parametrize("case", URL_CASES["urls"], ids=[c["why"] for c in URL_CASES["urls"]])
def test_url_cases(case):
    if case["normalized"] is None:
        with pytest.raises(ValueError):
            normalize_api_base_url(case["url"])
    else:
        assert normalize_api_base_url(case["url"]) == case["normalized"]


@pytest.mark.parametrize("case", URL_CASES["hosts"], ids=[repr(c["host"]) for c in URL_CASES["hosts"]])
def test_loopback_cases(case):
    assert is_loopback_host(case["host"]) is case["loopback"]


# --- No copies ----------------------------------------------------------------------

#: Where a copy could hide: the page's sources, the server package, the fake API and
#: the corpus generator. (Tests may spell values out: they are what checks them.)
SCANNED = (
    ("src", "**/*.ts"),
    ("src", "**/*.tsx"),
    ("jupyterlab_github_token", "*.py"),
    ("test/fake_github", "*.py"),
    ("test/corpus", "*.py"),
)
#: The readers themselves.
READERS = {ROOT / "src" / "policy" / "policy.ts", ROOT / "jupyterlab_github_token" / "policy.py"}

#: Quotes of a string literal (markdown's backticks in comments name examples, not lists).
QUOTE = "['\"]"


def _quoted(value: str) -> str:
    return f"{QUOTE}{re.escape(value)}{QUOTE}"


def _prefix_class(prefixes: list[str]) -> str | None:
    """``gh[pousr]_``: the short prefixes written as one character class, if they can be."""
    if len(prefixes) < 2:
        return None
    differing = [i for i in range(len(prefixes[0])) if len({p[i] for p in prefixes}) > 1]
    if len(differing) != 1:
        return None
    i = differing[0]
    letters = "".join(p[i] for p in prefixes)
    return f"{prefixes[0][:i]}[{letters}]{prefixes[0][i + 1 :]}"


def _substring_rules() -> list[tuple[str, str]]:
    """(what, literal text) pairs no scanned file may contain."""
    fine = TOKEN["fineGrained"]
    fixed = TOKEN["fixedLength"]
    short = [r["prefix"] for r in TOKEN["prefixes"] if r["prefix"] != fine["prefix"]]
    rules = [
        ("the mask glyphs", RAW["mask"]["hidden"]),
        ("the checksum alphabet", fixed["checksumAlphabet"]),
        ("the token length bound", f"{{1,{TOKEN['maxLength']}}}"),
        ("the legacy token pattern", TOKEN["legacy"]),
        ("the env name pattern", ENV["pattern"]),
        ("the token-variable pattern", ENV["tokenVariable"]),
        ("the widget model id pattern", RAW["widgetModelId"]["pattern"]),
    ]
    # Each counted class of a policy pattern ([A-Za-z0-9_]{0,127}, [0-9a-fA-F]{40}...).
    for pattern in (TOKEN["legacy"], ENV["pattern"], RAW["widgetModelId"]["pattern"]):
        for piece in re.findall(r"\[[^\]]+\]\{\d+(?:,\d*)?\}", pattern):
            rules.append((f"a piece of a policy pattern ({piece})", piece))
            repeat = piece[piece.index("]") + 1 :]
            if "," in repeat:  # {0,127}; a bare {32} is too common to mean the policy
                rules.append((f"the repeat of a policy pattern ({piece})", repeat))
    # The token shapes as counted classes of the token charsets.
    for charset in (TOKEN["charset"], TOKEN["bodyCharset"]):
        for count in (fixed["bodyLength"], fine["firstPart"], fine["secondPart"]):
            rules.append(("a token shape", f"{charset}{{{count}}}"))
            rules.append(("a token shape", f"{charset}{{{count},}}"))
    # GitHub's login and expiry header rules, also as written before the policy had them.
    rules.append(("the login pattern", GITHUB["login"]))
    header = GITHUB["expirationHeader"]
    rules.append(("the expiry header pattern", header))
    rules.append(("the expiry header pattern", header.replace("[0-9]", "\\d").replace("[ \\t]", "\\s")))
    prefix_class = _prefix_class(short)

    if prefix_class:
        rules.append(("the prefixes as a character class", prefix_class))
    return rules


def _numbers() -> set[int]:
    fine = TOKEN["fineGrained"]
    fixed = TOKEN["fixedLength"]
    short = len(next(r["prefix"] for r in TOKEN["prefixes"] if r["prefix"] != fine["prefix"]))
    found = {
        TOKEN["maxLength"],
        fixed["bodyLength"],
        short + fixed["bodyLength"],
        fine["firstPart"],
        fine["secondPart"],
        len(fine["prefix"]) + fine["firstPart"] + 1 + fine["secondPart"],
        TOKEN["scan"]["minLength"],
        RAW["apiBaseUrl"]["maxLength"],
    }
    # Numbers that mean many other things too (40, 16, 12...) are left to the shared vectors.
    return {n for n in found if n >= 22 and n != 40}


#: ``NAME = 255`` / ``const BODY_LENGTH = 36;``: a constant set to a policy number.
CONSTANT = re.compile(
    r"^\s*(?:export\s+)?(?:const\s+|let\s+)?_?[A-Z][A-Z0-9_]*\s*(?::\s*[\w\[\]|<> ]+)?=\s*(\d+)\s*;?\s*(?:#.*|//.*)?$"
)


def _lists() -> list[tuple[str, list[str], int]]:
    """(what, values, how many quoted on one line or in one file make a copy)."""
    return [
        ("the prefix list", [r["prefix"] for r in TOKEN["prefixes"]], 2),
        ("the reserved names", ENV["reserved"], 4),
        ("the reserved prefixes", ENV["reservedPrefixes"], 3),
        ("the default names", ENV["defaults"], len(ENV["defaults"])),
        ("the loopback hosts", [*RAW["apiBaseUrl"]["loopbackNames"], "127.0.0.1", "[::1]", "::1"], 2),
    ]


def _scanned_files() -> Iterator[Path]:
    for folder, glob in SCANNED:
        for path in sorted((ROOT / folder).glob(glob)):
            if path not in READERS and "node_modules" not in path.parts:
                yield path


def policy_copies() -> list[str]:
    """``file:line: what`` for every copy of a policy value in the scanned files."""
    substrings = _substring_rules()
    numbers = _numbers()
    lists = [(what, [re.compile(_quoted(v)) for v in dict.fromkeys(values)], least) for what, values, least in _lists()]
    found: list[str] = []
    for path in _scanned_files():
        name = path.relative_to(ROOT).as_posix()
        lines = path.read_text(encoding="utf-8").splitlines()
        per_file: dict[str, set[int]] = {}
        for number, line in enumerate(lines, 1):
            for what, literal in substrings:
                if literal in line:
                    found.append(f"{name}:{number}: {what} {literal!r}")
            constant = CONSTANT.match(line)
            if constant and int(constant.group(1)) in numbers:
                found.append(f"{name}:{number}: a policy number as a constant ({line.strip()})")
            for what, patterns, least in lists:
                hits = {i for i, pattern in enumerate(patterns) if pattern.search(line)}
                per_file.setdefault(what, set()).update(hits)
                if what in ("the prefix list", "the loopback hosts", "the default names") and len(hits) >= least:
                    found.append(f"{name}:{number}: {what} written out")
        for what, _patterns, least in lists:
            if what in ("the reserved names", "the reserved prefixes") and len(per_file.get(what, ())) >= least:
                found.append(f"{name}: {what} written out ({len(per_file[what])} of them)")
    return found


def test_the_forbidden_literals_catch_the_old_copies():
    """The derivation finds what the copies looked like before the policy."""
    literals = {literal for _what, literal in _substring_rules()}
    for old in ("{1,255}", "{0,127}", "[0-9a-f]{32}", "[0-9a-f]{40}", "gh[pousr]_", "\u2022\u2022\u2022\u2022"):
        assert any(old in literal or literal in old for literal in literals), old
    # headers.ts and github_check.py before the policy had the expiry header.
    old_header = r"/^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?\s*(UTC|GMT|Z|[+-]\d{2}:?\d{2})\s*$/i"
    assert any(literal in old_header for literal in literals)
    assert CONSTANT.match("_MAX_TOKEN_LENGTH = 255") and CONSTANT.match("const BODY_LENGTH = 36;")
    assert 255 in _numbers()


def test_no_copy_of_a_policy_value():
    copies = policy_copies()
    assert not copies, "copies of policy values (derive them from the policy instead):\n" + "\n".join(copies)


def test_the_settings_schema_states_the_policy():
    """schema/plugin.json is JSON Schema (it cannot read the policy): it must say what the policy says."""
    properties = json.loads((ROOT / "schema" / "plugin.json").read_text(encoding="utf-8"))["properties"]
    names = properties["environmentVariables"]
    assert names["items"]["pattern"] == f"^{policy.ENV_NAME_POLICY['pattern']}$"
    assert names["maxItems"] == policy.ENV_NAME_POLICY["maxNames"]
    assert names["default"] == policy.ENV_NAME_POLICY["defaults"]
    assert properties["apiBaseUrl"]["default"] == policy.API_BASE_URL_POLICY["default"]
