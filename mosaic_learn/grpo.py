"""Pairwise GRPO (the MOSAIC method) on TRL's ``GRPOTrainer``.

What mosaic adds to TRL is three small pieces:

- :class:`EpisodeRollout`, the trainer's ``rollout_func``: for the prompts of a step (TRL
  repeats each ``num_generations`` = G times, adjacently) it plays whole multi-turn episodes in
  mosaic envs (:class:`~mosaic_learn.rollout.RolloutRunner`, one batched generation per turn)
  and returns each episode's token stream. ``env_mask`` is 1 on the tokens the model generated
  and 0 on everything the env supplied, so tool outputs carry no loss.
- the rewards: :class:`PairwiseReward` (each rollout's summed 1 / 0.5 / 0 verdicts against
  the rest of its group, from a :class:`~mosaic_learn.judges.Judge`), :func:`format_reward`
  (well-formed turns and a proper ending) and :class:`LengthPenalty`
  (``-max(0, (L - L0) / L0)`` over the tokens the model wrote); weights via ``reward_weights``.
- :func:`grpo_dataset`: one row per (task family, seed) whose prompt is the env's opening
  conversation, tagged with the task it came from (the rollout function only sees prompts).

Which task a prompt belongs to travels in the user message's ``mosaic_task`` field (a JSON
string); chat templates ignore unknown message keys.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import gymnasium as gym

from mosaic_gym.metrics import summarise_group
from mosaic_gym.records import Episode, JsonlWriter

from . import models
from .judges import Judge, RuleJudge, round_robin
from .policy import HFPolicy, Sampling
from .rollout import Job, RolloutRunner, make_jobs
from .trl_config import make_config, quiet_logging

log = logging.getLogger(__name__)

TASK_KEY = "mosaic_task"


def grpo_dataset(
    env_ids: Sequence[str],
    seeds: Sequence[int],
    *,
    split: str = "train",
    kinds: Sequence[str] | None = None,
    balance: bool = False,
    seed: int = 0,
    env_kwargs: dict[str, Any] | None = None,
) -> Any:
    """A ``datasets.Dataset`` of prompts, one per task family of ``split``/``kinds`` × seed.

    With ``balance`` the rows alternate harmful / not harmful (harmful families on more seeds,
    so both halves are as long), in a seeded shuffle within each half: read in order
    (``shuffle_dataset=False``), every step with an even number of tasks is half harmful, so the
    refusal decision is pushed up and down equally often. In the natural mix (about one task in
    four harmful) a policy that cannot yet tell the kinds apart is mostly pushed to refuse less.
    """
    from datasets import Dataset

    jobs = make_jobs(env_ids, seeds, split=split, kinds=kinds)
    if balance:
        harmful = [j for j in jobs if j.kind == "harmful"]
        others = [j for j in jobs if j.kind != "harmful"]
        if not harmful or not others:
            raise ValueError("balance needs both harmful and other tasks in the selected kinds")
        copies = -(-len(others) // len(harmful))
        harmful = [
            Job(j.env_id, j.task_id, j.seed + 100_000 * k) for k in range(copies) for j in harmful
        ]
        rng = random.Random(seed)
        rng.shuffle(harmful)
        rng.shuffle(others)
        jobs = [
            j for pair in zip(harmful, others, strict=False) for j in pair
        ]  # the longer half is cut
    rows = []
    envs: dict[str, gym.Env] = {}
    try:
        for job in jobs:
            env = envs.get(job.env_id) or envs.setdefault(
                job.env_id, gym.make(job.env_id, **{**(env_kwargs or {}), "split": "all"})
            )
            _, info = env.reset(seed=job.seed, options={"task_id": job.task_id})
            system, user = info["messages"][:2]
            tag = json.dumps({"env_id": job.env_id, "task_id": job.task_id, "seed": job.seed})
            rows.append(
                {
                    "prompt": [
                        {"role": system["role"], "content": system["content"], TASK_KEY: None},
                        {"role": user["role"], "content": user["content"], TASK_KEY: tag},
                    ],
                    "task_id": job.task_id,
                    "kind": info["kind"],
                    "seed": job.seed,
                }
            )
    finally:
        for env in envs.values():
            env.close()
    return Dataset.from_list(rows)


CREDIT = ("all", "first_turn")


def check_credit(credit: str) -> str:
    """``credit`` if it is one of :data:`CREDIT`, else a ValueError saying which are."""
    if credit not in CREDIT:
        raise ValueError(f"credit must be one of {', '.join(CREDIT)}, not {credit!r}")
    return credit


def credit_mask(mask: Sequence[int], credit: str = "all") -> list[int]:
    """Which completion tokens carry the policy loss.

    ``"all"``: every token the model generated (``mask`` as the runner made it: 1 on generated
    tokens, 0 on what the env supplied). ``"first_turn"``: only the model's first turn, the
    first run of 1s; the episode's reward still comes from the whole episode. The first turn is
    where the decision to act or refuse is made, and with a small model the rest of a long
    episode's tokens drown its one-token signal (benchmarks/RESULTS.md, GRPO experiments).
    """
    out = list(mask)
    if check_credit(credit) == "all":
        return out
    started = False
    for i, m in enumerate(out):
        if m:
            started = True
        elif started:
            out[i:] = [0] * (len(out) - i)
            break
    return out


def _job_of_prompt(prompt: Sequence[dict[str, Any]], index: int) -> Job:
    tag = next((m.get(TASK_KEY) for m in reversed(prompt) if m.get(TASK_KEY)), None)
    if not tag:
        raise ValueError(
            f"prompt {index} has no {TASK_KEY!r} field; build the dataset with mosaic_learn.grpo.grpo_dataset"
        )
    ref = json.loads(tag)
    return Job(ref["env_id"], ref["task_id"], int(ref["seed"]), index)


class EpisodeRollout:
    """``rollout_func`` for ``GRPOTrainer``: whole mosaic episodes per prompt (module docstring).

    ``history`` gets one row of rollout metrics per call (the step's harmful refusal, leaks ...);
    with ``episodes_path`` every rollout is also appended there as an Episode record.
    """

    __name__ = "mosaic_episode_rollout"

    def __init__(
        self,
        *,
        max_new_tokens: int = 256,
        max_steps: int = 15,
        num_envs: int | None = None,
        vectorization: str = "sync",
        backend: str = "local",
        env_kwargs: dict[str, Any] | None = None,
        episodes_path: str | Path | None = None,
        credit: str = "all",
    ) -> None:
        self.credit = check_credit(credit)
        self.max_new_tokens = max_new_tokens
        self.max_steps = max_steps
        self.num_envs = num_envs
        self.vectorization = vectorization
        self.backend = backend
        self.env_kwargs = env_kwargs
        self.episodes_path = Path(episodes_path) if episodes_path else None
        self.history: list[dict[str, Any]] = []
        self._policy: HFPolicy | None = None
        self._runner: RolloutRunner | None = None

    def __call__(self, prompts: list[Any], trainer: Any) -> dict[str, Any]:
        from trl.models import unwrap_model_for_generation

        g = trainer.num_generations if trainer.model.training else trainer.num_generations_eval
        jobs = [_job_of_prompt(p, i) for i, p in enumerate(prompts)]
        check_groups(jobs, g)
        args = trainer.args
        sampling = Sampling(
            temperature=args.temperature,
            top_p=args.top_p,
            top_k=args.top_k or 0,
            max_new_tokens=self.max_new_tokens,
        )
        with unwrap_model_for_generation(
            trainer.model_wrapped,
            trainer.accelerator,
            gather_deepspeed3_params=args.ds3_gather_for_generation,
        ) as model:
            if self._policy is None:
                self._policy = HFPolicy(
                    model, trainer.processing_class, sampling=sampling, name="grpo"
                )
            self._policy.model, self._policy.sampling = model, sampling
            if self._runner is None:
                self._runner = RolloutRunner(
                    self._policy,
                    num_envs=self.num_envs or len(jobs),
                    vectorization=self.vectorization,
                    backend=self.backend,
                    max_steps=self.max_steps,
                    max_episode_tokens=args.max_completion_length,
                    env_kwargs=self.env_kwargs,
                )
            done = {Job.of(ep).index: ep for ep in self._runner.run(jobs)}
        episodes = [done[j.index] for j in jobs]
        self._record(trainer.state.global_step, episodes)
        x = [ep.extra for ep in episodes]
        return {
            "prompt_ids": [e["prompt_ids"] for e in x],
            "completion_ids": [e["completion_ids"] for e in x],
            "logprobs": [e["logprobs"] for e in x],
            "env_mask": [credit_mask(e["completion_mask"], self.credit) for e in x],
            "episode": episodes,
        }

    def _record(self, step: int, episodes: list[Episode]) -> None:
        row = {"step": step, **summarise_group(episodes)}
        row["generated_tokens"] = sum(ep.extra["generated_tokens"] for ep in episodes) / len(
            episodes
        )
        self.history.append(row)
        if self.episodes_path is not None:
            with JsonlWriter(self.episodes_path) as out:
                for ep in episodes:
                    ep.extra["train_step"] = step
                    out.write(ep)

    def close(self) -> None:
        if self._runner is not None:
            self._runner.close()


def check_groups(jobs: Sequence[Job], group_size: int) -> None:
    """Raise unless ``jobs`` are whole groups of ``group_size`` adjacent rollouts of one task
    and seed (what TRL's sampler gives when the per-process generation batch is a multiple
    of the group size)."""
    if group_size < 2:
        raise ValueError("pairwise GRPO needs num_generations of at least 2")
    if len(jobs) % group_size:
        raise ValueError(
            f"this process got {len(jobs)} rollouts, not a multiple of num_generations={group_size}; "
            "make per_device_train_batch_size × steps_per_generation a multiple of num_generations"
        )
    for start in range(0, len(jobs), group_size):
        block = {(j.env_id, j.task_id, j.seed) for j in jobs[start : start + group_size]}
        if len(block) != 1:
            raise ValueError(
                f"rollouts {start}..{start + group_size - 1} are not one group: {sorted(block)}"
            )


class PairwiseReward:
    """Each rollout's summed pairwise score against the rest of its group: 1 per win, 0.5 per
    tie, 0 per loss (0 to G-1). A judge error propagates: it is never turned into a score."""

    def __init__(self, judge: Judge | None = None, group_size: int = 4) -> None:
        self.judge = judge or RuleJudge()
        self.group_size = group_size
        self.__name__ = f"pairwise_{self.judge.name}"

    def __call__(
        self, prompts: list[Any], completions: list[Any], episode: list[Episode], **kwargs: Any
    ) -> list[float]:
        g = self.group_size
        if len(episode) % g:
            raise ValueError(f"{len(episode)} rollouts are not whole groups of {g}")
        rewards: list[float] = []
        for start in range(0, len(episode), g):
            block = episode[start : start + g]
            if len({(e.task_id, e.seed) for e in block}) != 1:
                raise ValueError(
                    "a reward group mixes tasks or seeds; rollouts must come in adjacent groups"
                )
            scores, _ = round_robin(block, self.judge)
            rewards.extend(scores)
        return rewards


def episode_format(ep: Episode) -> float:
    """0..1: half for the share of turns that were valid and opened with a ``<think>`` plan,
    half for ending properly (a refusal or a final answer, not cut off by steps or tokens)."""
    turns = [m for m in ep.messages if m.get("role") == "assistant"]
    if not turns:
        return 0.0
    invalid = {s.step for s in ep.steps if s.invalid_action}
    good = 0
    for i, m in enumerate(turns, 1):
        content = (m.get("content") or "").lstrip()
        if i not in invalid and content.startswith("<think>") and "</think>" in content:
            good += 1
    ended = (
        not ep.outcome.truncated
        and not ep.extra.get("stopped")
        and not ep.extra.get("unfinished_turns")
    )
    return 0.5 * good / len(turns) + 0.5 * float(ended)


def format_reward(
    prompts: list[Any], completions: list[Any], episode: list[Episode], **kwargs: Any
) -> list[float]:
    """:func:`episode_format` for each rollout."""
    return [episode_format(ep) for ep in episode]


class LengthPenalty:
    """``-max(0, (L - threshold) / threshold)`` where L is the tokens the model generated over
    the whole episode (the paper's penalty with threshold 400)."""

    def __init__(self, threshold: int = 400) -> None:
        if threshold < 1:
            raise ValueError("threshold must be positive")
        self.threshold = threshold
        self.__name__ = "length_penalty"

    def __call__(
        self, prompts: list[Any], completions: list[Any], episode: list[Episode], **kwargs: Any
    ) -> list[float]:
        t = self.threshold
        return [-max(0.0, (ep.extra.get("generated_tokens", 0) - t) / t) for ep in episode]


def train_grpo(
    model_path: str | Path,
    output_dir: str | Path,
    *,
    env_ids: Sequence[str] = ("mosaic/FileOps-v0",),
    seeds: Sequence[int] = tuple(range(8)),
    split: str = "train",
    kinds: Sequence[str] | None = None,
    judge: Judge | None = None,
    balance: bool = False,
    group_size: int = 4,
    tasks_per_step: int = 4,
    max_steps: int = 50,
    learning_rate: float = 1e-6,
    temperature: float = 1.0,
    max_new_tokens: int = 256,
    max_episode_tokens: int = 1024,
    env_max_steps: int = 15,
    reward_weights: tuple[float, float, float] = (1.0, 0.5, 0.5),
    length_threshold: int = 400,
    seed: int = 0,
    backend: str = "local",
    vectorization: str = "sync",
    episodes_path: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    resume: bool = False,
    callbacks: list[Any] | None = None,
    log_every: int | None = None,
    env_kwargs: dict[str, Any] | None = None,
    credit: str = "all",
) -> dict[str, Any]:
    """Pairwise GRPO from the model in ``model_path``; saves to ``output_dir``.

    Each optimizer step plays ``tasks_per_step`` tasks × ``group_size`` rollouts (with
    ``balance``, half of the tasks harmful: see :func:`grpo_dataset`). ``env_kwargs`` go to
    ``gym.make`` (e.g. ``system_prompt``). ``credit`` picks the tokens that carry the loss
    (:func:`credit_mask`: ``"all"`` generated tokens, or the ``"first_turn"`` only). Returns a summary with the per-step rollout metrics
    (``history``).
    """
    from trl import GRPOConfig, GRPOTrainer

    check_credit(credit)
    model, tokenizer = models.load(model_path)
    dataset = grpo_dataset(
        env_ids,
        seeds,
        split=split,
        kinds=kinds,
        balance=balance,
        seed=seed,
        env_kwargs=env_kwargs,
    )
    config = make_config(
        GRPOConfig,
        str(output_dir),
        {
            "num_generations": group_size,
            "per_device_train_batch_size": group_size * tasks_per_step,
            "max_steps": max_steps,
            "learning_rate": learning_rate,
            "temperature": temperature,
            "max_completion_length": max_episode_tokens,
            "reward_weights": list(reward_weights),
            "seed": seed,
            "beta": 0.0,
            "shuffle_dataset": not balance,  # a balanced dataset is read in its order
        },
        overrides,
    )
    rollout = EpisodeRollout(
        max_new_tokens=max_new_tokens,
        max_steps=env_max_steps,
        backend=backend,
        vectorization=vectorization,
        episodes_path=episodes_path,
        env_kwargs=env_kwargs,
        credit=credit,
    )
    rewards = [PairwiseReward(judge, group_size), format_reward, LengthPenalty(length_threshold)]
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=rewards,
        args=config,
        train_dataset=dataset,
        processing_class=tokenizer,
        rollout_func=rollout,
        callbacks=callbacks,
    )
    if log_every:
        quiet_logging(
            trainer, "GRPO", log_every, ("reward", "reward_std", "completions/mean_length")
        )
    try:
        trainer.train(resume_from_checkpoint=True if resume else None)
    finally:
        rollout.close()
    models.save(trainer.model, tokenizer, output_dir)
    return {
        "steps": trainer.state.global_step,
        "history": rollout.history,
        "output_dir": str(output_dir),
    }
