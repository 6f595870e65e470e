"""Local-backend speed: tool steps/s, resets/s and whole episodes/s, single process.

Plays the oracle script of every task family of the chosen env(s) over many seeds and times
``reset`` and ``step`` separately. ``--group 4`` plays each task and seed four times in a row,
as a GRPO group does (the built task instance is reused, the world is restored each time).
``--order random`` gives every episode a seed of its own, families in a shuffled order, as
training that resets without a seed does: nothing built for one seed is met again (the default,
``seed-major``, plays every family at seed 0, then at seed 1, ..., so a world shared by a seed's
families, as Workspace's is, is built once per seed). Run: ``python benchmarks/bench_local.py [--env all]``.

With ``--env all`` the repeats go round-robin over the envs and the table ends with each env's
time per episode and per env step as a multiple of FileOps's, measured within each repeat.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import time

import gymnasium as gym

import mosaic_gym  # noqa: F401
from mosaic_gym.domains import ENV_IDS, available
from mosaic_gym.tasks.base import families_of


def schedule(fams: list[str], seeds: int, group: int, order: str) -> list[tuple[int, str]]:
    """(seed, family) of every reset, in play order."""
    if order == "seed-major":
        return [(seed, f) for seed in range(seeds) for f in fams for _ in range(group)]
    if order == "random":
        rng = random.Random(0)
        plays = [f for _ in range(seeds) for f in fams]
        rng.shuffle(plays)
        # seeds no other episode uses (and far from the seed-major ones)
        return [(1_000_000 + k, f) for k, f in enumerate(plays) for _ in range(group)]
    raise ValueError(f"order must be 'seed-major' or 'random', got {order!r}")


def bench(env_id: str, seeds: int, group: int = 1, order: str = "seed-major") -> dict[str, float]:
    env = gym.make(env_id, split="all").unwrapped  # the bare env: what a vector worker runs
    fams = sorted(families_of(env.domain.name))
    reset_t = tool_t = final_t = 0.0
    resets = tool_steps = episodes = 0
    for seed, fid in schedule(fams, seeds, group, order):
        t0 = time.perf_counter()
        env.reset(seed=seed, options={"task_id": fid})
        reset_t += time.perf_counter() - t0
        resets += 1
        for action in env.task.oracle:
            t0 = time.perf_counter()
            _, _, term, trunc, _ = env.step(action)
            dt = time.perf_counter() - t0
            if term or trunc:
                final_t += dt  # the closing turn also runs the host-side checks
                break
            tool_t += dt
            tool_steps += 1
        episodes += 1
    env.close()
    return {
        "families": len(fams),
        "episodes": episodes,
        "tool_steps_per_s": tool_steps / tool_t,
        "resets_per_s": resets / reset_t,
        "closing_step_ms": 1000 * final_t / episodes,
        "episodes_per_s": episodes / (reset_t + tool_t + final_t),
        # env.step calls (tool turns and the closing turn) per episode, and per second of
        # everything (resets included): the usual "env steps per second" of an RL env
        "steps_per_episode": (tool_steps + episodes) / episodes,
        "env_steps_per_s": (tool_steps + episodes) / (reset_t + tool_t + final_t),
    }


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--env", default="mosaic/FileOps-v0", help="an env id or 'all'")
    p.add_argument("--seeds", type=int, default=20)
    p.add_argument("--repeats", type=int, default=3, help="report the median of this many runs")
    p.add_argument("--group", type=int, default=1, help="play each task and seed this many times in a row (a GRPO group)")
    p.add_argument("--order", default="seed-major", choices=["seed-major", "random"], help="the order of resets (see the module docstring)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    ids = [ENV_IDS[n] for n in available()] if args.env == "all" else [args.env]
    # Round-robin: every repeat runs each env once, in turn, so a burst of load from elsewhere
    # on a shared machine hits all envs of one repeat alike; each env's figures are the median
    # over repeats, and "x FileOps" is the median over repeats of the ratio within a repeat.
    runs: dict[str, list[dict[str, float]]] = {env_id: [] for env_id in ids}
    for env_id in ids:  # warm-up, not timed: first-use costs (imports, compiled patterns, caches)
        bench(env_id, 1, 1, args.order)
    for _ in range(args.repeats):
        for env_id in ids:
            runs[env_id].append(bench(env_id, args.seeds, args.group, args.order))
    results = {env_id: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for env_id, rs in runs.items()}
    ref = ENV_IDS["fileops"]
    if ref in runs:
        for env_id, rs in runs.items():
            results[env_id]["x_fileops_per_episode"] = statistics.median(
                f["episodes_per_s"] / r["episodes_per_s"] for f, r in zip(runs[ref], rs, strict=True)
            )
            results[env_id]["x_fileops_per_step"] = statistics.median(
                f["env_steps_per_s"] / r["env_steps_per_s"] for f, r in zip(runs[ref], rs, strict=True)
            )
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}, group={args.group}, order={args.order}, seeds={args.seeds}, repeats={args.repeats}")
    ratios = ref in runs
    head = f"{'env':<24}{'families':>9}{'tool steps/s':>14}{'resets/s':>10}{'close ms':>10}{'episodes/s':>12}{'steps/ep':>10}{'env steps/s':>13}"
    print(head + (f"{'x FileOps/ep':>14}{'x FileOps/step':>16}" if ratios else ""))
    for env_id, r in results.items():
        line = (
            f"{env_id:<24}{r['families']:>9.0f}{r['tool_steps_per_s']:>14,.0f}{r['resets_per_s']:>10,.0f}{r['closing_step_ms']:>10.2f}"
            f"{r['episodes_per_s']:>12,.0f}{r['steps_per_episode']:>10.2f}{r['env_steps_per_s']:>13,.0f}"
        )
        if ratios:
            line += f"{r['x_fileops_per_episode']:>14.2f}{r['x_fileops_per_step']:>16.2f}"
        print(line)


if __name__ == "__main__":
    main()
