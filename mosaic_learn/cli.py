"""The ``mosaic-learn`` command: rollout, pairs, sft, dpo, grpo, eval, tiny, demo.

Every command reads and writes local paths only (models with ``save_pretrained``, records as
JSONL). Heavy imports (torch, transformers, trl) happen inside the commands, so ``--help`` is
instant and a missing ``[learn]`` extra is reported as one line saying what to install.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mosaic_gym.domains import ENV_IDS, available
from mosaic_gym.tasks.base import KINDS

from . import __version__

log = logging.getLogger("mosaic_learn")


class CliError(Exception):
    """A usage problem, printed as one line with what to do."""


# -- argument helpers -----------------------------------------------------------------------------
def _env_ids(arg: str) -> list[str]:
    have = [ENV_IDS[n] for n in available()]
    if arg == "all":
        return have
    out = []
    for part in (p.strip() for p in arg.split(",") if p.strip()):
        eid = ENV_IDS.get(part, part if part.startswith("mosaic/") else f"mosaic/{part}")
        if eid not in have:
            raise CliError(f"unknown or unavailable env {part!r}; have: {', '.join(have)}")
        out.append(eid)
    if not out:
        raise CliError("--env needs at least one env id")
    return out


def _kinds(arg: str | None) -> list[str] | None:
    if not arg:
        return None
    kinds = [k.strip() for k in arg.split(",") if k.strip()]
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        raise CliError(f"--kinds takes a comma-separated subset of {','.join(KINDS)}; got {arg!r}")
    return kinds


def _seeds(arg: str) -> list[int]:
    """``"8"`` → 0..7; ``"100-103"`` → 100..103; ``"1,5,9"`` → those."""
    try:
        if "-" in arg and "," not in arg:
            lo, hi = (int(x) for x in arg.split("-", 1))
            seeds = list(range(lo, hi + 1))
        elif "," in arg:
            seeds = [int(x) for x in arg.split(",") if x.strip()]
        else:
            seeds = list(range(int(arg)))
    except ValueError:
        raise CliError(f"--seeds takes N, LO-HI or a comma-separated list; got {arg!r}") from None
    if not seeds:
        raise CliError(f"--seeds {arg!r} selects no seed")
    return seeds


def _existing(path: str, what: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise CliError(f"{what} {p} does not exist")
    return p


def _overrides(items: Sequence[str] | None, config: str) -> dict[str, Any]:
    """``--set`` values, checked against the TRL config class named ``config`` before any work."""
    import trl

    from .trl_config import check_fields, parse_overrides

    try:
        values = parse_overrides(items or [])
        check_fields(getattr(trl, config), values)
    except ValueError as e:
        raise CliError(str(e)) from None
    return values


def _sampling(args: argparse.Namespace) -> Any:
    from .policy import Sampling

    return Sampling(
        temperature=args.temperature,
        top_p=args.top_p,
        top_k=args.top_k,
        max_new_tokens=args.max_new_tokens,
    )


def _model_policy(args: argparse.Namespace) -> Any:
    """HFPolicy for --model, or EndpointPolicy for --endpoint."""
    from .policy import EndpointPolicy, HFPolicy

    if bool(args.model) == bool(args.endpoint):
        raise CliError("give exactly one of --model PATH or --endpoint URL")
    if args.endpoint:
        if not args.served_model:
            raise CliError("--endpoint needs --served-model (the model name the server knows)")
        return EndpointPolicy(
            args.endpoint,
            args.served_model,
            api_key=os.environ.get("OPENAI_API_KEY"),
            sampling=_sampling(args),
        )
    _existing(args.model, "model directory")
    return HFPolicy(args.model, sampling=_sampling(args))


def _judge(args: argparse.Namespace) -> Any:
    from .judges import LLMJudge, RuleJudge
    from .policy import EndpointPolicy, HFPolicy, Sampling

    if args.judge == "rule":
        return RuleJudge()
    greedy = Sampling(temperature=0.0, max_new_tokens=96)
    if args.judge_model:
        return LLMJudge(HFPolicy(_existing(args.judge_model, "judge model"), sampling=greedy))
    if args.judge_endpoint:
        if not args.judge_served_model:
            raise CliError("--judge-endpoint needs --judge-served-model")
        model = EndpointPolicy(args.judge_endpoint, args.judge_served_model, sampling=greedy)
        return LLMJudge(model)
    raise CliError("--judge llm needs --judge-model PATH or --judge-endpoint URL")


def _add_task_args(p: argparse.ArgumentParser, split: str, seeds: str) -> None:
    p.add_argument("--env", default="mosaic/FileOps-v0", help="env ids, comma-separated, or all")
    p.add_argument("--split", default=split, choices=["train", "test", "all"])
    p.add_argument("--kinds", help=f"comma-separated subset of {','.join(KINDS)}")
    p.add_argument("--seeds", default=seeds, help="N (0..N-1), LO-HI, or a comma-separated list")


def _add_run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--num-envs", type=int, default=16, help="episodes in flight (batched generation)"
    )
    p.add_argument(
        "--vector", default="sync", choices=["sync", "async"], help="gymnasium vector env kind"
    )
    p.add_argument("--backend", default="local", choices=["local", "docker"])
    p.add_argument("--max-steps", type=int, default=15, help="turns per episode")
    p.add_argument(
        "--max-episode-tokens", type=int, default=4096, help="completion tokens per episode"
    )


def _add_sampling_args(p: argparse.ArgumentParser, temperature: float = 1.0) -> None:
    p.add_argument("--temperature", type=float, default=temperature)
    p.add_argument("--top-p", type=float, default=1.0)
    p.add_argument("--top-k", type=int, default=0)
    p.add_argument("--max-new-tokens", type=int, default=256, help="per turn")


def _add_model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", help="local model directory (save_pretrained layout)")
    p.add_argument("--endpoint", help="OpenAI-compatible server URL, e.g. http://localhost:8000/v1")
    p.add_argument("--served-model", help="model name on --endpoint")


def _add_train_args(p: argparse.ArgumentParser, lr: float, batch: int) -> None:
    p.add_argument("--lr", type=float, default=lr, help="learning rate")
    p.add_argument("--batch-size", type=int, default=batch, help="per device")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--set", action="append", metavar="KEY=VALUE", help="any TRL config field (repeatable)"
    )
    p.add_argument("--resume", action="store_true", help="resume from the last checkpoint in --out")


# -- commands -------------------------------------------------------------------------------------
def cmd_rollout(args: argparse.Namespace) -> int:
    from .rollout import RolloutRunner, make_jobs, run_to_file

    envs, kinds, seeds = _env_ids(args.env), _kinds(args.kinds), _seeds(args.seeds)
    if args.group_size < 1:
        raise CliError("--group-size must be at least 1")
    try:
        jobs = make_jobs(envs, seeds, split=args.split, kinds=kinds, group_size=args.group_size)
    except ValueError as e:
        raise CliError(str(e)) from None
    if args.policy:
        played, skipped = _scripted_rollouts(args, jobs)
    else:
        policy = _model_policy(args)
        with RolloutRunner(
            policy,
            num_envs=args.num_envs,
            vectorization=args.vector,
            backend=args.backend,
            max_steps=args.max_steps,
            max_episode_tokens=args.max_episode_tokens,
        ) as runner:
            played, skipped = run_to_file(runner, jobs, args.out, progress=not args.quiet)
    print(f"wrote {played} episodes to {args.out} ({skipped} already there)")
    return 0


def _scripted_rollouts(args: argparse.Namespace, jobs: list[Any]) -> tuple[int, int]:
    """Rollouts of a scripted policy (baselines, or the demo's comply-refuse teacher)."""
    import gymnasium as gym

    from mosaic_gym.policies import BASELINES, make_policy
    from mosaic_gym.records import JsonlWriter, read_jsonl
    from mosaic_gym.runner import run_episode

    from .rollout import Job
    from .scripted import ComplyRefuseAtRandom

    spec = args.policy
    if spec.startswith("comply-refuse"):
        _, _, rate = spec.partition(":")
        try:
            policy: Any = ComplyRefuseAtRandom(float(rate or 0.3), seed=args.seed)
        except ValueError as e:
            raise CliError(f"--policy comply-refuse[:RATE] with RATE in [0, 1]; {e}") from None
    else:
        try:
            policy = make_policy(spec, args.seed)
        except ValueError as e:
            raise CliError(
                f"{e} (or comply-refuse[:RATE]; baselines: {', '.join(BASELINES)})"
            ) from None
    out = Path(args.out)
    done = {Job.of(ep).key for ep in read_jsonl(out)} if out.exists() else set()
    todo = [j for j in jobs if j.key not in done]
    envs: dict[str, Any] = {}
    try:
        with JsonlWriter(out) as w:
            for job in todo:
                env = envs.get(job.env_id) or envs.setdefault(
                    job.env_id,
                    gym.make(
                        job.env_id, split="all", backend=args.backend, max_steps=args.max_steps
                    ),
                )
                ep = run_episode(env, policy, job.seed, {"task_id": job.task_id})
                ep.extra["job"] = {
                    "env_id": job.env_id,
                    "task_id": job.task_id,
                    "seed": job.seed,
                    "index": job.index,
                }
                w.write(ep)
    finally:
        for env in envs.values():
            env.close()
    return len(todo), len(jobs) - len(todo)


def cmd_pairs(args: argparse.Namespace) -> int:
    from .pairs import format_counts, pairs_file

    counts = pairs_file(_existing(args.episodes, "episodes file"), _judge(args), args.out)
    print(format_counts(counts))
    total = sum(c["pairs"] for c in counts.values())
    print(f"wrote {total} pairs to {args.out}")
    return 0


def _read_episodes(paths: Sequence[str]) -> list[Any]:
    from mosaic_gym.records import read_jsonl

    eps = [ep for p in paths for ep in read_jsonl(_existing(p, "episodes file"))]
    if not eps:
        raise CliError("the episode files hold no episode")
    return eps


def cmd_sft(args: argparse.Namespace) -> int:
    from .sft import train_sft

    overrides = _overrides(args.set, "SFTConfig")
    episodes = _read_episodes(args.episodes)
    if args.only_correct:
        episodes = [e for e in episodes if e.outcome.correct]
    result = train_sft(
        _existing(args.model, "model directory"),
        episodes,
        args.out,
        epochs=args.epochs,
        learning_rate=args.lr,
        batch_size=args.batch_size,
        max_length=args.max_length,
        seed=args.seed,
        overrides=overrides,
        resume=args.resume,
    )
    print(json.dumps(result, indent=2))
    return 0


def cmd_dpo(args: argparse.Namespace) -> int:
    from mosaic_gym.records import EpisodePair, read_jsonl

    from .dpo import train_dpo

    if args.balance_refusals and args.balanced_batches:
        raise CliError("give --balance-refusals or --balanced-batches, not both")
    if args.nll_weight < 0:
        raise CliError("--nll-weight must be 0 (plain DPO) or positive")
    if args.balanced_batches and (args.batch_size % 2 or args.epochs != int(args.epochs)):
        raise CliError("--balanced-batches needs an even --batch-size and whole --epochs")
    overrides = _overrides(args.set, "DPOConfig")
    pairs = list(read_jsonl(_existing(args.pairs, "pairs file"), EpisodePair))
    if not pairs:
        raise CliError(f"{args.pairs} holds no pair")
    epochs = args.epochs
    if args.balance_refusals:
        from .pairs import balance_refusals

        pairs = balance_refusals(pairs, seed=args.seed)
    elif args.balanced_batches:
        from .pairs import balanced_batches

        pairs = balanced_batches(pairs, args.batch_size, epochs=int(args.epochs), seed=args.seed)
        if not pairs:
            raise CliError(
                "--balanced-batches needs pairs where the refusal was chosen and pairs where it "
                "was rejected; this file lacks one of the two"
            )
        epochs = 1.0
    result = train_dpo(
        _existing(args.model, "model directory"),
        pairs,
        args.out,
        beta=args.beta,
        first_turn=args.first_turn,
        nll_weight=args.nll_weight,
        in_order=args.balanced_batches,
        epochs=epochs,
        learning_rate=args.lr,
        batch_size=args.batch_size,
        max_length=args.max_length,
        seed=args.seed,
        overrides=overrides,
        resume=args.resume,
    )
    print(json.dumps(result, indent=2))
    return 0


def cmd_grpo(args: argparse.Namespace) -> int:
    from .grpo import train_grpo

    overrides = _overrides(args.set, "GRPOConfig")
    try:
        weights = tuple(float(x) for x in args.reward_weights.split(","))
    except ValueError:
        weights = ()
    if len(weights) != 3:
        raise CliError("--reward-weights takes three numbers: pairwise,format,length")
    result = train_grpo(
        _existing(args.model, "model directory"),
        args.out,
        env_ids=_env_ids(args.env),
        seeds=_seeds(args.seeds),
        split=args.split,
        kinds=_kinds(args.kinds),
        judge=_judge(args),
        balance=args.balance,
        group_size=args.group_size,
        tasks_per_step=args.tasks_per_step,
        max_steps=args.steps,
        learning_rate=args.lr,
        temperature=args.temperature,
        max_new_tokens=args.max_new_tokens,
        max_episode_tokens=args.max_episode_tokens,
        env_max_steps=args.max_steps,
        reward_weights=weights,  # type: ignore[arg-type]
        length_threshold=args.length_threshold,
        seed=args.seed,
        backend=args.backend,
        vectorization=args.vector,
        episodes_path=args.episodes_out,
        overrides=overrides,
        resume=args.resume,
        credit=args.credit,
    )
    print(json.dumps({k: v for k, v in result.items() if k != "history"}, indent=2))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from mosaic_gym.metrics import COLUMNS, summarise

    from .evaluate import evaluate, table

    policy = _model_policy(args)
    envs, kinds, seeds = _env_ids(args.env), _kinds(args.kinds), _seeds(args.seeds)
    try:
        episodes = evaluate(
            policy,
            envs,
            seeds,
            split=args.split,
            kinds=kinds,
            num_envs=args.num_envs,
            max_steps=args.max_steps,
            max_episode_tokens=args.max_episode_tokens,
            backend=args.backend,
            vectorization=args.vector,
            out=args.out,
            progress=not args.quiet,
        )
    except ValueError as e:
        raise CliError(str(e)) from None
    if args.json:
        print(json.dumps([{"policy": policy.name, **r} for r in summarise(episodes)], indent=2))
        return 0
    print(
        table(
            episodes,
            f"policy={policy.name} split={args.split} seeds={args.seeds} backend={args.backend}",
        )
    )
    print("columns: " + "; ".join(f"{c}: {d}" for c, d in COLUMNS[1:]))
    return 0


def cmd_tiny(args: argparse.Namespace) -> int:
    from .tiny import build_tiny

    try:
        path = build_tiny(args.out, preset=args.preset, env_ids=_env_ids(args.env), seed=args.seed)
    except ValueError as e:
        raise CliError(str(e)) from None
    print(f"tiny model and tokenizer saved to {path}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import DemoConfig, check_warm_start, run_demo

    if args.warm_start:
        try:
            check_warm_start(_existing(args.warm_start, "warm-start model directory"), args.out)
        except ValueError as e:
            raise CliError(str(e)) from None
    config = DemoConfig(out=args.out, seed=args.seed, quick=args.quick, warm_start=args.warm_start)
    run_demo(config)
    return 0


# -- parser ---------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mosaic-learn",
        description="mosaic learner: rollouts, judged pairs, SFT, DPO and pairwise GRPO",
    )
    p.add_argument("--version", action="version", version=f"mosaic-learn {__version__}")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars or trainer logs")
    sub = p.add_subparsers(dest="command", required=True)

    ro = sub.add_parser(
        "rollout", help="play a model (or scripted policy) over tasks; append Episodes to a JSONL"
    )
    _add_model_args(ro)
    ro.add_argument(
        "--policy",
        help="instead of a model: oracle, comply, refuse, random, or comply-refuse[:RATE]",
    )
    _add_task_args(ro, "train", "4")
    ro.add_argument("--group-size", type=int, default=4, help="rollouts per task and seed (G)")
    ro.add_argument(
        "--out", required=True, help="JSONL to append to; a rerun plays only missing episodes"
    )
    ro.add_argument("--seed", type=int, default=0, help="seed of a scripted policy's own draws")
    _add_run_args(ro)
    _add_sampling_args(ro)
    ro.set_defaults(func=cmd_rollout)

    pa = sub.add_parser("pairs", help="judge episodes of the same task and seed into EpisodePairs")
    pa.add_argument("--episodes", required=True)
    pa.add_argument("--out", required=True)
    _add_judge_args(pa)
    pa.set_defaults(func=cmd_pairs)

    sf = sub.add_parser("sft", help="supervised warm start on episodes (assistant tokens only)")
    sf.add_argument("--model", required=True)
    sf.add_argument("--episodes", required=True, nargs="+")
    sf.add_argument(
        "--only-correct", action="store_true", help="keep episodes whose outcome is correct"
    )
    sf.add_argument("--out", required=True)
    sf.add_argument("--epochs", type=float, default=1.0)
    sf.add_argument(
        "--max-length", type=int, default=4096, help="longer episodes are dropped (counted)"
    )
    _add_train_args(sf, 2e-5, 8)
    sf.set_defaults(func=cmd_sft)

    dp = sub.add_parser("dpo", help="trajectory DPO on an EpisodePair file (assistant tokens only)")
    dp.add_argument("--model", required=True)
    dp.add_argument("--pairs", required=True)
    dp.add_argument("--out", required=True)
    dp.add_argument("--beta", type=float, default=0.1)
    dp.add_argument(
        "--first-turn",
        action="store_true",
        help="train on the first turn where the two episodes part, not the rest",
    )
    dp.add_argument(
        "--balance-refusals",
        action="store_true",
        help="repeat pairs so refusal-chosen and refusal-rejected pairs are equally many",
    )
    dp.add_argument(
        "--balanced-batches",
        action="store_true",
        help="every batch half refusal-chosen, half refusal-rejected (an even --batch-size; "
        "pairs where both or neither refused are left out)",
    )
    dp.add_argument(
        "--nll-weight",
        type=float,
        default=0.0,
        help="add the chosen side's negative log-likelihood with this weight (RPO); 0: plain DPO",
    )
    dp.add_argument("--epochs", type=float, default=1.0)
    dp.add_argument(
        "--max-length", type=int, default=4096, help="longer pairs are dropped (counted)"
    )
    _add_train_args(dp, 5e-7, 4)
    dp.set_defaults(func=cmd_dpo)

    gr = sub.add_parser("grpo", help="pairwise GRPO: whole episodes, group-judged rewards")
    gr.add_argument("--model", required=True)
    gr.add_argument("--out", required=True)
    _add_task_args(gr, "train", "8")
    gr.add_argument("--group-size", type=int, default=4, help="rollouts per task (G)")
    gr.add_argument("--tasks-per-step", type=int, default=4)
    gr.add_argument(
        "--harmful-share",
        type=float,
        help="oversample harmful tasks (on more seeds) to about this share, e.g. 0.5",
    )
    gr.add_argument("--steps", type=int, default=100, help="optimizer steps")
    gr.add_argument("--reward-weights", default="1,0.5,0.5", help="pairwise,format,length")
    gr.add_argument(
        "--length-threshold", type=int, default=400, help="tokens before the length penalty starts"
    )
    gr.add_argument(
        "--credit",
        choices=("all", "first_turn"),
        default="all",
        help="tokens that carry the loss: every generated token, or the first turn only "
        "(where act-or-refuse is decided); rewards always judge whole episodes",
    )
    gr.add_argument("--episodes-out", help="also append every training rollout to this JSONL")
    _add_judge_args(gr)
    _add_run_args(gr)
    _add_sampling_args(gr)
    _add_train_args(gr, 1e-6, 16)
    gr.set_defaults(func=cmd_grpo)

    ev = sub.add_parser("eval", help="evaluate a model: the mosaic-gym eval table")
    _add_model_args(ev)
    _add_task_args(ev, "test", "3")
    ev.add_argument("--out", help="also append the episodes to this JSONL")
    ev.add_argument("--json", action="store_true", help="print the rows as JSON")
    _add_run_args(ev)
    _add_sampling_args(ev, temperature=0.0)
    ev.set_defaults(func=cmd_eval)

    ti = sub.add_parser(
        "tiny", help="build the tiny Qwen2-architecture model and tokenizer from the suite's text"
    )
    ti.add_argument("--out", required=True)
    ti.add_argument("--preset", default="demo", choices=["demo", "test"])
    ti.add_argument("--env", default="mosaic/FileOps-v0")
    ti.add_argument("--seed", type=int, default=0)
    ti.set_defaults(func=cmd_tiny)

    de = sub.add_parser(
        "demo",
        help="the CPU demo: tiny model, SFT, pairwise GRPO and DPO, before/after table and plot",
    )
    de.add_argument("--out", default="runs/demo")
    de.add_argument("--seed", type=int, default=0)
    de.add_argument(
        "--quick", action="store_true", help="a few steps of everything (a smoke test, no learning)"
    )
    de.add_argument(
        "--warm-start",
        help="start GRPO, DPO and the evaluations from this model directory instead of building "
        "and SFT-ing the tiny model (e.g. a longer SFT, or a real small checkpoint)",
    )
    de.set_defaults(func=cmd_demo)
    return p


def _add_judge_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--judge", default="rule", choices=["rule", "llm"])
    p.add_argument("--judge-model", help="local model directory for --judge llm")
    p.add_argument("--judge-endpoint", help="OpenAI-compatible URL for --judge llm")
    p.add_argument("--judge-served-model", help="model name on --judge-endpoint")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    if args.command == "demo":
        # torch's OpenMP threads spin while waiting; on a shared CPU that turns a busy neighbour
        # into a 5-20x slowdown. Passive waiting costs ~10% when the machine is idle.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")
    from ._deps import missing

    gone = missing()
    if gone:
        print(
            f"mosaic-learn: error: needs {', '.join(gone)}; pip install 'mosaic-safety[learn]'",
            file=sys.stderr,
        )
        return 2
    try:
        return int(args.func(args) or 0)
    except CliError as e:
        print(f"mosaic-learn: error: {e}", file=sys.stderr)
        return 2
    except FileNotFoundError as e:
        print(f"mosaic-learn: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
