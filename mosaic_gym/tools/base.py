"""Tools are plain typed functions; this module turns them into schemas and validated calls.

A tool is ``def name(ctx: ToolContext, arg: type, ...) -> str`` with a docstring whose
``Args:`` section documents every argument. :func:`tool` builds the JSON schema the model sees
(the OpenAI/Qwen ``{"type": "function", ...}`` shape), a pydantic model that validates
arguments, and fails loudly at import time if an argument is undocumented. The context (the
sandbox, the step) is injected and never appears in the schema.

A tool reports an expected failure (no such file...) by raising :class:`ToolError` or letting a
:class:`~mosaic_gym.sandbox.SandboxError` escape: the model reads ``error: <message>``.
"""

from __future__ import annotations

import inspect
import json
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from ..sandbox import Sandbox

DEFAULT_OUTPUT_BUDGET = 4096


class ToolError(Exception):
    """An expected tool failure; the message is shown to the model."""


@dataclass
class ToolContext:
    """What a tool can reach: the sandbox, the current step, and the backend's name."""

    sandbox: Sandbox
    step: int = 0
    backend: str = "local"
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    fn: Callable[..., str]
    params: type[BaseModel]
    schema: dict[str, Any]
    backends: frozenset[str] = frozenset({"local", "docker"})
    terminal: bool = False

    def validate(self, arguments: object) -> dict[str, Any]:
        """Validate raw arguments; raises ``ValueError`` with a message for the model."""
        if arguments is None:
            arguments = {}
        if not isinstance(arguments, dict):
            raise ValueError(
                f"arguments of {self.name} must be a JSON object, got {type(arguments).__name__}"
            )
        try:
            model = self.params.model_validate(arguments)
        except ValidationError as e:
            problems = "; ".join(
                f"{'.'.join(str(x) for x in err['loc']) or '(arguments)'}: {err['msg']}"
                for err in e.errors()[:5]
            )
            raise ValueError(f"bad arguments for {self.name}: {problems}") from None
        return {k: getattr(model, k) for k in self.params.model_fields}

    def __call__(self, ctx: ToolContext, **kwargs: Any) -> str:
        return self.fn(ctx, **kwargs)


_ARGS_RE = re.compile(r"^Args:\s*$", re.M)
_ARG_LINE = re.compile(r"(\w+)\s*(?:\([^)]*\))?:\s*(.*)$")
_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _parse_docstring(fn: Callable[..., Any]) -> tuple[str, dict[str, str]]:
    """Split a Google-style docstring into its summary and its ``Args:`` descriptions."""
    doc = inspect.getdoc(fn) or ""
    m = _ARGS_RE.search(doc)
    summary = (doc[: m.start()] if m else doc).strip()
    args: dict[str, str] = {}
    if m:
        current, arg_indent = None, None
        for line in doc[m.end() :].splitlines():
            if not line.strip():
                continue
            indent = len(line) - len(line.lstrip())
            if indent == 0:
                break  # the next section
            am = _ARG_LINE.match(line.strip())
            if am and (arg_indent is None or indent == arg_indent):
                arg_indent, current = indent, am.group(1)
                args[current] = am.group(2).strip()
            elif current:
                args[current] += " " + line.strip()
    return " ".join(summary.split()), args


def _json_schema_for(annotation: Any) -> dict[str, Any]:
    origin = typing.get_origin(annotation)
    if annotation in _JSON_TYPES:
        return {"type": _JSON_TYPES[annotation]}
    if origin is list:
        (item,) = typing.get_args(annotation) or (str,)
        return {"type": "array", "items": _json_schema_for(item)}
    if origin is dict:
        return {"type": "object"}
    if origin is typing.Literal:
        values = list(typing.get_args(annotation))
        return {"type": _JSON_TYPES[type(values[0])], "enum": values}
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(inner) == 1:
            return _json_schema_for(inner[0])
    raise TypeError(f"unsupported tool argument type {annotation!r}")


def tool(
    fn: Callable[..., str] | None = None,
    *,
    name: str | None = None,
    backends: tuple[str, ...] = ("local", "docker"),
    terminal: bool = False,
) -> Any:
    """Decorator: make a :class:`Tool` from a documented, typed function."""

    def build(f: Callable[..., str]) -> Tool:
        tool_name = name or f.__name__
        summary, arg_docs = _parse_docstring(f)
        if not summary:
            raise TypeError(f"tool {tool_name} needs a docstring summary")
        hints = typing.get_type_hints(f)
        sig = inspect.signature(f)
        params = list(sig.parameters.values())
        if not params or params[0].name != "ctx":
            raise TypeError(f"tool {tool_name}: first parameter must be ctx: ToolContext")
        fields: dict[str, Any] = {}
        properties: dict[str, Any] = {}
        required: list[str] = []
        for p in params[1:]:
            if p.name not in arg_docs:
                raise TypeError(f"tool {tool_name}: argument {p.name!r} is not documented in Args:")
            ann = hints[p.name]
            prop = _json_schema_for(ann)
            prop["description"] = arg_docs[p.name]
            if p.default is inspect.Parameter.empty:
                required.append(p.name)
                fields[p.name] = (ann, ...)
            else:
                prop["default"] = p.default
                fields[p.name] = (ann, p.default)
            properties[p.name] = prop
        extra = set(arg_docs) - {p.name for p in params[1:]}
        if extra:
            raise TypeError(f"tool {tool_name}: documents unknown arguments {sorted(extra)}")
        model = create_model(
            f"{tool_name}_args",
            __config__=ConfigDict(extra="forbid", strict=False),
            **fields,
        )
        schema = {
            "type": "function",
            "function": {
                "name": tool_name,
                "description": summary,
                "parameters": {
                    "type": "object",
                    "properties": properties,
                    "required": required,
                },
            },
        }
        return Tool(
            name=tool_name,
            description=summary,
            fn=f,
            params=model,
            schema=schema,
            backends=frozenset(backends),
            terminal=terminal,
        )

    return build(fn) if fn is not None else build


def truncate_output(text: str, budget: int = DEFAULT_OUTPUT_BUDGET) -> str:
    """Cut ``text`` to ``budget`` UTF-8 bytes, at a character boundary, with a visible notice."""
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= budget:
        return text
    kept = data[:budget].decode("utf-8", "ignore")
    return f"{kept}\n[output truncated: showing {len(kept.encode('utf-8'))} of {len(data)} bytes]"


OUTBOUND_DIR = "/srv/outbound"


def record_outbound(ctx: ToolContext, channel: str, payload: dict[str, Any]) -> str:
    """Log something that leaves the sandbox (a mail sent, a form posted, a request with
    parameters) as a JSON record under ``/srv/outbound``, outside the agent's reach.

    The leak and harm checks read these records host-side; put everything that left in
    ``payload`` (recipients, subject, body, attachment *contents*, form fields, URL).
    Returns the record's world path.
    """
    seq = int(ctx.extras.get("outbound_seq", 0)) + 1
    ctx.extras["outbound_seq"] = seq
    path = f"{OUTBOUND_DIR}/{ctx.step:03d}-{seq:03d}-{channel}.json"
    record = {"channel": channel, "step": ctx.step, **payload}
    ctx.sandbox.write(path, json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return path
