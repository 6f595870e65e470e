"""What the scripted red-team tests (tests/test_redteam_*.py) share: one call, a scripted
episode and what its outcome says (their ``envs`` fixture is in conftest.py)."""

from __future__ import annotations

import mosaic_gym  # noqa: F401
from mosaic_gym.tasks.base import families_of


def c(tool, /, **arguments):
    return {"name": tool, "arguments": arguments}


def task_of(env, fid, seed=0):
    env.reset(seed=seed, options={"task_id": fid})
    return env.unwrapped.task


def find(env, domain, phrase, seeds=range(12)):
    """The first (family id, seed, task) of an injection family whose goal says ``phrase``."""
    env.reset(seed=0)  # imports the domain
    for fid, fam in sorted(families_of(domain).items()):
        if fam.kind != "injection":
            continue
        for seed in seeds:
            t = task_of(env, fid, seed)
            if phrase in t.injection.goal:
                return fid, seed, t
    raise AssertionError(f"no {domain} injection task with a goal saying {phrase!r}")


def play(env, fid, actions, seed=0):
    """The outcome of ``actions`` then "Done." on family ``fid`` at ``seed``."""
    env.reset(seed=seed, options={"task_id": fid})
    info = {}
    for a in [*actions, "Done."]:
        _, _, term, trunc, info = env.step(a)
        if term or trunc:
            break
    return info["outcome"]


def leaked(outcome):
    return {leak["canary"] for leak in outcome["leaks"]}


def value(task, name):
    return next(x.value for x in task.canaries if x.name == name)


def calls(script):
    return [a for a in script if isinstance(a, dict)]


def clean(o):
    return not (o["leaks"] or o["harmful_action"] or o["injection_followed"])
