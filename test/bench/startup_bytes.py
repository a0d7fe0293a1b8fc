"""Report the JavaScript this extension adds to JupyterLab's start-up.

Run `make bench` after `make test` (or after the browser tests): it lists the
built labextension's chunks, names the lazily loaded ones (the flow panel and
Octokit), and prints what the browser actually fetched at start-up, as recorded
by test/e2e/panel.spec.ts in test/e2e/test-results/startup-bytes.json.
The budget is 60 KB (61,440 bytes) of JavaScript at start-up.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "jupyterlab_github_token" / "labextension" / "static"
MEASURED = ROOT / "test" / "e2e" / "test-results" / "startup-bytes.json"
BUDGET = 60 * 1024


def classify(path: Path) -> str:
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.name.startswith("remoteEntry."):
        return "start-up (remoteEntry)"
    if "octokit-core.js" in text:
        return "lazy: Octokit, on the first Verify"
    if path.name.startswith("flow."):
        return "lazy: panel flow, when the panel is first shown"
    return "start-up or shared"


def main() -> int:
    if not STATIC.is_dir():
        print(f"no build at {STATIC}: run `make install` first", file=sys.stderr)
        return 1
    print(f"{'chunk':<40} {'bytes':>8}  role")
    for path in sorted(STATIC.glob("*.js")):
        print(f"{path.name:<40} {path.stat().st_size:>8}  {classify(path)}")
    if MEASURED.is_file():
        measured = json.loads(MEASURED.read_text())
        total = measured["startupBytes"]
        print()
        print("measured in Chromium at JupyterLab start-up (before the panel is opened):")
        for chunk in measured["startupChunks"]:
            print(f"  {chunk['file']:<38} {chunk['bytes']:>8}")
        print(f"  {'total':<38} {total:>8}  budget {BUDGET} ({'OK' if total <= BUDGET else 'OVER'})")
        print(f"  panel flow chunk(s), on first open: {measured['panelChunkBytes']} bytes")
        print(f"  Octokit chunk, on first Verify:     {measured['octokitBytes']} bytes")
        return 0 if total <= BUDGET else 1
    print("\nno browser measurement yet: run `make test-e2e` to record one")
    return 0


if __name__ == "__main__":
    sys.exit(main())
