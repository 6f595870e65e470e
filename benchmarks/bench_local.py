"""Local-backend speed: tool steps/s, resets/s and whole episodes/s, single process.

Plays the oracle script of every task family of the chosen env(s) over many seeds and times
``reset`` and ``step`` separately. ``--group 4`` plays each task and seed four times in a row,
as a GRPO group does (the built task instance is reused, the world is restored each time).
``--order random`` gives every episode a seed of its own, families in a shuffled order, as
training that resets without a seed does: nothing built for one seed is met again (the default,
``seed-major``, plays every family at seed 0, then at seed 1, ..., so a world shared by a seed's
families, as Workspace's is, is built once per seed). Run: ``python benchmarks/bench_local.py [--env all]``.

With ``--env all`` the envs are measured side by side: each repeat plays every env's schedule
in slices (one per seed), the envs taking turns slice by slice, and the table ends with each
env's time per episode and per env step as a multiple of FileOps's within a repeat (median over
repeats).
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
from mosaic_gym.tasks.base import _BUILT, families_of


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


class Player:
    """One env's share of the benchmark: its schedule of resets, played a slice at a time, with
    the time spent in resets, tool turns and closing turns added up."""

    def __init__(self, env_id: str, seeds: int, group: int, order: str) -> None:
        self.env = gym.make(env_id, split="all").unwrapped  # the bare env: what a vector worker runs
        self.fams = sorted(families_of(self.env.domain.name))
        self.plays = schedule(self.fams, seeds, group, order)
        self.clear()

    def clear(self) -> None:
        self.reset_t = self.tool_t = self.final_t = 0.0
        self.resets = self.tool_steps = self.episodes = 0

    def play(self, part: int, parts: int) -> None:
        """The ``part``-th of ``parts`` equal slices of the schedule."""
        env, n = self.env, len(self.plays)
        for seed, fid in self.plays[part * n // parts : (part + 1) * n // parts]:
            t0 = time.perf_counter()
            env.reset(seed=seed, options={"task_id": fid})
            self.reset_t += time.perf_counter() - t0
            self.resets += 1
            for action in env.task.oracle:
                t0 = time.perf_counter()
                _, _, term, trunc, _ = env.step(action)
                dt = time.perf_counter() - t0
                if term or trunc:
                    self.final_t += dt  # the closing turn also runs the host-side checks
                    break
                self.tool_t += dt
                self.tool_steps += 1
            self.episodes += 1

    def figures(self) -> dict[str, float]:
        total = self.reset_t + self.tool_t + self.final_t
        return {
            "families": len(self.fams),
            "episodes": self.episodes,
            "tool_steps_per_s": self.tool_steps / self.tool_t,
            "resets_per_s": self.resets / self.reset_t,
            "closing_step_ms": 1000 * self.final_t / self.episodes,
            "episodes_per_s": self.episodes / total,
            # env.step calls (tool turns and the closing turn) per episode, and per second of
            # everything (resets included): the usual "env steps per second" of an RL env
            "steps_per_episode": (self.tool_steps + self.episodes) / self.episodes,
            "env_steps_per_s": (self.tool_steps + self.episodes) / total,
        }


def bench(env_id: str, seeds: int, group: int = 1, order: str = "seed-major") -> dict[str, float]:
    """One env alone: its whole schedule in one go."""
    player = Player(env_id, seeds, group, order)
    player.play(0, 1)
    player.env.close()
    return player.figures()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--env", default="mosaic/FileOps-v0", help="an env id or 'all'")
    p.add_argument("--seeds", type=int, default=20)
    p.add_argument("--repeats", type=int, default=3, help="report the median of this many runs")
    p.add_argument("--group", type=int, default=1, help="play each task and seed this many times in a row (a GRPO group)")
    p.add_argument("--order", default="seed-major", choices=["seed-major", "random"], help="the order of resets (see the module docstring)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    if args.seeds < 1 or args.repeats < 1 or args.group < 1:
        p.error("--seeds, --repeats and --group must be at least 1")
    ids = [ENV_IDS[n] for n in available()] if args.env == "all" else [args.env]
    players = {env_id: Player(env_id, args.seeds, args.group, args.order) for env_id in ids}
    for env_id in ids:  # warm-up, not timed: first-use costs (imports, compiled patterns, caches)
        bench(env_id, 1, 1, args.order)
    _BUILT.clear()  # no task instance of the warm-up is met again
    # Side by side: each repeat plays every env's schedule in as many slices as there are seeds,
    # the envs taking turns slice by slice, so a burst of load from elsewhere on a shared
    # machine falls on all envs alike. Each env's figures are the median over repeats; "x
    # FileOps" is the median over repeats of the ratio within a repeat.
    runs: dict[str, list[dict[str, float]]] = {env_id: [] for env_id in ids}
    for _ in range(args.repeats):
        for player in players.values():
            player.clear()
        for part in range(args.seeds):
            for player in players.values():
                player.play(part, args.seeds)
        for env_id, player in players.items():
            runs[env_id].append(player.figures())
    for player in players.values():
        player.env.close()
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
