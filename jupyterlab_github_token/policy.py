"""The one policy for tokens, variable names, widget model ids, API base URLs and GitHub's answers.

``policy.json`` beside this module is the page's ``src/policy/policy.json`` (a link in
the source tree, a copy in the wheel): Python reads the rules the TypeScript reads.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

POLICY: dict[str, Any] = json.loads((Path(__file__).parent / "policy.json").read_text(encoding="utf-8"))

TOKEN_POLICY: dict[str, Any] = POLICY["token"]
MASK_POLICY: dict[str, Any] = POLICY["mask"]
ENV_NAME_POLICY: dict[str, Any] = POLICY["envName"]
WIDGET_MODEL_ID_POLICY: dict[str, Any] = POLICY["widgetModelId"]
API_BASE_URL_POLICY: dict[str, Any] = POLICY["apiBaseUrl"]
#: What GitHub's answers look like: a login, the token expiry header.
GITHUB_POLICY: dict[str, Any] = POLICY["github"]

#: The token prefixes, in the policy's order.
TOKEN_PREFIXES: tuple[str, ...] = tuple(rule["prefix"] for rule in TOKEN_POLICY["prefixes"])

#: A pattern matching any token prefix, literally (an alternation: group it).
TOKEN_PREFIX_PATTERN = "|".join(re.escape(prefix) for prefix in TOKEN_PREFIXES)


def whole_match(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """A compiled policy pattern; call ``.fullmatch`` (patterns are whole-string rules)."""
    return re.compile(f"(?:{pattern})", flags)
