"""Worlds shared by a seed's families: built once per seed and copied at each reset.

A domain's world (the home and its services: mailbox, sites, vault) depends on the episode's
seed only, drawn from ``"{domain}:{seed}"``, so every family of a domain at seed ``s`` starts from
the same world, and a harmful family and its benign twin meet the same people, files and
accounts. Families then add their own pieces, drawing from their own seeded random source.

Building a world is the expensive part of a reset (hundreds of pages, messages and accounts);
copying one costs a fraction of it. :func:`per_seed` builds a seed's world the first time it is
asked for and hands it out as it is; a second request for the same seed builds it again, keeps
that one pristine with a :class:`CopyPlan`, and from then on every request gets a private copy
(containers and mutable objects copied, strings shared). So resets that never meet a seed twice
(a fresh seed every episode) pay one build each, as without a cache, and resets that do (every
family at a few seeds, a group's rollouts, an evaluation's held-out seeds) pay a copy.

A builder handed a :class:`~mosaic_gym.tasks.base.TaskRng` without ``world_seed`` (a test's own)
builds from that random source directly, uncached.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from .base import TaskRng

W = TypeVar("W")

# pristine worlds kept, (domain, seed) pairs: 32 seeds for each of the four domains with
# per-seed worlds, so an evaluation over a few dozen held-out seeds of every env, repeated, still
# copies them. A kept world is about 240 KiB for Workspace, 40 to 110 KiB for the others
# (measured with tracemalloc), so at most about 30 MiB.
CACHE_SIZE = 128
SEEN_SIZE = 4096  # (domain, seed) pairs built once and not kept (yet)

_CACHE: OrderedDict[tuple[str, int], CopyPlan] = OrderedDict()
_SEEN: OrderedDict[tuple[str, int], None] = OrderedDict()


def per_seed(domain: str, rng: TaskRng, compose: Callable[[TaskRng], W]) -> W:
    """The world ``compose`` builds from ``"{domain}:{seed}"`` for the seed of ``rng``, private
    to the caller (see the module docstring); without ``rng.world_seed``, ``compose(rng)``.

    ``compose`` must keep no random source of its own in the world it returns (a caller that
    needs one, as the mailbox does for later mail, sets it on the copy), and must return a
    mutable container (a dataclass or a list), not a tuple: tuples are shared, not copied.
    """
    seed = getattr(rng, "world_seed", None)
    if seed is None:
        return compose(rng)
    key = (domain, seed)
    plan = _CACHE.get(key)
    if plan is not None:
        _CACHE.move_to_end(key)
        return plan.copy()
    if key not in _SEEN:
        _SEEN[key] = None
        if len(_SEEN) > SEEN_SIZE:
            _SEEN.popitem(last=False)
        return compose(TaskRng(f"{domain}:{seed}"))
    del _SEEN[key]
    pristine = compose(TaskRng(f"{domain}:{seed}"))
    if isinstance(pristine, tuple):
        raise TypeError(f"{domain}: a per-seed world must be a mutable container, not a tuple (tuples are shared, not copied)")
    plan = _CACHE[key] = CopyPlan(pristine)
    if len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return plan.copy()


def clear() -> None:
    """Forget every world built (the next request for any seed builds afresh)."""
    _CACHE.clear()
    _SEEN.clear()


# types whose values are shared, never copied: immutable ones, frozen dataclasses and anything
# that is not a dataclass (a random source); learnt as they are met
_SHARED: set[type] = {str, bytes, int, float, bool, type(None), tuple, frozenset}


def clone(obj: Any, memo: dict[int, Any] | None = None) -> Any:
    """A copy of a world's info objects that shares nothing mutable with the original.

    Mutable dataclasses, lists, dicts and sets are copied (shared references stay shared,
    so ``mail.home`` and ``vault.home`` remain one home); strings, numbers, tuples, frozen
    dataclasses and random sources are kept as they are.
    """
    return _clone(obj, {} if memo is None else memo)


_MUTABLE: set[type] = {dict, list, set}


def _shared(t: type) -> bool:
    if t in _MUTABLE:
        return False
    params = getattr(t, "__dataclass_params__", None)
    if params is None or params.frozen:
        _SHARED.add(t)
        return True
    _MUTABLE.add(t)
    return False


def _clone(obj: Any, memo: dict[int, Any]) -> Any:
    t = type(obj)
    if t in _SHARED or _shared(t):
        return obj
    key = id(obj)
    done = memo.get(key)
    if done is not None:
        return done
    if t is list:
        out: Any = list(obj)
        memo[key] = out
        if not _SHARED.issuperset(map(type, out)):
            out[:] = [v if type(v) in _SHARED else _clone(v, memo) for v in out]
        return out
    if t is set:
        out = set(obj)
        memo[key] = out
        return out
    if t is dict:
        out = dict(obj)
        memo[key] = out
        d = out
    else:
        out = object.__new__(t)
        memo[key] = out
        d = out.__dict__
        d.update(obj.__dict__)
    # the common case, every value shared, is decided without a Python-level loop
    if not _SHARED.issuperset(map(type, d.values())):
        for name, value in d.items():
            if type(value) not in _SHARED:
                d[name] = _clone(value, memo)
    return out


class CopyPlan:
    """How to copy one world that never changes again, worked out once: every mutable object
    :func:`clone` would copy, in the order it meets them, and every place one of them refers to
    another. A copy then shallow-copies each object and re-points those places, with no type
    tests and no recursion: the same copy :func:`clone` makes, at a fraction of its cost, for
    the world copied at every reset of its seed.
    """

    def __init__(self, root: Any) -> None:
        self.objects: list[Any] = []
        self.kinds: list[int] = []  # _DICT, _LIST, _SET or _OBJECT (a mutable dataclass)
        self.links: list[tuple[int, Any, int]] = []  # (holder, key or index or field, target)
        self._visit(root, {})

    def _visit(self, obj: Any, seen: dict[int, int]) -> int | None:
        """The position of ``obj`` among the objects to copy, or None when it is shared."""
        t = type(obj)
        if t in _SHARED or _shared(t):
            return None
        at = seen.get(id(obj))
        if at is not None:
            return at
        at = seen[id(obj)] = len(self.objects)
        self.objects.append(obj)
        if t is set:
            self.kinds.append(_SET)  # its members are hashable, kept as they are (as clone does)
            return at
        if t is list:
            self.kinds.append(_LIST)
            members: Any = enumerate(obj)
        elif t is dict:
            self.kinds.append(_DICT)
            members = obj.items()
        else:
            self.kinds.append(_OBJECT)
            members = obj.__dict__.items()
        for key, value in list(members):
            target = self._visit(value, seen)
            if target is not None:
                self.links.append((at, key, target))
        return at

    def copy(self) -> Any:
        copies: list[Any] = []
        slots: list[Any] = []  # where a copy's references live: itself, or its __dict__
        add, add_slot = copies.append, slots.append
        for obj, kind in zip(self.objects, self.kinds, strict=True):
            if kind is _DICT:
                c = dict(obj)
                add_slot(c)
            elif kind is _LIST:
                c = list(obj)
                add_slot(c)
            elif kind is _SET:
                c = set(obj)
                add_slot(c)
            else:
                c = object.__new__(type(obj))
                c.__dict__.update(obj.__dict__)
                add_slot(c.__dict__)
            add(c)
        for holder, key, target in self.links:
            slots[holder][key] = copies[target]
        return copies[0]


_DICT, _LIST, _SET, _OBJECT = 0, 1, 2, 3
