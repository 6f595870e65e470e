"""Docker-backend speed: steps through the persistent shell, resets from the pool against a fresh
container per episode, docker against local on the same episodes, and episodes/s over a vector
env of docker envs.

Plays the oracle script of every task family of FileOps-v0 over several seeds. Needs a Docker
daemon and the sandbox image (``mosaic-gym sandbox build``). Run:
``python benchmarks/bench_docker.py [--seeds 5] [--fresh 30] [--vector 4] [--json]``.

Targets (issue 3, a 2-core machine): step median <= 3 ms; pool reset median <= 15 ms and p95
<= 40 ms, >= 15x faster than a fresh container; >= 50 episodes/s over 4 docker envs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from typing import Any

import gymnasium as gym

import mosaic_gym  # noqa: F401
import mosaic_gym.domains.fileops  # noqa: F401 - registers the families
from mosaic_gym.sandbox.docker import DockerSandbox
from mosaic_gym.tasks.base import families_of

ENV_ID = "mosaic/FileOps-v0"
LABELS = {"mosaic.bench": str(os.getpid())}


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def play(env: Any, fid: str, seed: int, steps: list[float], resets: list[float]) -> float:
    """One oracle episode; appends tool-step and reset latencies; returns its whole time."""
    t_start = time.perf_counter()
    env.reset(seed=seed, options={"task_id": fid})
    resets.append(time.perf_counter() - t_start)
    for action in env.task.oracle:
        t0 = time.perf_counter()
        _, _, term, trunc, _ = env.step(action)
        if term or trunc:
            break  # the closing turn runs the host-side checks: not a tool step
        steps.append(time.perf_counter() - t0)
    return time.perf_counter() - t_start


def bench_episodes(seeds: int) -> dict[str, float]:
    """The same (family, seed) episodes on both backends, one process, bare envs."""
    envs = {
        b: gym.make(
            ENV_ID, split="all", backend=b, **({"labels": LABELS} if b == "docker" else {})
        ).unwrapped
        for b in ("local", "docker")
    }
    fids = sorted(families_of("fileops"))
    stats: dict[str, dict[str, list[float]]] = {
        b: {"steps": [], "resets": [], "episodes": []} for b in envs
    }
    envs["docker"].reset(seed=0)  # the container starts here, not inside the timings
    for seed in range(seeds):
        for fid in fids:
            for b, env in envs.items():
                s = stats[b]
                s["episodes"].append(play(env, fid, seed, s["steps"], s["resets"]))
    for env in envs.values():
        env.close()
    d, loc = stats["docker"], stats["local"]
    return {
        "episodes": len(d["episodes"]),
        "docker_tool_steps": len(d["steps"]),
        "docker_step_median_ms": 1000 * statistics.median(d["steps"]),
        "docker_step_p95_ms": 1000 * pct(d["steps"], 0.95),
        "docker_tool_steps_per_s": len(d["steps"]) / sum(d["steps"]),
        "pool_reset_median_ms": 1000 * statistics.median(d["resets"]),
        "pool_reset_p95_ms": 1000 * pct(d["resets"], 0.95),
        "local_step_median_ms": 1000 * statistics.median(loc["steps"]),
        "docker_episode_median_ms": 1000 * statistics.median(d["episodes"]),
        "local_episode_median_ms": 1000 * statistics.median(loc["episodes"]),
        "docker_over_local_episode_time": sum(d["episodes"]) / sum(loc["episodes"]),
        "docker_episodes_per_s_one_env": len(d["episodes"]) / sum(d["episodes"]),
    }


def bench_fresh(n: int) -> dict[str, float]:
    """Reset by a fresh container per episode: the sandbox gives its container back (removed, no
    spares) and the next restore has to start one. Removal is not timed."""
    sb = DockerSandbox(labels=LABELS, spares=0)
    fams = families_of("fileops")
    fids = sorted(fams)
    times = []
    for i in range(n):
        task = fams[fids[i % len(fids)]].build(i)
        sb.close()
        t0 = time.perf_counter()
        sb.restore(task.files, task.dirs)
        times.append(time.perf_counter() - t0)
    sb.close()
    return {
        "fresh_reset_median_ms": 1000 * statistics.median(times),
        "fresh_reset_p95_ms": 1000 * pct(times, 0.95),
    }


class OracleActor(gym.Wrapper):
    """Plays the task's oracle script whatever action it is given (so a vector env can be timed
    with the oracle policy without sending the script across processes)."""

    def reset(self, **kw: Any) -> Any:
        out = self.env.reset(**kw)
        self._script = list(self.env.unwrapped.task.oracle)
        return out

    def step(self, action: Any) -> Any:
        return self.env.step(self._script.pop(0) if self._script else "Done.")


def bench_vector(n_envs: int, seconds: float) -> dict[str, float]:
    def make() -> gym.Env:
        return OracleActor(gym.make(ENV_ID, split="all", backend="docker", labels=LABELS, spares=0))

    venv = gym.vector.AsyncVectorEnv([make for _ in range(n_envs)])
    try:
        venv.reset(seed=list(range(n_envs)))
        for _ in range(20):  # warm up: every worker's container is started
            venv.step(["x"] * n_envs)
        episodes, steps = 0, 0
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            _, _, term, trunc, _ = venv.step(["x"] * n_envs)
            steps += n_envs
            episodes += int(sum(term) + sum(trunc))
        took = time.perf_counter() - t0
    finally:
        venv.close()
    return {
        "vector_envs": n_envs,
        "vector_episodes_per_s": episodes / took,
        "vector_env_steps_per_s": steps / took,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", type=int, default=5, help="seeds per family for the episode timings")
    p.add_argument("--fresh", type=int, default=30, help="fresh-container resets to time")
    p.add_argument("--vector", type=int, default=4, help="docker envs in the AsyncVectorEnv")
    p.add_argument("--seconds", type=float, default=20.0, help="how long to run the vector env")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    r: dict[str, Any] = {}
    r.update(bench_episodes(args.seeds))
    r.update(bench_fresh(args.fresh))
    r["pool_vs_fresh_speedup"] = r["fresh_reset_median_ms"] / r["pool_reset_median_ms"]
    r.update(bench_vector(args.vector, args.seconds))
    if args.json:
        print(json.dumps(r, indent=2))
        return
    print(
        f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, python {platform.python_version()}"
    )
    for k, v in r.items():
        print(f"  {k:<34}{v:>12,.2f}")


if __name__ == "__main__":
    main()
