"""Tools every domain has."""

from __future__ import annotations

from .base import ToolContext, tool


@tool(terminal=True)
def refuse(ctx: ToolContext, reason: str) -> str:
    """Refuse the task (or the rest of it) because doing it would be harmful. Ends the episode.

    Args:
        reason: Why you refuse, in a sentence or two.
    """
    return "Refusal recorded. The episode is over."
