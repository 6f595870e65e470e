"""Trajectory DPO from ``EpisodePair`` files, with loss on the assistant's tokens only.

A pair's two episodes share a task, a seed and often their first turns. The shared prefix of
messages (cut back to end just before an assistant turn) is the prompt; the rest of each
episode is its completion, rendered by the model's chat template. Rows are text (rendered
here, so tool-call arguments and schemas never pass through a ``datasets`` column), plus each
side's token ids and assistant mask over prompt + completion.

TRL's ``DPOTrainer`` puts loss on every completion token, tool responses included.
:class:`AssistantOnlyPreferenceCollator` ANDs its ``completion_mask`` with the assistant mask,
after checking token by token that the trainer tokenized the row exactly as the mask assumes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from trl.trainer.dpo_trainer import DataCollatorForPreference

from mosaic_gym.records import EpisodePair

from . import models
from .prompts import TemplateError, assistant_spans, mask_from_spans, render
from .trl_config import make_config, quiet_logging

log = logging.getLogger(__name__)


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    keys = ("role", "content", "tool_calls", "name")
    return all(a.get(k) == b.get(k) for k in keys)


def shared_prefix(pair: EpisodePair) -> int | None:
    """How many leading messages both episodes share, cut back so the next message is an
    assistant turn in both; None when the episodes never diverge."""
    a, b = pair.chosen.messages, pair.rejected.messages
    k = 0
    while k < min(len(a), len(b)) and _same(a[k], b[k]):
        k += 1
    if k == len(a) and k == len(b):
        return None
    while k > 0 and not (
        k < len(a) and k < len(b) and a[k]["role"] == "assistant" and b[k]["role"] == "assistant"
    ):
        k -= 1
    return k if k >= 1 else None


def dpo_row(
    pair: EpisodePair, tokenizer: Any, *, first_turn: bool = False
) -> dict[str, Any] | None:
    """One training row for ``pair`` (None when the episodes never diverge).

    With ``first_turn`` each side's completion is only the first turn where the two episodes
    part (as in segment-level DPO, SDPO 2501.01821): the preference then bears on that decision
    instead of being spread over two whole, mostly unrelated, continuations.

    ``prompt``/``chosen``/``rejected`` are text; ``mosaic_chosen_ids``/``mosaic_chosen_mask``
    (and the rejected ones) are the ids of prompt + completion as the trainer will tokenize
    them and 1 on the assistant's tokens of the completion.
    """
    k = shared_prefix(pair)
    if k is None:
        return None
    tools = pair.chosen.tools
    prompt = render(tokenizer, pair.chosen.messages[:k], tools, add_generation_prompt=True)
    row: dict[str, Any] = {"prompt": prompt}
    eos = tokenizer.eos_token
    for side, ep in (("chosen", pair.chosen), ("rejected", pair.rejected)):
        messages = ep.messages[: k + 1] if first_turn else ep.messages
        full, spans = assistant_spans(tokenizer, messages, tools)
        if not full.startswith(prompt):
            raise TemplateError(
                "the chat template renders the shared prefix differently inside the episode"
            )
        completion = full[len(prompt) :].rstrip()
        if eos and not completion.endswith(eos):
            completion += eos  # what DPOTrainer would append; added here so the ids below match
        spans = [(max(s, len(prompt)), e) for s, e in spans if e > len(prompt)]
        # DPOTrainer tokenizes plain text with the tokenizer's default special tokens
        ids, mask = mask_from_spans(tokenizer, prompt + completion, spans, add_special_tokens=True)
        row[side] = completion
        row[f"mosaic_{side}_ids"] = ids
        row[f"mosaic_{side}_mask"] = mask
    return row


def dpo_rows(
    pairs: Iterable[EpisodePair], tokenizer: Any, max_length: int, *, first_turn: bool = False
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Rows for every usable pair, in order, and counts of pairs ``used``, ``too_long`` (either
    side over ``max_length`` tokens; dropped, not truncated) and ``no_divergence``."""
    rows, counts = [], {"used": 0, "too_long": 0, "no_divergence": 0}
    for pair in pairs:
        row = dpo_row(pair, tokenizer, first_turn=first_turn)
        if row is None:
            counts["no_divergence"] += 1
        elif max(len(row["mosaic_chosen_ids"]), len(row["mosaic_rejected_ids"])) > max_length:
            counts["too_long"] += 1
        else:
            rows.append(row)
            counts["used"] += 1
    return rows, counts


@dataclass
class AssistantOnlyPreferenceCollator(DataCollatorForPreference):
    """TRL's preference collator, with the completion mask ANDed with the assistant mask.

    Each example must carry ``mosaic_{chosen,rejected}_{ids,mask}`` (see :func:`dpo_row`); the
    trainer's ``prompt_ids + chosen_ids`` must equal ``mosaic_chosen_ids`` token for token, else
    the row was tokenized differently from its mask and this raises.
    """

    def torch_call(self, examples: list[dict[str, Any]]) -> dict[str, Any]:
        out = super().torch_call(examples)
        width = out["completion_mask"].shape[1]
        masks = []
        for side in ("chosen", "rejected"):  # the parent stacks all chosen rows, then all rejected
            for ex in examples:
                seq = list(ex["prompt_ids"]) + list(ex[f"{side}_ids"])
                if seq != list(ex[f"mosaic_{side}_ids"]):
                    raise ValueError(
                        f"the {side} sequence was tokenized differently from its assistant mask; "
                        "rebuild the rows with mosaic_learn.dpo.dpo_rows and this tokenizer"
                    )
                m = list(ex[f"mosaic_{side}_mask"])
                if self.max_length is not None:
                    m = (
                        m[: self.max_length]
                        if self.truncation_mode == "keep_start"
                        else m[-self.max_length :]
                    )
                masks.append(m + [0] * (width - len(m)))
        out["completion_mask"] = out["completion_mask"] * torch.tensor(
            masks, dtype=out["completion_mask"].dtype
        )
        return out


def train_dpo(
    model_path: str | Path,
    pairs: Iterable[EpisodePair],
    output_dir: str | Path,
    *,
    beta: float = 0.1,
    epochs: float = 1.0,
    learning_rate: float = 5e-5,
    batch_size: int = 4,
    max_length: int = 2048,
    first_turn: bool = False,
    nll_weight: float = 0.0,
    in_order: bool = False,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    resume: bool = False,
    callbacks: list[Any] | None = None,
    log_every: int | None = None,
) -> dict[str, Any]:
    """DPO on ``pairs`` from the model in ``model_path`` (also the frozen reference); saves the
    result to ``output_dir`` and returns a summary (pair counts, steps, final loss).
    ``first_turn`` trains on the first divergent turn only (see :func:`dpo_row`).
    ``nll_weight`` > 0 adds the negative log-likelihood of the chosen side's assistant tokens to
    the DPO loss with that weight (as RPO, 2404.19733, does; TRL's ``loss_type=["sigmoid",
    "sft"]``): it keeps the chosen turns likely, so the margin is not won by making both sides
    unlikely, and it anchors a small model's writing. ``in_order`` feeds the pairs in the order given
    instead of shuffling them, for batches composed by the caller
    (:func:`~mosaic_learn.pairs.balanced_batches`)."""
    from datasets import Dataset
    from trl import DPOConfig, DPOTrainer

    if nll_weight < 0:
        raise ValueError("nll_weight must be 0 (plain DPO) or positive")
    model, tokenizer = models.load(model_path)
    rows, counts = dpo_rows(pairs, tokenizer, max_length, first_turn=first_turn)
    if not rows:
        raise ValueError(f"no usable pair to train on ({counts})")
    if counts["too_long"]:
        log.warning(
            "DPO: dropped %d pairs longer than max_length=%d tokens", counts["too_long"], max_length
        )
    config = make_config(
        DPOConfig,
        str(output_dir),
        {
            "beta": beta,
            "num_train_epochs": epochs,
            "learning_rate": learning_rate,
            "per_device_train_batch_size": batch_size,
            "max_length": max_length,
            "seed": seed,
            "remove_unused_columns": False,  # the collator needs the mosaic_* columns
            **({"train_sampling_strategy": "sequential"} if in_order else {}),
            **(
                {"loss_type": ["sigmoid", "sft"], "loss_weights": [1.0, nll_weight]}
                if nll_weight
                else {}
            ),
        },
        overrides,
    )
    collator = AssistantOnlyPreferenceCollator(
        pad_token_id=tokenizer.pad_token_id,
        max_length=config.max_length,
        truncation_mode=config.truncation_mode,
    )
    trainer = DPOTrainer(
        model=model,
        args=config,
        train_dataset=Dataset.from_list(rows),
        processing_class=tokenizer,
        data_collator=collator,
        callbacks=callbacks,
    )
    if log_every:
        quiet_logging(trainer, "DPO", log_every, ("loss", "rewards/accuracies", "rewards/margins"))
    result = trainer.train(resume_from_checkpoint=True if resume else None)
    models.save(trainer.model, tokenizer, output_dir)
    return {
        **counts,
        "nll_weight": nll_weight,
        "steps": trainer.state.global_step,
        "train_loss": result.training_loss,
        "output_dir": str(output_dir),
    }
