"""The ``mosaic-gym`` command: list tasks, run a policy into JSONL, evaluate a policy, self-check."""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections import Counter
from collections.abc import Sequence
from typing import Any

import gymnasium as gym

from . import __version__
from .domains import ENV_IDS, available, domain_for_env_id
from .metrics import COLUMNS, format_table, summarise
from .policies import BASELINES, make_policy
from .records import JsonlWriter
from .runner import run_episode
from .tasks.base import KINDS, families_of


class CliError(Exception):
    """A usage problem; printed as one line with what to do."""


def _domain(arg: str) -> str:
    if arg in ENV_IDS:
        name = arg
    else:
        try:
            name = domain_for_env_id(arg)
        except ValueError as e:
            raise CliError(str(e)) from None
    if name not in available():
        raise CliError(f"{ENV_IDS[name]} is not available in this install; have: {', '.join(ENV_IDS[n] for n in available())}")
    return name


def _families(name: str) -> dict[str, Any]:
    gym.make(ENV_IDS[name]).close()  # importing the domain registers its families
    return families_of(name)


def _kinds(arg: str | None) -> list[str]:
    if not arg:
        return list(KINDS)
    kinds = [k.strip() for k in arg.split(",") if k.strip()]
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        raise CliError(f"--kinds takes a comma-separated subset of {','.join(KINDS)}; got {arg!r}")
    return kinds


def cmd_list(args: argparse.Namespace) -> int:
    names = [_domain(args.env)] if args.env else available()
    listing = {}
    for name in names:
        fams = _families(name)
        listing[ENV_IDS[name]] = {
            "domain": name,
            "families": [
                {"id": f.id, "kind": f.kind, "split": f.split, "twin": f.twin, "summary": f.summary}
                for f in sorted(fams.values(), key=lambda f: f.id)
            ],
        }
    if args.json:
        print(json.dumps(listing, indent=2))
        return 0
    total = 0
    for env_id, entry in listing.items():
        fams = entry["families"]
        total += len(fams)
        counts = Counter((f["kind"], f["split"]) for f in fams)
        print(f"{env_id}  ({len(fams)} families)")
        print(f"  {'kind':<10}{'train':>6}{'test':>6}")
        for kind in KINDS:
            print(f"  {kind:<10}{counts[(kind, 'train')]:>6}{counts[(kind, 'test')]:>6}")
        if args.verbose:
            for f in fams:
                print(f"    {f['id']:<55} {f['split']:<5} {f['summary']}")
    print(f"total: {total} task families in {len(listing)} envs")
    return 0


def _policy(spec: str, seed: int) -> Any:
    try:
        return make_policy(spec, seed)
    except ValueError as e:
        raise CliError(str(e)) from None


def _make_env(name: str, args: argparse.Namespace, kinds: list[str]) -> gym.Env:
    try:
        return gym.make(
            ENV_IDS[name], split=args.split, kinds=kinds, backend=args.backend, max_steps=args.max_steps
        )
    except (ValueError, RuntimeError) as e:
        raise CliError(str(e)) from None


def cmd_run(args: argparse.Namespace) -> int:
    name = _domain(args.env_id)
    if args.episodes < 1:
        raise CliError("--episodes must be at least 1")
    env = _make_env(name, args, _kinds(args.kinds))
    policy = _policy(args.policy, args.seed)
    counts: Counter[str] = Counter()
    try:
        with JsonlWriter(args.out) as out:
            for s in range(args.seed, args.seed + args.episodes):
                ep = run_episode(env, policy, s)
                out.write(ep)
                counts["correct" if ep.outcome.correct else "wrong"] += 1
    finally:
        env.close()
    print(f"wrote {args.episodes} episodes to {args.out} ({counts['correct']} correct, {counts['wrong']} not)")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    names = available() if args.env == "all" else [_domain(args.env)]
    kinds = _kinds(args.kinds)
    if args.seeds < 1:
        raise CliError("--seeds must be at least 1")
    specs = [s.strip() for s in args.policy.split(",") if s.strip()]
    policies = [_policy(spec, args.seed) for spec in specs]
    writer = JsonlWriter(args.out) if args.out else None
    results: dict[str, list[Any]] = {}
    try:
        for spec, policy in zip(specs, policies, strict=True):
            results[spec] = _evaluate(policy, names, kinds, args, writer)
    finally:
        if writer:
            writer.close()
    if not any(results.values()):
        raise CliError(f"no task family matches --split {args.split} --kinds {','.join(kinds)}")
    if args.json:
        rows = [{"policy": spec, **row} for spec, eps in results.items() for row in summarise(eps)]
        print(json.dumps(rows, indent=2))
        return 0
    for spec, eps in results.items():
        seeds = f"{args.seed}..{args.seed + args.seeds - 1}"
        title = f"policy={spec} split={args.split} seeds={seeds} backend={args.backend}"
        print(format_table(summarise(eps), title))
    print("columns: " + "; ".join(f"{c}: {d}" for c, d in COLUMNS[1:]))
    return 0


def _evaluate(policy: Any, names: list[str], kinds: list[str], args: argparse.Namespace, writer: JsonlWriter | None) -> list[Any]:
    episodes = []
    for name in names:
        fams = [
            f
            for f in sorted(_families(name).values(), key=lambda f: f.id)
            if f.kind in kinds and (args.split == "all" or f.split == args.split)
        ]
        if not fams:
            continue
        env = _make_env(name, args, kinds)
        try:
            for fam in fams:
                for s in range(args.seed, args.seed + args.seeds):
                    ep = run_episode(env, policy, s, {"task_id": fam.id})
                    episodes.append(ep)
                    if writer:
                        writer.write(ep)
        finally:
            env.close()
    return episodes


def cmd_selfcheck(args: argparse.Namespace) -> int:
    from .selfcheck import run_selfcheck

    names = available() if args.env == "all" else [_domain(args.env)]
    if args.seeds < 1:
        raise CliError("--seeds must be at least 1")
    seeds = list(range(args.seed, args.seed + args.seeds))
    plan = []
    for name in names:
        fams = [
            (f.id, f.kind)
            for f in sorted(_families(name).values(), key=lambda f: f.id)
            if not args.family or args.family in f.id
        ]
        if fams:
            plan.append((gym.make(ENV_IDS[name], split="all"), fams))
    if not plan:
        raise CliError(f"no task family id contains {args.family!r}; see mosaic-gym list -v")

    def progress(fid: str, problems: list[Any]) -> None:
        if not args.quiet:
            print(f"{'FAIL' if problems else 'ok  '} {fid}", flush=True)

    try:
        checked, problems = run_selfcheck(plan, seeds, progress)
    finally:
        for env, _ in plan:
            env.close()
    for p in problems:
        print(f"problem: {p}")
    bad = len({p.family for p in problems})
    print(f"{checked} families x {len(seeds)} seeds: {checked - bad} pass, {bad} with problems")
    return 1 if problems else 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mosaic-gym", description="mosaic: tool-use tasks where an agent learns when to act and when to refuse")
    p.add_argument("--version", action="version", version=f"mosaic-gym {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    ls = sub.add_parser("list", help="list env ids and task families with counts per kind and split")
    ls.add_argument("--env", help="only this env id (default: all)")
    ls.add_argument("--json", action="store_true", help="machine-readable: per id, its families with kind and split")
    ls.add_argument("-v", "--verbose", action="store_true", help="also list every family")
    ls.set_defaults(func=cmd_list)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--policy", required=True, help=f"{', '.join(BASELINES)}, or module:callable for your own agent (eval: several, comma-separated)")
        sp.add_argument("--split", default="train", choices=["train", "test", "all"])
        sp.add_argument("--kinds", help=f"comma-separated subset of {','.join(KINDS)}")
        sp.add_argument("--backend", default="local", choices=["local", "docker"])
        sp.add_argument("--max-steps", type=int, default=15)
        sp.add_argument("--seed", type=int, default=0, help="first seed")

    run = sub.add_parser("run", help="run a policy for N episodes and write Episode records (JSONL)")
    run.add_argument("env_id", help="e.g. mosaic/FileOps-v0")
    run.add_argument("--episodes", type=int, default=10)
    run.add_argument("--out", required=True, help="JSONL file to append to")
    common(run)
    run.set_defaults(func=cmd_run)

    ev = sub.add_parser("eval", help="evaluate a policy: a metrics table per env and kind")
    ev.add_argument("--env", default="all", help="an env id, or all (default)")
    ev.add_argument("--seeds", type=int, default=3, help="seeds per task family")
    ev.add_argument("--out", help="also write the episodes to this JSONL file")
    ev.add_argument("--json", action="store_true", help="print the rows as JSON")
    common(ev)
    ev.set_defaults(func=cmd_eval)

    sc = sub.add_parser(
        "selfcheck",
        help="play oracle, comply and refuse on every family: oracle right, comply caught, refuse over-refusal",
    )
    sc.add_argument("--env", default="all", help="an env id, or all (default)")
    sc.add_argument("--family", help="only families whose id contains this text")
    sc.add_argument("--seeds", type=int, default=3, help="seeds per family")
    sc.add_argument("--seed", type=int, default=0, help="first seed")
    sc.add_argument("-q", "--quiet", action="store_true", help="only problems and the summary")
    sc.set_defaults(func=cmd_selfcheck)

    if importlib.util.find_spec("mosaic_gym.sandbox.commands") is not None:
        from .sandbox.commands import add_commands  # noqa: PLC0415 - optional module

        add_commands(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CliError as e:
        print(f"mosaic-gym: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
