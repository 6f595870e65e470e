"""Tools: typed functions turned into schemas (``base``), grouped by domain."""

from .base import DEFAULT_OUTPUT_BUDGET, Tool, ToolContext, ToolError, tool, truncate_output
from .common import refuse

__all__ = [
    "DEFAULT_OUTPUT_BUDGET",
    "Tool",
    "ToolContext",
    "ToolError",
    "refuse",
    "tool",
    "truncate_output",
]
