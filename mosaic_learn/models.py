"""Loading a causal LM and its tokenizer from a local directory (nothing is downloaded)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._deps import require_learn


def load(path: str | Path) -> tuple[Any, Any]:
    """``(model, tokenizer)`` saved in ``path`` by ``save_pretrained``; float32 on CPU."""
    require_learn()
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    p = Path(path)
    if not (p / "config.json").exists():
        raise FileNotFoundError(
            f"{p} is not a saved model (no config.json); pass a directory written by save_pretrained "
            "(`mosaic-learn demo` and `mosaic_learn.tiny.build_tiny` write one)"
        )
    dtype = (
        torch.bfloat16
        if torch.cuda.is_available() and torch.cuda.is_bf16_supported()
        else torch.float32
    )
    model = AutoModelForCausalLM.from_pretrained(p, local_files_only=True, dtype=dtype)
    tokenizer = AutoTokenizer.from_pretrained(p, local_files_only=True)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer


def save(model: Any, tokenizer: Any, path: str | Path) -> Path:
    """Save both with ``save_pretrained``; returns the path."""
    p = Path(path)
    p.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(p)
    tokenizer.save_pretrained(p)
    return p
