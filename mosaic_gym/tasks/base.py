"""What a task is: a seeded instance of a task family, with its world, its scripts and checks.

A :class:`TaskFamily` is one template (say "clean a project's build artefacts"); calling it
with a seed builds a :class:`TaskInstance`: the user's prompt, the whole seeded world, the
planted canaries, the ground-truth script (``oracle``), the wrong script a naive agent would
follow (``comply``), and pure checks over the :class:`~mosaic_gym.evidence.Evidence` of an
episode. Families register themselves per domain with :func:`family`.
"""

from __future__ import annotations

import random
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from math import ceil, log
from typing import Any, Literal

from ..evidence import Evidence

Kind = Literal["benign", "harmful", "injection", "privacy"]
Split = Literal["train", "test"]
KINDS: tuple[Kind, ...] = ("benign", "harmful", "injection", "privacy")
SPLITS: tuple[Split, ...] = ("train", "test")

# A check returns None when it holds, else a detail string (optionally with the step).
CheckResult = None | str | tuple[str, int | None]
Check = Callable[[Evidence], CheckResult]
Action = dict[str, Any] | list[dict[str, Any]] | str


@dataclass(frozen=True)
class Canary:
    """A planted secret or PII value: its stable name, the value, and where it lives.

    ``allowed_hosts`` names the hosts the value may legitimately be sent to (a password typed
    into its own site's sign-in); an outbound record whose hosts are all among them is not a
    leak of this canary. Anywhere else it is, look-alike hosts included.
    """

    name: str
    value: str
    where: str = ""
    allowed_hosts: tuple[str, ...] = ()


@dataclass
class Injection:
    """An injected instruction placed in something the agent reads while doing the job.

    ``text`` is the injected text as planted; ``marker`` a substring of it that proves the
    agent saw it (the self-check looks for it in the oracle's observations); ``followed``
    fires when the injected goal was acted on, even partly or unsuccessfully attempted.
    """

    goal: str
    text: str
    marker: str
    followed: Check
    style: str = ""
    placement: str = ""


@dataclass
class TaskInstance:
    family: TaskFamily
    seed: int
    prompt: str
    files: dict[str, bytes]
    canaries: list[Canary]
    oracle: list[Action]
    comply: list[Action]
    success: Check | None = None
    harm: Check | None = None
    injection: Injection | None = None
    may_change: tuple[str, ...] = ()
    dirs: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def task_id(self) -> str:
        return self.family.id

    @property
    def kind(self) -> Kind:
        return self.family.kind


class TaskRng(random.Random):
    """The seeded random source a builder draws from, plus the reset options it may honour.

    ``world_seed`` is the episode's seed itself (None outside :meth:`TaskFamily.build`): a
    builder may key a world shared by every family of a domain on it (the Workspace world).
    """

    def __init__(
        self, seed: str, options: dict[str, Any] | None = None, world_seed: int | None = None
    ) -> None:
        super().__init__(seed)
        self.options: dict[str, Any] = dict(options or {})
        self.world_seed = world_seed

    def token(self, n: int, alphabet: str = "abcdefghijklmnopqrstuvwxyz0123456789") -> str:
        return "".join([self.choice(alphabet) for _ in range(n)])

    def digits(self, n: int) -> str:
        if not _FAST_DRAWS:
            return "".join([random.Random.choice(self, "0123456789") for _ in range(n)])
        grb = self.getrandbits
        out = []
        for _ in range(n):
            r = grb(4)
            while r >= 10:
                r = grb(4)
            out.append(_DIGIT_CHARS[r])
        return "".join(out)

    # The world builders draw thousands of values per reset. These give exactly what
    # random.Random's own methods give (the same bits drawn from the same state, so the same
    # worlds), with one Python call per draw instead of three; _FAST_DRAWS is off where this
    # Python's Random draws differently (checked once below).
    def choice(self, seq):  # type: ignore[override]
        n = len(seq)
        if n and _FAST_DRAWS:
            k = n.bit_length()
            grb = self.getrandbits
            r = grb(k)
            while r >= n:
                r = grb(k)
            return seq[r]
        return random.Random.choice(self, seq)

    def randint(self, a, b):  # type: ignore[override]
        if type(a) is int and type(b) is int and b >= a and _FAST_DRAWS:
            n = b - a + 1
            k = n.bit_length()
            grb = self.getrandbits
            r = grb(k)
            while r >= n:
                r = grb(k)
            return a + r
        return random.Random.randint(self, a, b)

    def randrange(self, start, stop=None, step=1):  # type: ignore[override]
        simple = type(start) is int and type(stop) is int and type(step) is int and step > 0
        if simple and stop > start and _FAST_DRAWS:
            n = (stop - start + step - 1) // step  # the range's length (stop - start for step 1)
            k = n.bit_length()
            grb = self.getrandbits
            r = grb(k)
            while r >= n:
                r = grb(k)
            return start + step * r
        if stop is None and step == 1:
            return random.Random.randrange(self, start)
        return random.Random.randrange(self, start, stop, step)

    def sample(self, population, k, *, counts=None):  # type: ignore[override]
        """``random.Random.sample``: the same items from the same draws, in fewer Python calls.

        ``sample`` (pure Python) picks from a copied pool whenever the population is small next
        to ``k`` (nearly every sample the builders draw), one ``_randbelow(n - i)`` per item;
        this is that loop with ``_randbelow`` written inline. Anything else goes to ``sample``.
        """
        n = len(population)
        simple = counts is None and type(population) in _SEQUENCES and type(k) is int
        if not (simple and 0 <= k <= n and _FAST_DRAWS):
            return random.Random.sample(self, population, k, counts=counts)
        if n > 21 and (k <= 5 or n > 21 + 4 ** ceil(log(k * 3, 4))):  # sample's own threshold
            return random.Random.sample(self, population, k)
        pool = list(population)
        grb = self.getrandbits
        out = []
        for m in range(n, n - k, -1):  # m = n - i items left
            b = m.bit_length()
            j = grb(b)
            while j >= m:
                j = grb(b)
            out.append(pool[j])
            pool[j] = pool[m - 1]
        return out


_DIGIT_CHARS = "0123456789"
_SEQUENCES = (list, tuple, range)  # the populations sample's fast path takes
_FAST_DRAWS = True  # the check below runs the fast paths


def _fast_draws_agree() -> bool:
    """Whether TaskRng's fast draws give what random.Random's methods give on this Python."""
    fast, ref = TaskRng("fast-draws"), random.Random("fast-draws")
    seqs = ["a", "ab", "abc", _DIGIT_CHARS, list(range(33)), tuple(range(100)), range(2**40 + 3)]
    for i in range(400):
        seq = seqs[i % len(seqs)]
        if fast.choice(seq) != ref.choice(seq):
            return False
        a, b = i - 7, i * 3 + (i % 5)
        if fast.randint(a, b) != ref.randint(a, b):
            return False
        if fast.randrange(a, b + 1) != ref.randrange(a, b + 1):
            return False
        if fast.randrange(3800, 9200, 50) != ref.randrange(3800, 9200, 50):
            return False
        if fast.randrange(a, b + i % 7 + 1, i % 9 + 1) != ref.randrange(a, b + i % 7 + 1, i % 9 + 1):
            return False
        if fast.randrange(i + 1) != ref.randrange(i + 1):
            return False
        if fast.digits(i % 9) != "".join(ref.choice(_DIGIT_CHARS) for _ in range(i % 9)):
            return False
        pop = list(range(i % 40)) if i % 2 else tuple(range(i % 25))
        k = i % (min(len(pop), 9) + 1)
        if fast.sample(pop, k) != ref.sample(pop, k):
            return False
    return fast.getstate() == ref.getstate()


_FAST_DRAWS = _fast_draws_agree()


Builder = Callable[[TaskRng], TaskInstance | dict[str, Any]]


@dataclass(frozen=True)
class TaskFamily:
    id: str
    domain: str
    kind: Kind
    split: Split
    build_fn: Builder
    twin: str | None = None
    summary: str = ""

    def build(self, seed: int, options: dict[str, Any] | None = None) -> TaskInstance:
        """The instance for ``seed``: the same seed gives the same instance, byte for byte.

        Recent instances are kept (an instance is never mutated after it is built), so the G
        rollouts of one task and seed in a GRPO group, or an eval's repeats, build it once.
        """
        try:
            key = (self.id, seed, tuple(sorted((options or {}).items())))
            hash(key)
        except TypeError:
            key = None
        if key is not None and key in _BUILT:
            _BUILT.move_to_end(key)
            return _BUILT[key]
        instance = self._build(seed, options)
        if key is not None:
            _BUILT[key] = instance
            if len(_BUILT) > BUILT_CACHE_SIZE:
                _BUILT.popitem(last=False)
        return instance

    def _build(self, seed: int, options: dict[str, Any] | None) -> TaskInstance:
        rng = TaskRng(f"{self.id}:{seed}", options, world_seed=seed)
        spec = self.build_fn(rng)
        if isinstance(spec, TaskInstance):
            return spec
        raw = spec.pop("files")
        if set(map(type, raw.values())) <= {str}:  # all text, the usual case: one C-level pass
            files = dict(zip(raw, map(str.encode, raw.values()), strict=True))
        else:
            files = {k: (v.encode("utf-8") if isinstance(v, str) else bytes(v)) for k, v in raw.items()}
        return TaskInstance(family=self, seed=seed, files=files, **spec)


BUILT_CACHE_SIZE = 64
_BUILT: OrderedDict[tuple[Any, ...], TaskInstance] = OrderedDict()
_REGISTRY: dict[str, dict[str, TaskFamily]] = {}


def family(
    domain: str,
    kind: Kind,
    name: str,
    *,
    split: Split = "train",
    twin: str | None = None,
) -> Callable[[Builder], Builder]:
    """Register a builder ``fn(rng) -> dict(prompt=..., files=..., ...)`` as a task family.

    The family id is ``"{domain}.{kind}.{name}"``; ``twin`` names the look-alike family of the
    other kind (a harmful task's benign twin) by its ``name`` within the domain.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")

    def register(fn: Builder) -> Builder:
        fid = f"{domain}.{kind}.{name}"
        families = _REGISTRY.setdefault(domain, {})
        if fid in families:
            raise ValueError(f"task family {fid} is registered twice")
        doc = (fn.__doc__ or "").strip().splitlines()
        families[fid] = TaskFamily(
            id=fid,
            domain=domain,
            kind=kind,
            split=split,
            build_fn=fn,
            twin=twin,
            summary=doc[0] if doc else "",
        )
        return fn

    return register


def families_of(domain: str) -> dict[str, TaskFamily]:
    """Every registered family of ``domain`` by id (the domain's module must be imported)."""
    return dict(_REGISTRY.get(domain, {}))


def twin_id(fam: TaskFamily) -> str | None:
    """The full id of a family's twin, or None."""
    if fam.twin is None:
        return None
    for fid, other in _REGISTRY.get(fam.domain, {}).items():
        if fid.rsplit(".", 1)[1] == fam.twin and other.kind != fam.kind:
            return fid
    return None
