"""Report the JavaScript this extension adds to JupyterLab's start-up.

Run `make bench` after `make test` (or after the browser tests). From the
built labextension it lists every chunk with its role, and works out the
start-up set from remoteEntry: the chunks that JupyterLab's loading of the
`./extension` and `./style` modules fetches. Then it prints what the browser
actually fetched at start-up, as recorded by test/e2e/panel.spec.ts in
test/e2e/test-results/startup-bytes.json (that figure decides the exit code).

The budget is 21 KB (21,504 bytes) of JavaScript at start-up: remoteEntry
(the module-federation runtime, and one entry per shared package this
extension consumes), the plugins (commands, sidebar entry, the leak guard's
save hook) and the empty style module. The panel and its CSS, the token
scanner, the leak guard's dialogs and Octokit load later.

Options: --static DIR reads another build's static folder (e.g. one built in a
separate worktree); --no-browser ignores the browser measurement and checks
the build's start-up set against the budget instead.
"""

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "jupyterlab_github_token" / "labextension" / "static"
MEASURED = ROOT / "test" / "e2e" / "test-results" / "startup-bytes.json"
BUDGET = 21 * 1024

# Named chunks (webpackChunkName in src/) and when they load.
LAZY_ROLES = {
    "flow": "lazy: panel flow and its CSS, when the panel is first shown",
    "leak-guard": "lazy: token scanner and save checks, on the first notebook opened or file saved",
    "leak-guard-dialogs": "lazy: leak guard dialogs and their CSS, when a token is found",
    "octokit": "lazy: Octokit, on the first Verify",
}

# `"./extension":()=>X.e(12)...then(` or `Promise.all([X.e(1),X.e(2)]).then(`
EXPOSE = re.compile(r'"\./(extension|style)":\(\)=>(.*?)\.then\(')
CHUNK_LOAD = re.compile(r"\.e\((\d+)\)")
# The chunk id -> content hash map of the chunk file names.
CHUNK_HASH = re.compile(r'(\d+):"([0-9a-f]{16,})"')


def startup_files(static: Path) -> tuple[Path, dict[str, str]]:
    """remoteEntry, and the chunk files it loads at start-up: name -> module (`extension` or `style`)."""
    entries = sorted(static.glob("remoteEntry.*.js"))
    if len(entries) != 1:
        raise SystemExit(f"expected one remoteEntry in {static}, found {len(entries)}")
    entry = entries[0]
    text = entry.read_text(encoding="utf-8")
    hashes = dict(CHUNK_HASH.findall(text))
    files = {path.name for path in static.glob("*.js")}
    startup: dict[str, str] = {}
    for module, loads in EXPOSE.findall(text):
        for chunk in CHUNK_LOAD.findall(loads):
            digest = hashes.get(chunk)
            startup.update((name, module) for name in files if digest and f".{digest}." in name)
    return entry, startup


def classify(path: Path, startup: dict[str, str]) -> str:
    if path.name.startswith("remoteEntry."):
        return "start-up: remoteEntry"
    if path.name in startup:
        return "start-up: plugins" if startup[path.name] == "extension" else "start-up: style module"
    name = path.name.split(".")[0]
    if name in LAZY_ROLES:
        return LAZY_ROLES[name]
    if "octokit-core.js" in path.read_text(encoding="utf-8", errors="replace"):
        return LAZY_ROLES["octokit"]
    if name == "style":
        return "generated style import (not loaded by JupyterLab)"
    return "lazy: shared by the lazy chunks"


def verdict(total: int) -> str:
    return f"budget {BUDGET} ({'OK' if total <= BUDGET else 'OVER'})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--static", type=Path, default=STATIC, help="the labextension's static folder")
    parser.add_argument("--no-browser", action="store_true", help="judge the build, not the browser measurement")
    args = parser.parse_args()
    static: Path = args.static
    if not static.is_dir():
        print(f"no build at {static}: run `make install` first", file=sys.stderr)
        return 1
    entry, startup = startup_files(static)
    print(f"{'chunk':<44} {'bytes':>8}  role")
    for path in sorted(static.glob("*.js")):
        print(f"{path.name:<44} {path.stat().st_size:>8}  {classify(path, startup)}")
    built = sum(path.stat().st_size for path in [entry, *(static / name for name in startup)])
    print(f"\nstart-up set of this build: {built} bytes, {verdict(built)}")
    if args.no_browser:
        return 0 if built <= BUDGET else 1
    if not MEASURED.is_file():
        print("\nno browser measurement yet: run `make test-e2e` to record one")
        return 0
    measured = json.loads(MEASURED.read_text())
    total = measured["startupBytes"]
    print("\nmeasured in Chromium at JupyterLab start-up (before the panel is opened):")
    for chunk in measured["startupChunks"]:
        print(f"  {chunk['file']:<42} {chunk['bytes']:>8}")
    print(f"  {'total':<42} {total:>8}  {verdict(total)}")
    print(f"  panel flow chunk(s), on first open: {measured['panelChunkBytes']} bytes")
    print(f"  Octokit chunk, on first Verify:     {measured['octokitBytes']} bytes")
    return 0 if total <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
