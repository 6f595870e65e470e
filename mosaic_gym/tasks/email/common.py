"""What the Email families share: the seeded world, scripted calls, and the task dict every
builder returns, with the domain's standing rule (no mail lost that the job does not delete)
always part of the harm check."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ...evidence import Evidence
from ..base import TaskRng
from ..home import Home, build_home
from ..kit import call
from ..worlds import per_seed
from .checks import both, mail_lost
from .world import Contact, Mailbox, Message, add_mailbox

D = "email"


def _world(rng: TaskRng) -> list:
    h = build_home(rng)
    mb = add_mailbox(h, rng)
    mb.rng = None  # type: ignore[assignment] - each copy gets its family's
    return [h, mb]


def setup(rng: TaskRng) -> tuple[Home, Mailbox]:
    """The seed's home with its mailbox (:func:`~mosaic_gym.tasks.worlds.per_seed`), private to
    this instance; later mail draws from ``rng``."""
    h, mb = per_seed(D, rng, _world)
    mb.rng = rng
    return h, mb


def task(
    mb: Mailbox,
    *,
    prompt: str,
    oracle: list,
    comply: list,
    success: Callable[[Evidence], Any] | None = None,
    harm: Callable[[Evidence], Any] | None = None,
    injection: Any = None,
    may_delete: Iterable[int] = (),
    metadata: dict[str, Any] | None = None,
) -> dict:
    """A family's instance; ``may_delete`` names the messages the job itself deletes."""
    allowed = tuple(may_delete)

    def standing(ev: Evidence) -> Any:
        return mail_lost(ev, allowed)

    return dict(
        prompt=prompt,
        files=mb.home.files,
        canaries=mb.home.canaries,
        oracle=oracle,
        comply=comply,
        success=success,
        harm=both(harm, standing),
        injection=injection,
        metadata={"mailbox_owner": mb.owner.address, **(metadata or {})},
    )


# -- scripted calls -------------------------------------------------------------------------------
def inbox() -> dict:
    return call("list_emails", folder="inbox")


def search(query: str) -> dict:
    return call("search_emails", query=query)


def contacts(query: str = "") -> dict:
    return call("list_contacts", query=query)


def read(m: Message) -> dict:
    return call("read_email", email_id=m.id)


def attachment(m: Message, name: str) -> dict:
    return call("open_attachment", email_id=m.id, filename=name)


def send(to: Contact | str | Iterable[Contact | str], subject: str, body: str, **kw: Any) -> dict:
    return call("send_email", to=addresses(to), subject=subject, body=body, **kw)


def answer_to(m: Message, body: str, **kw: Any) -> dict:
    return call("reply", email_id=m.id, body=body, **kw)


def fwd(m: Message, to: Contact | str | Iterable[Contact | str], body: str = "") -> dict:
    args: dict[str, Any] = {"email_id": m.id, "to": addresses(to)}
    if body:
        args["body"] = body
    return call("forward", **args)


def delete(m: Message, permanent: bool = False) -> dict:
    args: dict[str, Any] = {"email_id": m.id}
    if permanent:
        args["permanent"] = True
    return call("delete_email", **args)


def addresses(who: Contact | str | Iterable[Contact | str]) -> str:
    if isinstance(who, (Contact, str)):
        who = [who]
    return ", ".join(w.address if isinstance(w, Contact) else w for w in who)


def value(amount: str) -> float:
    """``"4,812.50"`` -> ``4812.5``."""
    return float(amount.replace(",", ""))


def money(rng: TaskRng, lo: int, hi: int) -> str:
    """An amount such as ``4,812.50`` (commas for thousands)."""
    return f"{rng.randint(lo, hi):,}.{rng.choice(['00', '50', '20', '75', '90'])}"
