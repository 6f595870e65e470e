"""``mosaic-learn demo``: the whole loop on a CPU, in minutes, with a tiny model.

1. Build the tiny Qwen2-architecture model and its tokenizer from the suite's own text.
2. Warm start: SFT on trajectories of :class:`~mosaic_learn.scripted.ComplyRefuseAtRandom`,
   which complies with everything and refuses at random in a fixed share of episodes, so the
   model can act and can refuse but has no idea when to refuse.
3. Evaluate the warm start: held-out seeds of the train families, and the test-split families.
4. Pairwise GRPO on the train split (whole episodes, rule-judged groups).
5. The second arm: the warm start's own rollouts on the train split (several seeds, groups of
   2) and GRPO's training rollouts, judged into pairs, then DPO from the warm start on the turn
   where each pair's episodes part, with the chosen side's NLL added (RPO) and every batch half
   refusal-chosen, half refusal-rejected (:func:`~mosaic_learn.pairs.balanced_batches`).
6. Evaluate both; write the table (``table.txt``), every number (``results.json``), the
   episodes (``eval_*.jsonl``) and a plot of the training-rollout metrics per GRPO step with the
   before/after evaluations (``metrics.png``).

Every stage writes under ``out``; nothing is reused from an earlier run (the directory is
emptied first), so a rerun re-measures everything. With ``warm_start`` (``--warm-start PATH``)
steps 1-2 are skipped and the stages from 3 on start from that model directory instead (a
longer SFT, or a real small checkpoint on a GPU); ``out`` must not contain it.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from mosaic_gym.prompts import SHORT_SYSTEM_PROMPT
from mosaic_gym.records import Episode, JsonlWriter, read_jsonl

log = logging.getLogger(__name__)


class DemoConfig(BaseModel):
    """Every knob of the demo, with the values the recorded results used."""

    model_config = ConfigDict(extra="forbid")

    out: str = "runs/demo"
    seed: int = 0
    quick: bool = False
    # a model directory to start the preference stages from instead of building and SFT-ing the
    # tiny model (steps 1-2 skipped): your own warm start, e.g. a longer SFT or a real checkpoint
    warm_start: str | None = None
    env_ids: tuple[str, ...] = ("mosaic/FileOps-v0",)
    # "short": the protocol in a third of the tokens (mosaic_gym.prompts.SHORT_SYSTEM_PROMPT);
    # every sequence is ~20% shorter, so each stage is faster on a CPU
    system_prompt: Literal["full", "short"] = "short"
    tiny_preset: str = "demo"
    # warm start
    sft_seeds: int = 6
    refuse_rate: float = 0.5
    sft_steps: int = 240
    sft_batch: int = 4
    sft_lr: float = 3e-3
    max_length: int = 1536
    # rollouts (training and evaluation)
    env_max_steps: int = 5
    max_new_tokens: int = 128
    max_episode_tokens: int = 768
    # pairwise GRPO
    grpo_steps: int = 24
    grpo_lr: float = 2e-4
    group_size: int = 4
    tasks_per_step: int = 4
    grpo_seeds: tuple[int, ...] = tuple(range(100, 140))
    balance: bool = True
    reward_weights: tuple[float, float, float] = (1.0, 0.5, 0.5)
    length_threshold: int = 400
    # DPO arm
    dpo_seeds: tuple[int, ...] = (100, 101, 102, 103)
    dpo_group_size: int = 2
    dpo_lr: float = 1e-3
    dpo_beta: float = 0.1
    dpo_epochs: int = 2
    # also judge GRPO's training rollouts into pairs (no extra rollouts): they hold many more
    # harmful groups (GRPO's tasks are half harmful), the warm start's own hold the later-turn
    # decisions (go on vs abort) that keep a DPO model from aborting late
    dpo_with_grpo_rollouts: bool = True
    dpo_nll_weight: float = 1.0
    # evaluation
    # sampled, not greedy (greedy hides the warm start's random refusals), but below 1: at 1.0
    # the 1M-parameter model's turns often fall apart halfway (a refusal turn whose JSON breaks
    # is an invalid turn, not a refusal), which measures its spelling more than its decisions
    eval_temperature: float = 0.5
    heldout_seeds: tuple[int, ...] = (1000, 1001)
    test_seeds: tuple[int, ...] = (1000, 1001)
    num_envs: int = 16

    def quick_version(self) -> DemoConfig:
        """A few steps of everything: proves the plumbing, learns nothing."""
        return self.model_copy(
            update={
                "sft_seeds": 1,
                "sft_steps": 4,
                "grpo_steps": 2,
                "tasks_per_step": 2,
                "dpo_seeds": (100,),
                "dpo_epochs": 1,
                "heldout_seeds": (1000,),
                "test_seeds": (1000,),
                "env_max_steps": 3,
                "max_new_tokens": 48,
                "max_episode_tokens": 256,
                "quick": True,
                "tiny_preset": "test",
            }
        )


def _cpu_bf16() -> dict[str, Any]:
    """bf16 autocast on a CPU that has bf16 units (AMX / AVX512-BF16): about 1.5x faster here."""
    import torch

    if torch.cuda.is_available():
        return {}
    flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    if "amx_bf16" in flags or "avx512_bf16" in flags:
        return {"bf16": True, "use_cpu": True}
    return {}


class _Stages:
    """Times each stage and prints what it is doing."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.times: dict[str, float] = {}

    def run(self, name: str, fn: Any, *a: Any, **kw: Any) -> Any:
        print(f"[{time.perf_counter() - self.t0:6.0f}s] {name} ...", flush=True)
        t = time.perf_counter()
        out = fn(*a, **kw)
        self.times[name] = round(time.perf_counter() - t, 1)
        return out


def _write(path: Path, episodes: Sequence[Episode]) -> None:
    with JsonlWriter(path) as w:
        for ep in episodes:
            w.write(ep)


def check_warm_start(warm_start: str | Path, out: str | Path) -> Path:
    """The warm-start model directory, checked: a saved model, and not inside ``out`` (which
    the demo empties first). Raises ValueError saying what to do."""
    start, out = Path(warm_start), Path(out)
    if not (start / "config.json").exists():
        raise ValueError(
            f"warm start {start} is not a model directory (no config.json); give a directory "
            "saved with save_pretrained, e.g. a run's sft/ folder"
        )
    if out.resolve() in (start.resolve(), *start.resolve().parents):
        raise ValueError(
            f"warm start {start} lies inside the demo's output {out}, which is emptied first; "
            "copy it elsewhere or choose another --out"
        )
    return start


def build_and_warm_start(
    cfg: DemoConfig,
    out: Path,
    stages: _Stages,
    envs: list[str],
    env_kwargs: dict[str, Any],
    fast: dict[str, Any],
) -> dict[str, Any]:
    """Steps 1-2: build the tiny model, then SFT it on the teacher's trajectories into out/sft."""
    import gymnasium as gym

    from mosaic_gym.runner import run_episode

    from .rollout import make_jobs
    from .scripted import ComplyRefuseAtRandom
    from .sft import train_sft
    from .tiny import build_tiny

    # 1. the tiny model
    tiny = stages.run(
        "build the tiny model",
        build_tiny,
        out / "tiny",
        preset=cfg.tiny_preset,
        env_ids=envs,
        seed=cfg.seed,
        env_kwargs=env_kwargs,
    )

    # 2. warm start
    def teacher_episodes() -> list[Episode]:
        teacher = ComplyRefuseAtRandom(cfg.refuse_rate, seed=cfg.seed)
        eps = []
        for env_id in envs:
            env = gym.make(env_id, split="train", max_steps=cfg.env_max_steps, **env_kwargs)
            try:
                for job in make_jobs([env_id], range(cfg.sft_seeds), split="train"):
                    eps.append(run_episode(env, teacher, job.seed, {"task_id": job.task_id}))
            finally:
                env.close()
        _write(out / "sft_episodes.jsonl", eps)
        return eps

    sft_eps = stages.run("teacher trajectories (comply, refuse at random)", teacher_episodes)
    return stages.run(
        "SFT warm start",
        train_sft,
        tiny,
        sft_eps,
        out / "sft",
        learning_rate=cfg.sft_lr,
        batch_size=cfg.sft_batch,
        max_length=cfg.max_length,
        seed=cfg.seed,
        overrides={"max_steps": cfg.sft_steps, "save_strategy": "no", "warmup_steps": 10, **fast},
        log_every=50,
    )


def run_demo(config: DemoConfig | None = None) -> dict[str, Any]:
    """Run the demo (see the module docstring); returns the results dict it also saves."""
    from mosaic_gym.records import EpisodePair

    from .dpo import train_dpo
    from .evaluate import HEADLINE, evaluate, headline, table
    from .grpo import train_grpo
    from .judges import RuleJudge
    from .pairs import balanced_batches, format_counts, make_pairs
    from .policy import HFPolicy, Sampling
    from .rollout import RolloutRunner, make_jobs

    cfg = config or DemoConfig()
    if cfg.quick:
        cfg = cfg.quick_version()
    out = Path(cfg.out)
    if cfg.warm_start:
        start = check_warm_start(cfg.warm_start, out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / "config.json").write_text(cfg.model_dump_json(indent=2) + "\n")
    stages = _Stages()
    fast = _cpu_bf16()
    envs = list(cfg.env_ids)
    env_kwargs = {"system_prompt": SHORT_SYSTEM_PROMPT} if cfg.system_prompt == "short" else {}
    sampling = Sampling(temperature=cfg.eval_temperature, max_new_tokens=cfg.max_new_tokens)

    def run_eval(model_dir: Path, label: str) -> dict[str, list[Episode]]:
        from transformers import set_seed

        # every evaluation samples from the same random state, whatever ran before it (with
        # --warm-start nothing has seeded torch yet): a rerun re-measures the same numbers
        set_seed(cfg.seed)
        policy = HFPolicy(model_dir, sampling=sampling, name=label)
        res = {}
        for split, seeds in (("train", cfg.heldout_seeds), ("test", cfg.test_seeds)):
            eps = evaluate(
                policy,
                envs,
                seeds,
                split=split,
                num_envs=cfg.num_envs,
                max_steps=cfg.env_max_steps,
                max_episode_tokens=cfg.max_episode_tokens,
                env_kwargs=env_kwargs,
            )
            _write(out / f"eval_{label}_{'heldout' if split == 'train' else 'test'}.jsonl", eps)
            res["heldout" if split == "train" else "test"] = eps
        return res

    if cfg.warm_start:
        sft_info: dict[str, Any] = {"warm_start": str(start)}
    else:
        start = out / "sft"
        sft_info = build_and_warm_start(cfg, out, stages, envs, env_kwargs, fast)
    before = stages.run("evaluate the warm start", run_eval, start, "sft")

    # 4. pairwise GRPO
    grpo_info = stages.run(
        "pairwise GRPO",
        train_grpo,
        start,
        out / "grpo",
        env_ids=envs,
        seeds=cfg.grpo_seeds,
        split="train",
        judge=RuleJudge(),
        balance=cfg.balance,
        group_size=cfg.group_size,
        tasks_per_step=cfg.tasks_per_step,
        max_steps=cfg.grpo_steps,
        learning_rate=cfg.grpo_lr,
        temperature=1.0,
        max_new_tokens=cfg.max_new_tokens,
        max_episode_tokens=cfg.max_episode_tokens,
        env_max_steps=cfg.env_max_steps,
        reward_weights=cfg.reward_weights,
        length_threshold=cfg.length_threshold,
        seed=cfg.seed,
        episodes_path=out / "grpo_rollouts.jsonl",
        overrides={"save_strategy": "no", "lr_scheduler_type": "constant", **fast},
        log_every=4,
        env_kwargs=env_kwargs,
    )
    after_grpo = stages.run("evaluate GRPO", run_eval, out / "grpo", "grpo")

    # 5. the DPO arm
    def dpo_pairs() -> list[EpisodePair]:
        policy = HFPolicy(
            start,
            sampling=Sampling(temperature=1.0, max_new_tokens=cfg.max_new_tokens),
            name="sft",
        )
        jobs = make_jobs(envs, cfg.dpo_seeds, split="train", group_size=cfg.dpo_group_size)
        with RolloutRunner(
            policy,
            num_envs=cfg.num_envs,
            max_steps=cfg.env_max_steps,
            max_episode_tokens=cfg.max_episode_tokens,
            env_kwargs=env_kwargs,
        ) as runner:
            eps = list(runner.run(jobs))
        _write(out / "dpo_rollouts.jsonl", eps)
        pairs, counts = make_pairs(eps, RuleJudge())
        print("warm-start rollouts:\n" + format_counts(counts), flush=True)
        if cfg.dpo_with_grpo_rollouts:
            # the episodes GRPO played are judged episodes of the train split too: the DPO arm
            # learns offline from the same episodes GRPO learned from online
            more, counts = make_pairs(read_jsonl(out / "grpo_rollouts.jsonl"), RuleJudge())
            print("GRPO's training rollouts:\n" + format_counts(counts), flush=True)
            pairs += more
        with JsonlWriter(out / "dpo_pairs.jsonl") as w:
            for p in pairs:
                w.write(p)
        return pairs

    pairs = stages.run("DPO arm: rollouts judged into pairs", dpo_pairs)
    balanced = balanced_batches(pairs, 4, epochs=cfg.dpo_epochs, seed=cfg.seed)
    evals = {"sft": before, "grpo": after_grpo}
    if balanced:
        dpo_info = stages.run(
            "trajectory DPO",
            train_dpo,
            start,
            balanced,
            out / "dpo",
            beta=cfg.dpo_beta,
            epochs=1,  # the passes are in the balanced order already
            learning_rate=cfg.dpo_lr,
            batch_size=4,
            max_length=cfg.max_length * 2,
            first_turn=True,
            nll_weight=cfg.dpo_nll_weight,
            in_order=True,
            seed=cfg.seed,
            overrides={"save_strategy": "no", **fast},
            log_every=10,
        )
        evals["dpo"] = stages.run("evaluate DPO", run_eval, out / "dpo", "dpo")
    else:  # no pair prefers a refusal, or none rejects one (typical of --quick's untrained model)
        dpo_info = {
            "skipped": "the judged rollouts gave no pair where refusing won and one where it lost"
        }
        print(f"DPO arm skipped: {dpo_info['skipped']}", flush=True)

    numbers = {m: {s: headline(eps) for s, eps in sets.items()} for m, sets in evals.items()}
    summary = format_summary(numbers, HEADLINE)
    tables = "\n".join(
        table(
            eps,
            f"model={m} set={'held-out seeds of train families' if s == 'heldout' else 'test-split families'}",
        )
        for m, sets in evals.items()
        for s, eps in sets.items()
    )
    (out / "table.txt").write_text(summary + "\n\n" + tables)
    results = {
        "numbers": numbers,
        "episodes": {m: {s: len(eps) for s, eps in sets.items()} for m, sets in evals.items()},
        "stage_seconds": stages.times,
        "total_seconds": round(time.perf_counter() - stages.t0, 1),
        "sft": sft_info,
        "grpo": {k: v for k, v in grpo_info.items() if k != "history"},
        "grpo_history": grpo_info["history"],
        "dpo": dpo_info,
        "dpo_pairs": len(pairs),
        "dpo_pairs_in_balanced_batches": len(balanced),
        "config": cfg.model_dump(),
    }
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    plot(grpo_info["history"], numbers, out / "metrics.png")
    print("\n" + summary)
    print(f"\ntotal {results['total_seconds']:.0f}s; table, results.json and metrics.png in {out}")
    return results


def format_summary(
    numbers: dict[str, dict[str, dict[str, float | None]]], columns: Sequence[tuple[str, str]]
) -> str:
    """The demo's table: one row per (model, evaluation set), the six headline rates."""
    head = ["model", "set", *(name for _, name in columns)]
    rows = [head]
    for model, sets in numbers.items():
        for s, vals in sets.items():
            cells = [model, "held-out seeds" if s == "heldout" else "test families"]
            cells += ["-" if vals[k] is None else f"{100 * vals[k]:.0f}%" for k, _ in columns]
            rows.append(cells)
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = [
        "  ".join(
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def plot(
    history: Sequence[dict[str, Any]],
    numbers: dict[str, dict[str, dict[str, float | None]]],
    path: Path,
) -> None:
    """Left: the GRPO training rollouts' metrics per step (moving average of 4 steps). Right:
    the evaluations before (SFT) and after (GRPO, DPO), held-out seeds and test families."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .evaluate import HEADLINE

    fig, (ax, bx) = plt.subplots(1, 2, figsize=(14, 5))
    steps = [h["step"] for h in history]
    series = {
        "harmful refusal": [h.get("harmful_refusal") for h in history],
        "over-refusal": [h.get("over_refusal") for h in history],
        "injection followed": [h.get("injection_success") for h in history],
        "leaks": [h.get("leak_rate") for h in history],
        "success (all kinds)": [h.get("success") for h in history],
    }
    for name, ys in series.items():
        pts = [(s, y) for s, y in zip(steps, ys, strict=True) if y is not None]
        if not pts:
            continue
        xs, vs = zip(*pts, strict=True)
        smooth = [
            sum(vs[max(0, i - 3) : i + 1]) / len(vs[max(0, i - 3) : i + 1]) for i in range(len(vs))
        ]
        ax.plot(xs, smooth, label=name)
    ax.set_title("pairwise GRPO: training rollouts per step (4-step mean)")
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("rate")
    ax.set_ylim(-0.02, 1.02)
    ax.legend(fontsize=8)

    labels = [name for _, name in HEADLINE]
    groups = [(m, s) for m in numbers for s in numbers[m]]
    width = 0.8 / max(1, len(groups))
    for i, (m, s) in enumerate(groups):
        vals = [numbers[m][s][k] or 0.0 for k, _ in HEADLINE]
        xs = [j + i * width for j in range(len(labels))]
        bx.bar(
            xs,
            vals,
            width,
            label=f"{m} / {'held-out' if s == 'heldout' else 'test'}",
            hatch="" if s == "heldout" else "//",
        )
    bx.set_xticks([j + 0.4 - width / 2 for j in range(len(labels))])
    bx.set_xticklabels(labels, rotation=20, fontsize=8)
    bx.set_ylim(0, 1.02)
    bx.set_title("evaluation: warm start (sft) vs pairwise GRPO vs DPO")
    bx.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
