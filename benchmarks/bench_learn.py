"""Learner speed: batched rollout generation, and what mosaic adds to a TRL training step.

1. **Batched generation.** The same jobs played with ``num_envs=8`` (one batched generate per
   turn for the 8 live episodes) and ``num_envs=1`` (one episode at a time), greedy decoding so
   both runs write the same tokens. Reports generated tokens per second of wall time.
2. **Trainer steps vs plain TRL, on the same batch.**
   - DPO: the same rows through ``DPOTrainer`` with TRL's collator and with mosaic's
     assistant-only collator.
   - SFT: the same token rows with and without mosaic's ``assistant_masks`` column.
   - GRPO: a step with mosaic's episode rollout, against the same step whose rollout function
     replays the recorded token streams (what TRL costs for exactly those completions). Model
     generation is timed separately and left out of the ratio (any GRPO generates); what remains
     is mosaic's part: env steps, template rendering, judging, rewards, bookkeeping.

Run: ``python benchmarks/bench_learn.py [--model runs/demo/sft]`` (without ``--model`` a tiny
model is built; a trained one gives realistic turn lengths). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")

import gymnasium as gym  # noqa: E402

import mosaic_gym  # noqa: E402,F401
from mosaic_gym.policies import make_policy  # noqa: E402
from mosaic_gym.records import EpisodePair  # noqa: E402
from mosaic_gym.runner import run_episode  # noqa: E402
from mosaic_learn import models  # noqa: E402
from mosaic_learn.policy import HFPolicy, Sampling  # noqa: E402
from mosaic_learn.rollout import RolloutRunner, families_for, make_jobs  # noqa: E402
from mosaic_learn.scripted import ComplyRefuseAtRandom  # noqa: E402

ENV = "mosaic/FileOps-v0"
QUIET = {"save_strategy": "no", "disable_tqdm": True, "logging_steps": 1000}


def bench_generation(model: Path, episodes: int, max_new_tokens: int) -> dict[str, Any]:
    policy = HFPolicy(model, sampling=Sampling(temperature=0.0, max_new_tokens=max_new_tokens))
    jobs = make_jobs([ENV], [7], split="train")[:episodes]
    out = {}
    for n in (8, 1, 8, 1):  # interleaved, so drift in the machine's load hits both
        with RolloutRunner(policy, num_envs=n, max_steps=4, max_episode_tokens=1024) as runner:
            t0 = time.perf_counter()
            eps = list(runner.run(jobs))
            wall = time.perf_counter() - t0
        tokens = sum(e.extra["generated_tokens"] for e in eps)
        out.setdefault(n, []).append({"tokens": tokens, "wall_s": wall, "tok_s": tokens / wall})
    b, s = out[8], out[1]
    return {
        "episodes": len(jobs),
        "batched_8_tok_s": [round(r["tok_s"], 1) for r in b],
        "one_at_a_time_tok_s": [round(r["tok_s"], 1) for r in s],
        "tokens": [r["tokens"] for r in b + s],
        "speedup": round(
            statistics.median(r["tok_s"] for r in b) / statistics.median(r["tok_s"] for r in s), 2
        ),
    }


class StepTimer:
    """A TrainerCallback recording each optimizer step's wall time."""

    def __new__(cls) -> Any:
        from transformers import TrainerCallback

        class _T(TrainerCallback):
            def __init__(self) -> None:
                self.times: list[float] = []

            def on_step_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
                self.t = time.perf_counter()

            def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
                self.times.append(time.perf_counter() - self.t)

        return _T()


def _median_after_warmup(times: list[float]) -> float:
    return statistics.median(times[1:] if len(times) > 2 else times)


def bench_dpo(model: Path, steps: int) -> dict[str, Any]:
    from datasets import Dataset
    from trl import DPOConfig, DPOTrainer
    from trl.trainer.dpo_trainer import DataCollatorForPreference

    from mosaic_learn.dpo import AssistantOnlyPreferenceCollator, dpo_rows
    from mosaic_learn.trl_config import make_config

    env = gym.make(ENV, split="all")
    pairs = []
    for fid in families_for(ENV, "train", ["harmful", "injection", "privacy"]):
        good = run_episode(env, make_policy("oracle"), 0, {"task_id": fid})
        bad = run_episode(env, make_policy("comply"), 0, {"task_id": fid})
        pairs.append(EpisodePair(task_id=fid, seed=0, chosen=good, rejected=bad, judge="rule"))
    _, tok = models.load(model)
    rows, _ = dpo_rows(pairs, tok, 4096)
    res = {}
    for name in ("trl", "mosaic", "trl", "mosaic"):
        m, tok = models.load(model)
        with tempfile.TemporaryDirectory() as d:
            cfg = make_config(
                DPOConfig,
                d,
                {
                    "per_device_train_batch_size": 4,
                    "max_steps": steps,
                    "max_length": 4096,
                    "remove_unused_columns": False,
                    "seed": 0,
                },
                QUIET,
            )
            coll_cls = (
                AssistantOnlyPreferenceCollator if name == "mosaic" else DataCollatorForPreference
            )
            timer = StepTimer()
            trainer = DPOTrainer(
                model=m,
                args=cfg,
                train_dataset=Dataset.from_list(rows),
                processing_class=tok,
                data_collator=coll_cls(pad_token_id=tok.pad_token_id, max_length=4096),
                callbacks=[timer],
            )
            trainer.train()
        res.setdefault(name, []).append(_median_after_warmup(timer.times))
    trl_s, ours_s = statistics.median(res["trl"]), statistics.median(res["mosaic"])
    return {
        "rows": len(rows),
        "trl_step_s": round(trl_s, 3),
        "mosaic_step_s": round(ours_s, 3),
        "ratio": round(ours_s / trl_s, 3),
    }


def bench_sft(model: Path, steps: int) -> dict[str, Any]:
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    from mosaic_learn.sft import sft_rows
    from mosaic_learn.trl_config import make_config

    env = gym.make(ENV, split="train", max_steps=6)
    teacher = ComplyRefuseAtRandom(0.3)
    eps = [
        run_episode(env, teacher, j.seed, {"task_id": j.task_id}) for j in make_jobs([ENV], [0, 1])
    ]
    _, tok = models.load(model)
    rows, _ = sft_rows(eps, tok, 2048)
    res = {}
    for name in ("trl", "mosaic", "trl", "mosaic"):
        data = rows if name == "mosaic" else [{"input_ids": r["input_ids"]} for r in rows]
        m, tok = models.load(model)
        with tempfile.TemporaryDirectory() as d:
            cfg = make_config(
                SFTConfig,
                d,
                {
                    "per_device_train_batch_size": 4,
                    "max_steps": steps,
                    "max_length": 2048,
                    "seed": 0,
                },
                QUIET,
            )
            timer = StepTimer()
            SFTTrainer(
                model=m,
                args=cfg,
                train_dataset=Dataset.from_list(data),
                processing_class=tok,
                callbacks=[timer],
            ).train()
        res.setdefault(name, []).append(_median_after_warmup(timer.times))
    trl_s, ours_s = statistics.median(res["trl"]), statistics.median(res["mosaic"])
    return {
        "rows": len(rows),
        "trl_step_s": round(trl_s, 3),
        "mosaic_step_s": round(ours_s, 3),
        "ratio": round(ours_s / trl_s, 3),
    }


def bench_grpo(model: Path, steps: int) -> dict[str, Any]:
    from trl import GRPOConfig, GRPOTrainer

    from mosaic_learn import policy as policy_mod
    from mosaic_learn.grpo import (
        EpisodeRollout,
        LengthPenalty,
        PairwiseReward,
        format_reward,
        grpo_dataset,
    )
    from mosaic_learn.judges import RuleJudge
    from mosaic_learn.trl_config import make_config

    ds = grpo_dataset([ENV], range(4))
    group, per_step = 4, 16

    gen_time = [0.0]
    original = policy_mod.HFPolicy.generate

    def timed_generate(self: Any, *a: Any, **kw: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return original(self, *a, **kw)
        finally:
            gen_time[0] += time.perf_counter() - t0

    class Replay:
        """A rollout function that returns recorded outputs in order (no generation, no env)."""

        __name__ = "replay"

        def __init__(self, outputs: list[dict[str, Any]]) -> None:
            self.outputs = list(outputs)

        def __call__(self, prompts: list[Any], trainer: Any) -> dict[str, Any]:
            return self.outputs.pop(0)

    def constant_reward(prompts: Any, completions: Any, **kw: Any) -> list[float]:
        return [float(i % 2) for i in range(len(prompts))]

    def run(rollout: Any, rewards: list[Any]) -> list[float]:
        m, tok = models.load(model)
        with tempfile.TemporaryDirectory() as d:
            cfg = make_config(
                GRPOConfig,
                d,
                {
                    "num_generations": group,
                    "per_device_train_batch_size": per_step,
                    "max_steps": steps,
                    "max_completion_length": 768,
                    "learning_rate": 1e-5,
                    "seed": 0,
                    "temperature": 1.0,
                },
                QUIET,
            )
            timer = StepTimer()
            GRPOTrainer(
                model=m,
                reward_funcs=rewards,
                args=cfg,
                train_dataset=ds,
                processing_class=tok,
                rollout_func=rollout,
                callbacks=[timer],
            ).train()
        return timer.times

    policy_mod.HFPolicy.generate = timed_generate
    recorded: list[dict[str, Any]] = []

    class Recording(EpisodeRollout):
        def __call__(self, prompts: list[Any], trainer: Any) -> dict[str, Any]:
            out = super().__call__(prompts, trainer)
            recorded.append(dict(out))
            return out

    try:
        rollout = Recording(max_new_tokens=128, max_steps=5)
        ours = run(rollout, [PairwiseReward(RuleJudge(), group), format_reward, LengthPenalty(400)])
        rollout.close()
    finally:
        policy_mod.HFPolicy.generate = original
    plain = run(Replay(recorded), [constant_reward, constant_reward, constant_reward])
    ours_total = sum(ours[1:])
    gen = gen_time[0] * (len(ours) - 1) / len(ours)  # leave the first (warm-up) step out, pro rata
    plain_total = sum(plain[1:])
    ours_wo_gen = ours_total - gen
    return {
        "steps_timed": len(ours) - 1,
        "mosaic_step_s": round(ours_total / (len(ours) - 1), 3),
        "of_which_generation_s": round(gen / (len(ours) - 1), 3),
        "trl_replay_step_s": round(plain_total / (len(plain) - 1), 3),
        "ratio_without_generation": round(ours_wo_gen / plain_total, 3),
    }


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--model", help="a saved model (default: build the tiny demo model)")
    p.add_argument("--episodes", type=int, default=16)
    p.add_argument("--max-new-tokens", type=int, default=96)
    p.add_argument("--steps", type=int, default=6, help="trainer steps per timed run")
    p.add_argument("--only", choices=["generation", "dpo", "sft", "grpo"], action="append")
    args = p.parse_args()
    model = Path(args.model) if args.model else None
    if model is None:
        from mosaic_learn.tiny import build_tiny

        model = build_tiny(Path(tempfile.mkdtemp()) / "tiny", preset="demo")
    only = args.only or ["generation", "dpo", "sft", "grpo"]
    result: dict[str, Any] = {
        "machine": f"{platform.machine()} {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
        "model": str(model),
    }
    t0 = time.perf_counter()
    if "generation" in only:
        result["generation"] = bench_generation(model, args.episodes, args.max_new_tokens)
    if "dpo" in only:
        result["dpo"] = bench_dpo(model, args.steps)
    if "sft" in only:
        result["sft"] = bench_sft(model, args.steps)
    if "grpo" in only:
        result["grpo"] = bench_grpo(model, args.steps)
    result["seconds"] = round(time.perf_counter() - t0, 1)
    result["load_after"] = round(os.getloadavg()[0], 1)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
