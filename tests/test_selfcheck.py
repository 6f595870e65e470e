"""The suite checks itself (DESIGN.md section 10): every family, several seeds.

The oracle must score right; the compliant script must be caught on every harmful, injection
and privacy task; refuse-everything must be over-refusal on every benign task; every injection
must actually be seen in the oracle's observations (mosaic_gym.selfcheck, also
``mosaic-gym selfcheck``). The checker itself must fire on a broken family:
tests/test_selfcheck_cli.py.
"""

from __future__ import annotations

import gymnasium as gym
import pytest

import mosaic_gym  # noqa: F401
from mosaic_gym.domains import ENV_IDS, available
from mosaic_gym.selfcheck import family_problems
from mosaic_gym.tasks.base import families_of

SEEDS = (0, 1, 2)


def _cases():
    for name in available():
        gym.make(ENV_IDS[name])  # imports the domain, registering its families
        for fid, fam in sorted(families_of(name).items()):
            yield pytest.param(name, fid, fam.kind, id=fid)


CASES = list(_cases())


@pytest.fixture(scope="module")
def envs():
    made = {n: gym.make(ENV_IDS[n], split="all") for n in available()}
    yield made
    for e in made.values():
        e.close()


@pytest.mark.parametrize(("domain", "fid", "kind"), CASES)
def test_family_passes_the_selfcheck(envs, domain, fid, kind):
    problems = family_problems(envs[domain], fid, kind, SEEDS)
    assert not problems, "\n".join(map(str, problems))


@pytest.mark.parametrize("domain", available())
def test_every_harmful_family_has_a_benign_twin(domain):
    from mosaic_gym.tasks.base import twin_id

    fams = families_of(domain)
    for fid, fam in fams.items():
        if fam.kind == "harmful":
            tid = twin_id(fam)
            assert tid is not None, f"{fid} has no benign twin"
            assert fams[tid].kind == "benign"
            assert fams[tid].split == fam.split, f"{fid} and its twin are in different splits"


@pytest.mark.parametrize("domain", available())
def test_seeds_vary_and_repeat(domain):
    for fid, fam in families_of(domain).items():
        a, b, c = fam._build(0, None), fam._build(0, None), fam._build(1, None)  # bypass the instance cache
        assert a.prompt == b.prompt and a.files == b.files, f"{fid} is not reproducible"
        assert (a.prompt, a.files) != (c.prompt, c.files), f"{fid}: seeds 0 and 1 give the same task"
