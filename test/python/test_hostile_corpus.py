"""The hostile-input corpus (test/corpus/hostile-strings.json) against the server extension.

1. Every corpus string that the token check must refuse is sent as the token
   (``PUT .../token``), and every one the variable-name check must refuse as a
   variable name: each gets a 4xx with a clear JSON message that does not repeat
   it, and the server holds nothing afterwards. The verification proxy refuses the
   same tokens without contacting the GitHub API.
2. A kernel started after all those refused PUTs has no ``GHT_SENTINEL`` in
   ``builtins``, no ``ght-sentinel-*`` file in its working directory and nothing
   from the corpus in its environment.
3. Control, in another real kernel: the corpus payloads concatenated naively into
   code (``x = '<payload>'`` and the like) DO run the sentinel, so the detector can
   fail and the payloads are really dangerous.
"""

import json
import time
from pathlib import Path
from typing import Any

from conftest import ROOT, TOKENS, run_in_kernel

NS = "jupyterlab-github-token"
TOKEN = TOKENS["classicRepo"]["token"]
CORPUS_PATH = ROOT / "test" / "corpus" / "hostile-strings.json"
CORPUS = json.loads(CORPUS_PATH.read_text(encoding="ascii"))
STRINGS = CORPUS["strings"]
MAX_BODY = 64 * 1024
TOKEN_REASONS = {"token-empty", "token-length", "token-characters"}
PAYLOAD_MARKERS = ("__import__", "GHT_SENTINEL", "ght-sentinel", "touch ")


def applies(path):
    return [(i, s) for i, s in enumerate(STRINGS) if path in CORPUS["pathsOf"][i]]


def label(i):
    return f"#{i} [{CORPUS['group'][i]}] {STRINGS[i][:50]!r}"


def message_problems(i, message, name_may_be_named=False):
    s = STRINGS[i]
    if not isinstance(message, str) or not message.strip():
        return ["empty message"]
    problems = []
    identifier = s.isascii() and s.isidentifier() and len(s) <= 128
    if len(s) > 3 and s in message and not (name_may_be_named and identifier):
        problems.append(f"message repeats the string: {message[:120]!r}")
    for marker in PAYLOAD_MARKERS:
        if marker in s and marker in message:
            problems.append(f"message shows part of the payload ({marker})")
    return problems


async def call(jp_fetch, method, *parts, body=None):
    raw = json.dumps(body) if body is not None else ("" if method in ("PUT", "POST") else None)
    response = await jp_fetch(*parts, method=method, body=raw, raise_error=False, allow_nonstandard_methods=True)
    text = response.body.decode("utf-8") if response.body else ""
    data = json.loads(text) if text.strip().startswith("{") else None
    return response.code, data, text, len(raw or "")


async def start_kernel(jp_fetch, path):
    """Start a python3 kernel in the folder ``path`` (under the notebook root); return its id."""
    code, model, text, _ = await call(jp_fetch, "POST", "api", "kernels", body={"name": "python3", "path": path})
    assert code == 201, text
    return model["id"]


def fake_api(base_url, path, method="GET"):
    import urllib.request

    request = urllib.request.Request(base_url + path, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read().decode())


# --------------------------------------------------------------------------
# Real kernels
# --------------------------------------------------------------------------


# Never prints a value from the environment: only names, and whether a corpus
# marker appears anywhere in it.
PROBE = r"""
import builtins, glob, json, os
print("@@PROBE@@" + json.dumps({
    "sentinel": builtins.__dict__.get("GHT_SENTINEL"),
    "files": sorted(glob.glob("ght-sentinel-*")),
    "cwd": os.getcwd(),
    "token_vars": sorted(k for k in ("GITHUB_TOKEN", "GH_TOKEN") if k in os.environ),
    "marked_env": sorted(k for k, v in os.environ.items()
                         if any(m in k or m in v for m in ("GHT_SENTINEL", "ght-sentinel", "__import__"))),
}))
"""


def probe_result(out):
    line = [line for line in out.splitlines() if line.startswith("@@PROBE@@")][-1]
    return json.loads(line[len("@@PROBE@@") :])


# Runs every payload of the corpus through naive code builders, in the kernel it
# runs in: each wrapper is what a careless implementation would do with the string.
NAIVE = r"""
import builtins, glob, html, json, os, subprocess, time, unicodedata
from urllib.parse import unquote
corpus = json.load(open(__CORPUS_PATH__, encoding="ascii"))
Q3 = chr(34) * 3
ip = get_ipython()


class Shell:
    # get_ipython() for the naive code: ! lines expand {expr} and $name like
    # IPython's system() does, then run in /bin/sh (quietly, and faster than
    # ipykernel's pty-based system(), which matters for 1,000+ commands).

    def system(self, cmd):
        cmd = ip.var_expand(cmd, depth=1)
        subprocess.run(cmd, shell=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=30)

    getoutput = system

    def __getattr__(self, name):
        return getattr(ip, name)


shell = Shell()

def unescape(s):
    try:
        return s.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except Exception:
        return s

STRAIGHT = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                          "\u00b4": "'", "\u02bc": "'", "`": "'", "\u201c": '"', "\u201d": '"'})


def lines(code):
    return "\n".join(code.splitlines())


# Where a naive builder puts the string (Q: the quotes it uses around it).
CONTEXTS = {
    "x = Q@@Q": ("x = ", ""),
    "str(Q@@Q)": ("str(", ")"),
    "x = [Q@@Q]": ("x = [", "]"),
    "dict().update({'k': Q@@Q})": ("dict().update({'k': ", "})"),
}
WRAPPERS = {}
for q in ("'", '"', "'" * 3, Q3):
    for name, (head, tail) in CONTEXTS.items():
        label = name.replace("Q", q)
        WRAPPERS[label] = lambda s, q=q, head=head, tail=tail: head + q + s + q + tail
        # ... escaping only the quote character, or normalizing line breaks first.
        WRAPPERS[label + " with " + q[0] + " escaped"] = (
            lambda s, q=q, head=head, tail=tail: head + q + s.replace(q[0], "\\" + q[0]) + q + tail)
        WRAPPERS[label + " after splitlines()"] = (
            lambda s, q=q, head=head, tail=tail: lines(head + q + s + q + tail))
WRAPPERS.update({
    "x = f'@@'": lambda s: "x = f'" + s + "'",
    'x = f"@@"': lambda s: 'x = f"' + s + '"',
    'x = {"token": "@@"}': lambda s: 'x = {"token": "' + s + '"}',
    "json.loads('@@')": lambda s: "x = __import__('json').loads('" + s + "')",
    "@@ (as code)": lambda s: s,
    "str(@@) (unquoted argument)": lambda s: "str(" + s + ")",
    "# token: @@ (a comment)": lambda s: "# token: " + s,
    "# token: @@ after splitlines()": lambda s: lines("# token: " + s),
    "!echo @@": lambda s: "!echo " + s,
    '!echo "@@"': lambda s: '!echo "' + s + '"',
    "!echo '@@'": lambda s: "!echo '" + s + "'",
    "sh -c 'echo @@'": lambda s: (
        "__import__('subprocess').run(" + repr("echo " + s) + ", shell=True, stdout=-3, stderr=-3)"
    ),
    "%env X=@@": lambda s: "%env GHT_NAIVE=" + s,
    "x = '@@' percent-decoded": lambda s: "x = '" + unquote(unquote(s)) + "'",
    "x = '@@' HTML-unescaped": lambda s: "x = '" + html.unescape(s) + "'",
    "x = '@@' backslash-unescaped": lambda s: "x = '" + unescape(s) + "'",
    "x = '@@' NFKC-normalized": lambda s: "x = '" + unicodedata.normalize("NFKC", s) + "'",
    "x = '@@' typographic quotes straightened": lambda s: "x = '" + s.translate(STRAIGHT) + "'",
    'x = "@@" typographic quotes straightened': lambda s: 'x = "' + s.translate(STRAIGHT) + '"',
})

fired = {}
cross = []
started = time.time()
skipped = []
for i in corpus["payloads"]:
    s = corpus["strings"][i]
    if len(s) > 4096:
        skipped.append(i)  # length tests: their code is the same as shorter ones'
        continue
    for name, wrap in WRAPPERS.items():
        before = list(builtins.__dict__.get("GHT_SENTINEL", []))
        try:
            code = wrap(s)
            # IPython syntax (! % ?) needs IPython's transformer; plain Python does not.
            source = ip.transform_cell(code) if ("!" in code or "%" in code or "?" in code) else code
            exec(compile(source, "<naive>", "exec"), {"get_ipython": lambda: shell, "__name__": "naive"})
        except BaseException:
            pass
        new = builtins.__dict__.get("GHT_SENTINEL", [])[len(before):]
        if new:
            fired.setdefault(str(i), []).append(name)
            cross.extend(n for n in new if n != i)
time.sleep(1)  # let background shell payloads (cmd &) finish
files = sorted(glob.glob("ght-sentinel-*"))
print("@@NAIVE@@" + json.dumps({"fired": fired, "cross": cross, "files": files, "skipped": skipped,
                                "seconds": round(time.time() - started, 1)}))
"""


# --------------------------------------------------------------------------
# The test
# --------------------------------------------------------------------------


async def test_hostile_corpus_is_refused_and_never_runs(
    jp_fetch, jp_serverapp, jp_root_dir, fake_github, all_logs, capsys
):
    assert CORPUS["count"] == len(STRINGS) >= 1000
    timings = {}

    # --- 1a. every hostile token ---------------------------------------------
    started = time.monotonic()
    failures = []
    statuses: dict[Any, Any] = {}
    for i, s in applies("token"):
        code, data, text, size = await call(jp_fetch, "PUT", NS, "token", body={"token": s, "apiBaseUrl": fake_github})
        statuses[code] = statuses.get(code, 0) + 1
        if size > MAX_BODY:
            if code != 413:
                failures.append(f"{label(i)}: {code} for a {size}-byte body")
        elif code != 400 or not data or data.get("reason") not in TOKEN_REASONS:
            failures.append(f"{label(i)}: {code} {text[:100]}")
        failures += [f"{label(i)}: {p}" for p in message_problems(i, (data or {}).get("message"))]
        if len(s) > 3 and s in text:
            failures.append(f"{label(i)}: response repeats the string")
    assert failures == []
    timings["PUT token"] = (len(applies("token")), time.monotonic() - started, statuses)

    # --- 1b. every hostile variable name (after a valid one) ----------------
    started = time.monotonic()
    statuses = {}
    for i, s in applies("envName"):
        code, data, text, size = await call(
            jp_fetch,
            "PUT",
            NS,
            "token",
            body={"token": TOKEN, "apiBaseUrl": fake_github, "variables": ["GITHUB_TOKEN", s]},
        )
        statuses[code] = statuses.get(code, 0) + 1
        if size > MAX_BODY:
            if code != 413:
                failures.append(f"{label(i)}: {code} for a {size}-byte body")
        elif code != 400 or not data or data.get("reason") != "name-invalid":
            failures.append(f"{label(i)}: {code} {text[:100]}")
        failures += [f"{label(i)}: {p}" for p in message_problems(i, (data or {}).get("message"), True)]
        assert TOKEN not in text
    assert failures == []
    timings["PUT variables"] = (len(applies("envName")), time.monotonic() - started, statuses)

    # --- 1c. the verification proxy: refused before any request to GitHub ----
    fake_api(fake_github, "/_fake/reset", "POST")
    started = time.monotonic()
    statuses = {}
    for i, s in applies("token"):
        code, data, text, size = await call(
            jp_fetch, "POST", NS, "github", body={"apiBaseUrl": fake_github, "path": "/user", "token": s}
        )
        statuses[code] = statuses.get(code, 0) + 1
        if not (400 <= code < 500) or not data or not data.get("message"):
            failures.append(f"{label(i)}: {code} {text[:100]}")
        failures += [f"{label(i)}: {p}" for p in message_problems(i, (data or {}).get("message"))]
    assert failures == []
    assert fake_api(fake_github, "/_fake/requests") == []
    timings["POST github"] = (len(applies("token")), time.monotonic() - started, statuses)

    # The server holds nothing, and kept no trace of the corpus.
    code, status, text, _ = await call(jp_fetch, "GET", NS, "status")
    assert code == 200
    assert status["tokens"] == [] and status["kernels"] == []
    for marker in PAYLOAD_MARKERS:
        assert marker not in all_logs.text
    assert TOKEN not in all_logs.text

    # --- 2. a kernel started after all of it ------------------------------------
    km = jp_serverapp.kernel_manager
    fresh_dir = Path(jp_root_dir) / "fresh"
    fresh_dir.mkdir()
    fresh = await start_kernel(jp_fetch, "fresh")
    status, out = await run_in_kernel(km, fresh, PROBE)
    assert status == "ok", out
    after = probe_result(out)
    assert Path(after["cwd"]).resolve() == fresh_dir.resolve()
    assert after["sentinel"] is None
    assert after["files"] == []
    assert after["token_vars"] == []
    assert after["marked_env"] == []
    assert list(Path(jp_root_dir).rglob("ght-sentinel-*")) == []

    # --- 3. control: naive code building does run the payloads -----------------
    control_dir = Path(jp_root_dir) / "control"
    control_dir.mkdir()
    control = await start_kernel(jp_fetch, "control")

    # 3a. The corpus' own controls, each as a real cell (IPython transforms ! and %).
    expected = []
    for entry in CORPUS["controls"]:
        i = entry["index"]
        await run_in_kernel(km, control, entry["wrapper"].replace("@@", STRINGS[i]), timeout=60)
        expected.append(i)
    status, out = await run_in_kernel(km, control, PROBE)
    controls = probe_result(out)
    assert Path(controls["cwd"]).resolve() == control_dir.resolve()
    fired = set(controls["sentinel"] or []) | {int(f.rsplit("-", 1)[1]) for f in controls["files"]}
    missing = [label(i) for i in expected if i not in fired]
    assert missing == [], "controls that did not fire"
    assert fired <= set(expected), "a control fired someone else's sentinel"

    # 3b. Every payload through naive builders, in a fresh control kernel.
    naive_kernel = await start_kernel(jp_fetch, "control")
    for f in control_dir.glob("ght-sentinel-*"):
        f.unlink()
    started = time.monotonic()
    status, out = await run_in_kernel(
        km, naive_kernel, NAIVE.replace("__CORPUS_PATH__", repr(str(CORPUS_PATH))), timeout=600
    )
    assert status == "ok", out[-2000:]
    line = [x for x in out.splitlines() if x.startswith("@@NAIVE@@")][-1]
    naive = json.loads(line[len("@@NAIVE@@") :])
    timings["naive builders"] = (len(CORPUS["payloads"]), time.monotonic() - started, {})
    payloads = set(CORPUS["payloads"])
    by_python = {int(i) for i in naive["fired"]}
    by_shell = {int(f.rsplit("-", 1)[1]) for f in naive["files"]}
    assert naive["cross"] == [], "a payload fired another string's sentinel"
    assert by_python <= payloads and by_shell <= payloads
    for i in by_shell:
        assert f"ght-sentinel-{i}" in STRINGS[i] or "ght-sentinel" in STRINGS[i].replace("%2D", "-")
    dangerous = by_python | by_shell
    per_group: dict[str, tuple[int, int]] = {}
    for i in payloads:
        g = CORPUS["group"][i]
        total, hit = per_group.get(g, (0, 0))
        per_group[g] = (total + 1, hit + (i in dangerous))
    per_wrapper: dict[Any, Any] = {}
    for names in naive["fired"].values():
        for name in names:
            per_wrapper[name] = per_wrapper.get(name, 0) + 1
    # The payloads are real: most fire under some naive builder (the rest target
    # contexts the wrappers do not model, e.g. HTML/JavaScript, or cannot be
    # compiled at all, e.g. lone surrogates and NUL), and every kind of payload
    # has members that fire.
    tried = payloads - set(naive["skipped"])
    assert len(dangerous) >= 0.8 * len(tried), sorted(tried - dangerous)[:40]
    for g, (_total, hit) in per_group.items():
        assert hit > 0 or g == "surrogate", f"no {g} payload fired"

    for kid in (fresh, control, naive_kernel):
        await jp_fetch("api", "kernels", kid, method="DELETE")
    # The control kernels' files stay in their folder; none elsewhere.
    assert [p for p in Path(jp_root_dir).rglob("ght-sentinel-*") if p.parent != control_dir] == []

    with capsys.disabled():
        print(f"\nhostile corpus: {len(STRINGS)} strings, {len(payloads)} with payloads")
        for name, (n, seconds, codes) in timings.items():
            print(f"  {name}: {n} items in {seconds:.1f} s {codes or ''}")
        print(f"  controls fired: {len(fired)}/{len(expected)}")
        print(
            f"  payloads that fire under a naive builder: {len(dangerous)}/{len(tried)}"
            f" ({len(naive['skipped'])} payloads over 4 KB not run)"
            f" (Python sentinel {len(by_python)}, shell file {len(by_shell)}), in {naive['seconds']} s in the kernel"
        )
        for g, (total, hit) in sorted(per_group.items()):
            print(f"    {g:20} {hit:4}/{total}")
        for name, n in sorted(per_wrapper.items(), key=lambda kv: -kv[1]):
            print(f"    {n:4}  {name}")
        quiet = sorted(payloads - dangerous)
        print(f"  never fired ({len(quiet)}):", ", ".join(label(i) for i in quiet[:15]))
