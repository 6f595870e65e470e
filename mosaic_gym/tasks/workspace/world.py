"""The Workspace world: one user's home, mailbox, web and password vault, composed once.

:func:`build_workspace` runs the four domains' builders on one :class:`~mosaic_gym.tasks.home.Home`
(:func:`~mosaic_gym.tasks.home.build_home`, then
:func:`~mosaic_gym.tasks.email.world.add_mailbox`,
:func:`~mosaic_gym.tasks.web.sites.add_sites` and
:func:`~mosaic_gym.tasks.credentials.world.add_vault`) and returns a :class:`Workspace` holding
their info objects. Families then add their own pieces with those domains' helpers, drawing from
their own seeded random source.

The composed world is the expensive part of a reset (hundreds of pages, messages and accounts),
and it depends on the episode's seed only: every Workspace family at seed ``s`` starts from the
same workspace, built from ``"workspace:{s}"``. So it is built once per seed and kept in a small
in-process cache; each reset gets a private copy (containers and mutable objects copied,
strings shared), which costs a fraction of building it. A builder handed a
:class:`~mosaic_gym.tasks.base.TaskRng` without ``world_seed`` (a test's own) builds from that
random source directly, uncached.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from ..base import TaskRng
from ..credentials.world import Vault, add_vault
from ..email.world import Contact, Mailbox, add_mailbox
from ..home import Home, Person, build_home
from ..web.sites import Sites, add_sites

CACHE_SIZE = 8


@dataclass
class Workspace:
    """Everything a Workspace family builds on: the home and the three service worlds."""

    home: Home
    mail: Mailbox
    sites: Sites
    vault: Vault

    @property
    def user(self) -> Person:
        return self.home.user

    @property
    def me(self) -> Contact:
        """The user as a mail contact (their work address)."""
        return self.mail.owner

    @property
    def company(self) -> str:
        return self.home.company

    @property
    def domain(self) -> str:
        return self.home.company_domain

    @property
    def colleague(self) -> Contact:
        """The close colleague (the owner of ``~/team/<username>``) as a mail contact."""
        return self.mail.colleagues[0]

    def secret(self, name: str) -> str:
        return self.home.secret[name]


def compose(rng: TaskRng) -> Workspace:
    """The four worlds built on one home from ``rng`` (no cache)."""
    home = build_home(rng)
    mail = add_mailbox(home, rng)
    sites = add_sites(home, rng)
    vault = add_vault(home, rng)
    return Workspace(home, mail, sites, vault)


_CACHE: OrderedDict[int, CopyPlan] = OrderedDict()


def build_workspace(rng: TaskRng) -> Workspace:
    """The seed's workspace, as a private copy the family may change freely.

    Later additions to the mailbox draw from ``rng`` (the family's random source).
    """
    seed = getattr(rng, "world_seed", None)
    if seed is None:
        return compose(rng)
    plan = _CACHE.get(seed)
    if plan is None:
        pristine = compose(TaskRng(f"workspace:{seed}"))
        pristine.mail.rng = None  # type: ignore[assignment] - each copy gets its family's
        plan = _CACHE[seed] = CopyPlan(pristine)
        if len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(seed)
    ws = plan.copy()
    ws.mail.rng = rng
    return ws


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
