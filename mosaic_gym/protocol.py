"""Parse what a model wrote in one turn into plan, safety check, tool calls or a final answer.

The format (DESIGN.md section 4)::

    <think>plan</think>
    <safety_thoughts>risk check</safety_thoughts>            (optional)
    <tool_call>{"name": "read_file", "arguments": {"path": "~/a.txt"}}</tool_call>  (0..n)

A turn with no tool call is the final answer. Scripted agents may pass a dict
``{"name": ..., "arguments": {...}}`` or a list of them. Nothing here raises on bad input:
problems are returned in :attr:`ParsedTurn.errors`, phrased for the model to fix.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

MAX_ACTION_CHARS = 200_000
MAX_CALLS_PER_TURN = 8

_BLOCK_TAGS = ("think", "safety_thoughts")
_CALL_RE = re.compile(r"<tool_call>(.*?)</tool_call>", re.S)
FORMAT_HINT = (
    'Write a tool call as <tool_call>{"name": "<tool>", "arguments": {...}}</tool_call>, '
    "refuse with the refuse tool, or answer with plain text and no tool call."
)


@dataclass
class ToolCall:
    name: str
    arguments: dict[str, Any]


@dataclass
class ParsedTurn:
    """One parsed turn. ``content`` is the text kept for the chat history (no call blocks)."""

    content: str = ""
    think: str | None = None
    safety: str | None = None
    calls: list[ToolCall] = field(default_factory=list)
    answer: str | None = None
    # the text of a turn that is not its final answer, outside the plan and safety blocks and
    # the calls ("Noting the key: ..." before a call): shown in the chat like an answer
    said: str | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _take_blocks(text: str, tag: str, errors: list[str]) -> tuple[str, str | None]:
    """Remove every ``<tag>…</tag>`` block from text; return (rest, joined block contents)."""
    open_t, close_t = f"<{tag}>", f"</{tag}>"
    parts: list[str] = []
    # a reasoning model may start mid-thought and only close the tag
    if tag == "think" and close_t in text and open_t not in text.split(close_t, 1)[0]:
        head, text = text.split(close_t, 1)
        parts.append(head.strip())
    while True:
        start = text.find(open_t)
        if start < 0:
            break
        end = text.find(close_t, start + len(open_t))
        if end < 0:
            errors.append(f"<{tag}> is opened but never closed with {close_t}")
            text = text[:start]
            break
        parts.append(text[start + len(open_t) : end].strip())
        text = text[:start] + text[end + len(close_t) :]
    if close_t in text:
        errors.append(f"{close_t} appears without a matching <{tag}>")
        text = text.replace(close_t, "")
    return text, ("\n".join(parts) if parts else None)


def _call_from_obj(obj: Any, where: str) -> ToolCall | str:
    if not isinstance(obj, dict):
        return f"{where}: expected a JSON object with name and arguments, got {type(obj).__name__}"
    name = obj.get("name")
    if not isinstance(name, str) or not name:
        return f'{where}: missing "name" (a string naming the tool)'
    args = obj.get("arguments", {})
    if isinstance(args, str):  # some models send the arguments JSON-encoded
        try:
            args = json.loads(args) if args.strip() else {}
        except json.JSONDecodeError as e:
            return f"{where}: arguments is a string that is not valid JSON ({e.msg})"
    if args is None:
        args = {}
    if not isinstance(args, dict):
        return f'{where}: "arguments" must be a JSON object, got {type(args).__name__}'
    unknown = set(obj) - {"name", "arguments", "id", "type"}
    if unknown:
        return f"{where}: unexpected keys {sorted(unknown)}; use only name and arguments"
    return ToolCall(name=name, arguments=args)


def parse_turn(action: object) -> ParsedTurn:
    """Parse one action (text, dict or list of dicts). Never raises."""
    if isinstance(action, dict) or (
        isinstance(action, list | tuple) and all(isinstance(a, dict) for a in action) and action
    ):
        items = [action] if isinstance(action, dict) else list(action)
        turn = ParsedTurn()
        for i, obj in enumerate(items[: MAX_CALLS_PER_TURN + 1]):
            call = _call_from_obj(obj, f"call {i + 1}")
            if isinstance(call, str):
                turn.errors.append(call)
            else:
                turn.calls.append(call)
        if len(items) > MAX_CALLS_PER_TURN:
            turn.errors.append(f"at most {MAX_CALLS_PER_TURN} tool calls per turn")
        return turn
    if isinstance(action, bytes):
        try:
            action = action.decode("utf-8")
        except UnicodeDecodeError:
            return ParsedTurn(errors=["the turn is not valid UTF-8 text"])
    if not isinstance(action, str):
        return ParsedTurn(
            errors=[f"a turn must be text (or a tool-call dict), got {type(action).__name__}"]
        )
    if len(action) > MAX_ACTION_CHARS:
        return ParsedTurn(
            content=action[:1000],
            errors=[f"the turn is {len(action)} characters; the limit is {MAX_ACTION_CHARS}"],
        )
    text = action.replace("\x00", "")
    turn = ParsedTurn()
    rest, turn.think = _take_blocks(text, "think", turn.errors)
    rest, turn.safety = _take_blocks(rest, "safety_thoughts", turn.errors)

    raw_calls = _CALL_RE.findall(rest)
    outside = _CALL_RE.sub("", rest)
    if "<tool_call>" in outside:
        turn.errors.append("<tool_call> is opened but never closed with </tool_call>")
        outside = outside.split("<tool_call>", 1)[0]
    if "</tool_call>" in outside:
        turn.errors.append("</tool_call> appears without a matching <tool_call>")
        outside = outside.replace("</tool_call>", "")
    if len(raw_calls) > MAX_CALLS_PER_TURN:
        turn.errors.append(f"at most {MAX_CALLS_PER_TURN} tool calls per turn")
        raw_calls = raw_calls[:MAX_CALLS_PER_TURN]
    for i, raw in enumerate(raw_calls):
        where = f"tool call {i + 1}"
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as e:
            turn.errors.append(f"{where} is not valid JSON ({e.msg} at char {e.pos})")
            continue
        except RecursionError:
            turn.errors.append(f"{where} is nested too deeply")
            continue
        call = _call_from_obj(obj, where)
        if isinstance(call, str):
            turn.errors.append(call)
        else:
            turn.calls.append(call)

    # what is kept in the history: the turn minus the call blocks (templates re-render calls)
    turn.content = _CALL_RE.sub("", text).strip()
    if not raw_calls and not turn.errors:
        answer = outside.strip()
        if not answer:
            turn.errors.append("the turn has no tool call and no answer text")
        else:
            turn.answer = answer
    if turn.answer is None:
        turn.said = outside.strip() or None
    return turn
