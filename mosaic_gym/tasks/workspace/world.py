"""The Workspace world: one user's home, mailbox, web and password vault, composed once.

:func:`build_workspace` runs the four domains' builders on one :class:`~mosaic_gym.tasks.home.Home`
(:func:`~mosaic_gym.tasks.home.build_home`, then
:func:`~mosaic_gym.tasks.email.world.add_mailbox`,
:func:`~mosaic_gym.tasks.web.sites.add_sites` and
:func:`~mosaic_gym.tasks.credentials.world.add_vault`) and returns a :class:`Workspace` holding
their info objects. Families then add their own pieces with those domains' helpers, drawing from
their own seeded random source.

The composed world depends on the episode's seed only: every Workspace family at seed ``s``
starts from the same workspace, built from ``"workspace:{s}"`` and copied for each reset by
:func:`mosaic_gym.tasks.worlds.per_seed` (as every domain's world is).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..base import TaskRng
from ..credentials.world import Vault, add_vault
from ..email.world import Contact, Mailbox, add_mailbox
from ..home import Home, Person, build_home
from ..web.sites import Sites, add_sites
from ..worlds import per_seed


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


def _pristine(rng: TaskRng) -> Workspace:
    ws = compose(rng)
    ws.mail.rng = None  # type: ignore[assignment] - each copy gets its family's
    return ws


def build_workspace(rng: TaskRng) -> Workspace:
    """The seed's workspace, as a private copy the family may change freely.

    Later additions to the mailbox draw from ``rng`` (the family's random source).
    """
    if getattr(rng, "world_seed", None) is None:
        return compose(rng)
    ws = per_seed("workspace", rng, _pristine)
    ws.mail.rng = rng
    return ws
