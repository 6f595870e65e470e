"""SFT warm start from episodes, with loss on the assistant's tokens only.

Each episode becomes one row: its conversation rendered by the model's chat template, token
ids, and ``assistant_masks`` (1 on what the assistant wrote, from
:func:`~mosaic_learn.prompts.assistant_token_mask`), which ``SFTTrainer`` turns into labels. The
rows are tokenized here, so any prefix-stable template works, with or without ``{% generation %}``
markers. Episodes longer than ``max_length`` are dropped and counted, never truncated: the end
of an episode is where its outcome is decided.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mosaic_gym.records import Episode

from . import models
from .prompts import assistant_token_mask
from .trl_config import make_config, quiet_logging

log = logging.getLogger(__name__)


def sft_rows(
    episodes: Iterable[Episode], tokenizer: Any, max_length: int
) -> tuple[list[dict[str, list[int]]], int]:
    """Tokenized rows ``{"input_ids", "assistant_masks"}`` and how many episodes were too long."""
    rows, too_long = [], 0
    for ep in episodes:
        _, ids, mask = assistant_token_mask(tokenizer, ep.messages, ep.tools)
        if len(ids) > max_length:
            too_long += 1
            continue
        if any(mask):
            rows.append({"input_ids": ids, "assistant_masks": mask})
    return rows, too_long


def train_sft(
    model_path: str | Path,
    episodes: Iterable[Episode],
    output_dir: str | Path,
    *,
    epochs: float = 1.0,
    learning_rate: float = 5e-4,
    batch_size: int = 8,
    max_length: int = 2048,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    resume: bool = False,
    callbacks: list[Any] | None = None,
    log_every: int | None = None,
) -> dict[str, Any]:
    """Fine-tune the model in ``model_path`` on ``episodes``; save it to ``output_dir``.

    Returns a summary: rows trained on, episodes dropped as too long, steps, final loss.
    """
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    model, tokenizer = models.load(model_path)
    rows, too_long = sft_rows(episodes, tokenizer, max_length)
    if not rows:
        raise ValueError(
            "no episode to train on (all were too long, or none had an assistant turn)"
        )
    if too_long:
        log.warning(
            "SFT: dropped %d episodes longer than max_length=%d tokens", too_long, max_length
        )
    config = make_config(
        SFTConfig,
        str(output_dir),
        {
            "num_train_epochs": epochs,
            "learning_rate": learning_rate,
            "per_device_train_batch_size": batch_size,
            "max_length": max_length,
            "seed": seed,
            "lr_scheduler_type": "cosine",
            "warmup_steps": 0.05,
        },
        overrides,
    )
    trainer = SFTTrainer(
        model=model,
        args=config,
        train_dataset=Dataset.from_list(rows),
        processing_class=tokenizer,
        callbacks=callbacks,
    )
    if log_every:
        quiet_logging(trainer, "SFT", log_every, ("loss", "mean_token_accuracy"))
    result = trainer.train(resume_from_checkpoint=True if resume else None)
    models.save(trainer.model, tokenizer, output_dir)
    return {
        "rows": len(rows),
        "dropped_too_long": too_long,
        "steps": trainer.state.global_step,
        "train_loss": result.training_loss,
        "output_dir": str(output_dir),
    }
