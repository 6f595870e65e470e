"""TRL trainer configs with defaults that work on any machine, and user overrides by name.

TRL's configs default to bf16 (which raises on a CPU-only machine) and to gradient
checkpointing (slow and pointless for small models); :func:`make_config` turns bf16 on only
where the hardware has it, turns checkpointing off, reports to nothing, and then applies the
caller's overrides, so every TRL field stays reachable (``--set key=value`` on the CLI).
"""

from __future__ import annotations

import dataclasses
import difflib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from ._deps import require_learn


def parse_overrides(items: Sequence[str]) -> dict[str, Any]:
    """``["lr_scheduler_type=cosine", "warmup_steps=10"]`` → a dict; values are JSON when they
    parse as JSON (numbers, booleans, lists), else strings."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--set takes key=value, got {item!r}")
        try:
            out[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            out[key.strip()] = raw
    return out


def check_fields(cls: type, overrides: Mapping[str, Any]) -> None:
    """Raise ValueError naming the closest fields when an override is not a field of ``cls``."""
    fields = {f.name for f in dataclasses.fields(cls)}
    for name in overrides:
        if name not in fields:
            close = difflib.get_close_matches(name, fields, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ValueError(f"{cls.__name__} has no field {name!r}{hint}")


def _bf16_available() -> bool:
    import torch

    return torch.cuda.is_available() and torch.cuda.is_bf16_supported()


def make_config(
    cls: type, output_dir: str, ours: Mapping[str, Any], overrides: Mapping[str, Any] | None = None
) -> Any:
    """An instance of the TRL config class ``cls``: safe defaults, then ``ours``, then
    ``overrides`` (a user's, by field name; an unknown name raises with the closest matches)."""
    require_learn()
    check_fields(cls, overrides or {})
    kwargs: dict[str, Any] = {
        "output_dir": output_dir,
        "bf16": _bf16_available(),
        "activation_checkpointing": False,
        "report_to": "none",
        "save_strategy": "steps",
        "save_steps": 50,
        "save_total_limit": 2,
        "logging_steps": 1,
        "disable_tqdm": True,
    }
    kwargs.update(ours)
    kwargs.update(overrides or {})
    return cls(**kwargs)


def quiet_logging(
    trainer: Any, label: str, every: int = 10, keys: Sequence[str] = ("loss",)
) -> None:
    """Replace TRL's per-step log dicts with one short line every ``every`` steps."""
    from transformers import PrinterCallback, TrainerCallback

    class _CompactLog(TrainerCallback):
        def on_log(
            self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kw: Any
        ) -> None:
            step, total = state.global_step, state.max_steps
            if not logs or (step % every and step != total) or "train_runtime" in logs:
                return
            vals = ", ".join(f"{k} {float(logs[k]):.3g}" for k in keys if k in logs)
            if vals:
                print(f"  {label} step {step}/{total}: {vals}", flush=True)

    trainer.remove_callback(PrinterCallback)
    trainer.add_callback(_CompactLog())
