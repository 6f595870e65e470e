"""Turning env conversations into model text and back: chat-template rendering, turn writing.

The env keeps the conversation as chat messages (``info["messages"]``): system, user, assistant
turns whose ``tool_calls`` carry ``arguments`` as dicts, and tool messages. Everything here that
renders text goes through the tokenizer's own chat template, so a real checkpoint (Qwen2.5,
Qwen3, Llama 3.x ...) sees its native format and the tiny model sees the same format it was
built with.

Two things need care:

- Trainer datasets hold text rendered here, never raw messages: ``datasets`` columns null-fill
  dicts of different shapes (tool-call arguments, tool schemas), and rendering here lets one
  loss mask (:func:`assistant_token_mask`) serve every template, with or without
  ``{% generation %}`` markers.
- Rollouts keep one token stream per episode ("token in, token out"): the model's own tokens
  are never re-tokenized, and what the env answers is appended as the template renders it
  (:func:`tool_suffix`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from mosaic_gym.prompts import SYSTEM_PROMPT

__all__ = [
    "SYSTEM_PROMPT",
    "TemplateError",
    "assistant_spans",
    "assistant_token_mask",
    "mask_from_spans",
    "end_of_turn",
    "render",
    "turn_closer",
    "template_messages",
    "tool_suffix",
    "write_turn",
]


class TemplateError(ValueError):
    """The tokenizer's chat template cannot do what a rollout needs (with the reason)."""


def template_messages(messages: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Env messages cleaned for a chat template.

    Keeps only the keys templates read (role, content, tool_calls, name); tool-call arguments
    are dicts, as chat templates expect (they ``tojson`` them).
    """
    out: list[dict[str, Any]] = []
    for m in messages:
        role = m.get("role")
        if role not in ("system", "user", "assistant", "tool"):
            raise ValueError(f"message with unknown role {role!r}")
        msg: dict[str, Any] = {"role": role, "content": m.get("content") or ""}
        if role == "assistant" and m.get("tool_calls"):
            calls = []
            for c in m["tool_calls"]:
                fn = c.get("function", c)
                args = fn.get("arguments", {})
                if isinstance(args, str):
                    args = json.loads(args) if args.strip() else {}
                calls.append(
                    {"type": "function", "function": {"name": fn["name"], "arguments": args}}
                )
            msg["tool_calls"] = calls
        if role == "tool":
            msg["name"] = m.get("name") or "tool"
        out.append(msg)
    return out


def render(
    tokenizer: Any,
    messages: Sequence[dict[str, Any]],
    tools: Sequence[dict[str, Any]] | None,
    *,
    add_generation_prompt: bool = False,
) -> str:
    """The conversation as the tokenizer's chat template writes it (text, not ids)."""
    if getattr(tokenizer, "chat_template", None) is None:
        raise TemplateError(
            f"{type(tokenizer).__name__} has no chat template; mosaic needs a chat model's tokenizer"
        )
    return tokenizer.apply_chat_template(
        template_messages(messages),
        tools=list(tools) if tools else None,
        tokenize=False,
        add_generation_prompt=add_generation_prompt,
    )


# Markers chat templates close an assistant turn with; a model stops generating at the first.
_END_OF_TURN_MARKERS = ("<|im_end|>", "<|eot_id|>", "<end_of_turn>", "<|end|>", "<|endoftext|>")


def end_of_turn(tokenizer: Any) -> list[str]:
    """The tokens that end an assistant turn for this tokenizer: its EOS and known turn markers."""
    vocab = tokenizer.get_vocab()
    found = [t for t in _END_OF_TURN_MARKERS if t in vocab]
    eos = tokenizer.eos_token
    if eos and eos not in found:
        found.insert(0, eos)
    if not found:
        raise TemplateError(
            f"{type(tokenizer).__name__} has no EOS token and no known end-of-turn token"
        )
    return found


def turn_closer(tokenizer: Any) -> str:
    """The marker the chat template closes an assistant turn with (e.g. ``<|im_end|>``)."""
    probe = "mosaic-probe-7f3a"
    text = render(
        tokenizer,
        [{"role": "user", "content": "hi"}, {"role": "assistant", "content": probe}],
        None,
    )
    after = text[text.rindex(probe) + len(probe) :].lstrip(" ")
    for t in end_of_turn(tokenizer):
        if after.startswith(t):
            return t
    raise TemplateError(
        f"the chat template closes an assistant turn with {after[:20]!r}, not a known end-of-turn token"
    )


def _turn_end(text: str, markers: Sequence[str]) -> int:
    """The index just past the last end-of-turn marker in ``text`` (-1 if none)."""
    return max((text.rfind(t) + len(t) if t in text else -1) for t in markers)


def assistant_spans(
    tokenizer: Any,
    messages: Sequence[dict[str, Any]],
    tools: Sequence[dict[str, Any]] | None,
    markers: Sequence[str] | None = None,
) -> tuple[str, list[tuple[int, int]]]:
    """The rendered conversation and the character span of each assistant turn in it.

    A turn's span runs from just after the template's generation prompt through the turn's
    end-of-turn marker: exactly what a model generates. Spans come from rendering each prefix
    of the conversation, so this works for any prefix-stable template, with or without
    ``{% generation %}`` markers.
    """
    markers = list(markers or end_of_turn(tokenizer))
    full = render(tokenizer, messages, tools)
    spans: list[tuple[int, int]] = []
    for i, m in enumerate(messages):
        if m.get("role") != "assistant":
            continue
        start = len(render(tokenizer, messages[:i], tools, add_generation_prompt=True))
        upto = render(tokenizer, messages[: i + 1], tools)
        end = _turn_end(upto, markers)
        if end < start or not full.startswith(upto[:end]):
            raise TemplateError(
                f"assistant turn {i}: the chat template does not render it the same inside the "
                "whole conversation (the template is not prefix-stable)"
            )
        spans.append((start, end))
    return full, spans


def mask_from_spans(
    tokenizer: Any, text: str, spans: Sequence[tuple[int, int]], *, add_special_tokens: bool = False
) -> tuple[list[int], list[int]]:
    """Token ids of ``text`` and 1 on each token that starts inside one of ``spans``."""
    enc = tokenizer(text, add_special_tokens=add_special_tokens, return_offsets_mapping=True)
    mask = [int(e > s and any(a <= s < b for a, b in spans)) for s, e in enc["offset_mapping"]]
    return list(enc["input_ids"]), mask


def assistant_token_mask(
    tokenizer: Any,
    messages: Sequence[dict[str, Any]],
    tools: Sequence[dict[str, Any]] | None,
    markers: Sequence[str] | None = None,
) -> tuple[str, list[int], list[int]]:
    """The rendered conversation, its token ids, and 1 on each token the assistant wrote (see
    :func:`assistant_spans`); system, user and tool text and the template's headers are 0."""
    full, spans = assistant_spans(tokenizer, messages, tools, markers)
    ids, mask = mask_from_spans(tokenizer, full, spans)
    return full, ids, mask


def tool_suffix(
    tokenizer: Any,
    messages: Sequence[dict[str, Any]],
    n_new: int,
    tools: Sequence[dict[str, Any]] | None,
    end_of_turn: Sequence[str],
) -> str:
    """The text that follows the model's end-of-turn token once the env has answered.

    ``messages`` is the whole conversation after a step, whose last ``n_new`` messages are the
    env's answer (tool messages); the message before them is the model's turn. Returns what the
    template writes after that turn's end-of-turn marker, through the next generation prompt
    (for Qwen-style templates: ``"\\n<|im_start|>user\\n<tool_response>...<|im_start|>assistant\\n"``).
    Raises :class:`TemplateError` when the template renders earlier turns differently once later
    turns are added, since then no single token stream can represent the episode.
    """
    before = render(tokenizer, messages[: len(messages) - n_new], tools)
    after = render(tokenizer, messages, tools, add_generation_prompt=True)
    cut = _turn_end(before, end_of_turn)
    if cut < 0:
        raise TemplateError(
            f"the chat template does not close an assistant turn with any of {list(end_of_turn)}"
        )
    if not after.startswith(before[:cut]):
        raise TemplateError(
            "the chat template renders earlier turns differently once tool results follow them "
            "(it is not prefix-stable), so a multi-turn episode cannot be kept as one token stream"
        )
    return after[cut:]


def write_turn(
    think: str,
    *,
    safety: str | None = None,
    calls: Sequence[dict[str, Any]] = (),
    answer: str | None = None,
) -> str:
    """One turn in the MOSAIC action protocol, as a model would write it.

    ``calls`` are ``{"name", "arguments"}`` dicts; with none, ``answer`` is the final answer.
    The call layout (one ``<tool_call>`` block per call, JSON on its own line) is the one the
    tiny model's chat template renders, so scripted turns and re-rendered turns agree.
    """
    if bool(calls) == bool(answer):
        raise ValueError("a turn has either tool calls or a final answer, not both or neither")
    parts = [f"<think>{think}</think>"]
    if safety:
        parts.append(f"<safety_thoughts>{safety}</safety_thoughts>")
    text = "".join(parts)
    for c in calls:
        body = json.dumps(
            {"name": c["name"], "arguments": c.get("arguments", {})}, ensure_ascii=False
        )
        text += f"\n<tool_call>\n{body}\n</tool_call>"
    if answer:
        text += "\n" + answer
    return text
