"""The token event on jupyter_server's event bus (``/api/events/subscribe``).

Every page of the server listens for it and refreshes its status: Forget in one
tab clears the others within a moment. The data names what happened and to which
API base URL, never a token or its mask.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

TOKEN_EVENT_SCHEMA_ID = "https://events.jupyter.org/jupyterlab_github_token/token/v1"  # noqa: S105 - a schema id
TOKEN_EVENT_SCHEMA = Path(__file__).parent / "event_schemas" / "token" / "v1.yaml"
ACTIONS = ("held", "changed", "forgotten", "checked")

_LOG = logging.getLogger(__name__)


class TokenEvents:
    """Emits the token event on ``event_logger`` (``None``: emits nothing, for unit tests)."""

    def __init__(self, event_logger: Any = None) -> None:
        self._logger = event_logger

    def register(self) -> None:
        """Register the schema (once: the event logger refuses a second registration)."""
        if self._logger is not None and TOKEN_EVENT_SCHEMA_ID not in self._logger.schemas:
            self._logger.register_event_schema(TOKEN_EVENT_SCHEMA)

    def emit(self, action: str, api_base_url: str | None) -> None:
        if action not in ACTIONS:
            raise ValueError(f"unknown token event action {action!r}")
        if self._logger is None:
            return
        try:
            self._logger.emit(schema_id=TOKEN_EVENT_SCHEMA_ID, data={"action": action, "apiBaseUrl": api_base_url})
        except Exception:  # a listener's failure must not fail the request that changed the token
            _LOG.warning("jupyterlab_github_token: the token event could not be emitted", exc_info=True)
