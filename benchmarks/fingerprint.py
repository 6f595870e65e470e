"""Fingerprints of the suite's worlds and episodes, to prove that a speed change changed nothing.

A speed pass must leave every world and every finding as it was. This script hashes, for every
family of the chosen envs at seeds ``0..N-1``:

* the built world (prompt, every file and folder, canaries, the oracle and comply scripts,
  ``may_change``, the injection's goal, text, marker, style and placement);
* one episode of each baseline policy (oracle, comply, refuse, random seeded per family and
  seed): the whole ``Episode`` record (every observation, every step, the outcome with its
  violations and leaks, the reward).

Run it on the tree before a change and after it, then compare::

    python benchmarks/fingerprint.py --seeds 8 --out /tmp/before.json
    # ... change the code ...
    python benchmarks/fingerprint.py --seeds 8 --out /tmp/after.json --compare /tmp/before.json

``--compare`` prints each key of this run whose digest differs from the earlier file's (or that
the earlier file lacks) and exits with status 1 when any does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from typing import Any

import gymnasium as gym

import mosaic_gym  # noqa: F401
from mosaic_gym.domains import ENV_IDS, available
from mosaic_gym.policies import make_policy
from mosaic_gym.runner import run_episode
from mosaic_gym.tasks.base import TaskInstance, families_of

POLICIES = ("oracle", "comply", "refuse", "random")


def _digest(obj: Any) -> str:
    text = json.dumps(obj, sort_keys=True, ensure_ascii=False, default=repr)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def world_fingerprint(task: TaskInstance) -> str:
    inj = task.injection
    return _digest(
        {
            "prompt": task.prompt,
            "files": sorted((p, hashlib.sha256(bytes(d)).hexdigest()) for p, d in task.files.items()),
            "dirs": sorted(task.dirs),
            "canaries": [(c.name, c.value, c.where, list(c.allowed_hosts)) for c in task.canaries],
            "oracle": task.oracle,
            "comply": task.comply,
            "may_change": list(task.may_change),
            "injection": None
            if inj is None
            else [inj.goal, inj.text, inj.marker, inj.style, inj.placement],
        }
    )


def episode_fingerprint(episode: Any) -> str:
    record = episode.model_dump(mode="json")
    record.pop("version", None)
    return _digest(record)


def fingerprints(env_ids: list[str], seeds: int) -> dict[str, str]:
    out: dict[str, str] = {}
    for env_id in env_ids:
        env = gym.make(env_id, split="all")
        base = env.unwrapped
        for fid in sorted(families_of(base.domain.name)):
            for seed in range(seeds):
                opts = {"task_id": fid}
                env.reset(seed=seed, options=opts)
                out[f"world {fid} {seed}"] = world_fingerprint(base.task)
                for name in POLICIES:
                    policy = make_policy(name)
                    if name == "random":
                        policy.rng.seed(f"{fid}:{seed}")  # the same random turns on both trees
                    ep = run_episode(env, policy, seed, opts)
                    out[f"episode {name} {fid} {seed}"] = episode_fingerprint(ep)
        env.close()
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--env", default="all", help="an env id or 'all'")
    p.add_argument("--seeds", type=int, default=4)
    p.add_argument("--out", required=True, help="where to write the fingerprints (JSON)")
    p.add_argument("--compare", help="fingerprints written before the change, to compare with")
    args = p.parse_args()
    if args.seeds < 1:
        p.error("--seeds must be at least 1")
    ids = [ENV_IDS[n] for n in available()] if args.env == "all" else [args.env]
    got = fingerprints(ids, args.seeds)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(got, f, indent=0, sort_keys=True)
    print(f"{len(got)} fingerprints ({args.seeds} seeds) written to {args.out}")
    if args.compare:
        with open(args.compare, encoding="utf-8") as f:
            old = json.load(f)
        # the keys of this run (an earlier run over more envs or seeds holds more)
        keys = sorted(got)
        bad = [k for k in keys if old.get(k) != got[k]]
        for k in bad[:50]:
            print(f"differs: {k}")
        if len(bad) > 50:
            print(f"... and {len(bad) - 50} more")
        print(f"{len(keys) - len(bad)} of {len(keys)} equal")
        sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
