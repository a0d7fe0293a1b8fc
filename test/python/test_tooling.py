"""The repository's tooling keeps up with new files."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_test_module_has_the_mypy_test_override() -> None:
    # `make lint` runs before the test extras are installed, so pytest's decorators are
    # untyped then: a test module missing from the override fails CI's lint, not this machine's.
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    override = re.search(r'module = \[("conftest"[^\]]*)\]\n(?:[^\[]*\n)*?disallow_untyped_decorators = false', text)
    assert override is not None, "the mypy override of the test modules is missing"
    overridden = set(re.findall(r'"([^"]+)"', override.group(1)))
    modules = {path.stem for path in (ROOT / "test" / "python").glob("*.py")}
    assert sorted(modules - overridden) == []
