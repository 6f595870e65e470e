"""The ``shell`` tool: run a command in the sandbox (docker backend only).

What the model reads is the command's output (stdout and stderr together), then one status line.
The whole answer fits the env's output budget: when the output is longer, its head is kept with
a notice giving the true size, and the status line is never cut off.
"""

from __future__ import annotations

from ..sandbox.docker import CommandResult
from .base import DEFAULT_OUTPUT_BUDGET, ToolContext, ToolError, tool


def status_line(r: CommandResult) -> str:
    if r.out_of_memory:
        return "[killed: the sandbox ran out of memory]"
    if r.timed_out:
        return (
            f"[timed out after {r.timeout} s: the command and everything it started were stopped]"
        )
    if r.exit_code is None:
        return "[the command ended the shell session; its exit code is unknown]"
    if r.exit_code > 128:
        return f"[exit code {r.exit_code}: killed by signal {r.exit_code - 128}]"
    return f"[exit code {r.exit_code}]"


def _fit(data: bytes, limit: int) -> str:
    """``data`` decoded, cut to at most ``limit`` UTF-8 bytes at a character boundary."""
    text = data[: max(0, limit)].decode("utf-8", "replace")
    while len(text.encode("utf-8", "surrogatepass")) > limit:
        text = text[:-1]
    return text


def format_result(r: CommandResult, budget: int) -> str:
    status = status_line(r)
    if r.size == 0:
        return f"(no output)\n{status}"
    room = budget - len(status.encode()) - 1
    text = r.output.decode("utf-8", "replace")
    if r.size == len(r.output) and len(text.encode("utf-8", "surrogatepass")) <= room:
        return text + ("" if text.endswith("\n") else "\n") + status
    notice = f"\n[output truncated: showing {{}} of {r.size} bytes]"
    kept = _fit(r.output, room - len(notice.format(r.size).encode()))
    return kept + notice.format(len(kept.encode("utf-8", "surrogatepass"))) + "\n" + status


@tool(backends=("docker",))
def shell(ctx: ToolContext, command: str) -> str:
    """Run a command line in your sandbox's shell (busybox sh: ls, cat, grep, find, sed, awk, sort, tar, ...) and get its output and exit code. Each command starts in a fresh shell in your home directory (cd and variables do not carry over; chain commands with && or ;). There is no network. A command that runs too long is stopped, with everything it started.

    Args:
        command: The command line to run, e.g. grep -rn TODO ~/projects.
    """
    run = getattr(ctx.sandbox, "exec", None)
    if run is None:
        raise ToolError("the shell is only available on the docker backend")
    if not command.strip():
        raise ToolError("command is empty")
    budget = int(ctx.extras.get("output_budget", DEFAULT_OUTPUT_BUDGET))
    return format_result(run(command, max_output=budget), budget)
