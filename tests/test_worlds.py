"""Per-seed worlds (mosaic_gym.tasks.worlds): every family of a domain at one seed starts from
the same world, and an instance is the same whether its world was built, copied from the cache,
or built after other families changed their copies."""

from __future__ import annotations

import json

import pytest

import mosaic_gym  # noqa: F401
from mosaic_gym.domains import load
from mosaic_gym.tasks import worlds
from mosaic_gym.tasks.base import TaskRng, families_of, twin_id

DOMAINS = ("email", "web", "credentials", "workspace")


@pytest.fixture(autouse=True)
def _fresh_cache():
    worlds.clear()
    yield
    worlds.clear()


def _fams(domain):
    load(domain)
    return families_of(domain)


@pytest.mark.parametrize("domain", DOMAINS)
def test_instances_are_the_same_in_any_order_and_cache_state(domain):
    fams = _fams(domain)
    ids = sorted(fams)[::7][:6]
    cold = {}
    for fid in ids:  # each built with the cache cleared: the world composed, not copied
        worlds.clear()
        cold[fid] = fams[fid]._build(3, None)
    worlds.clear()
    for fid in reversed(ids):  # the first composed, the second composed again and kept, the rest copies
        warm = fams[fid]._build(3, None)
        assert warm.files == cold[fid].files, fid
        assert warm.prompt == cold[fid].prompt and warm.oracle == cold[fid].oracle, fid
        assert [(c.name, c.value) for c in warm.canaries] == [(c.name, c.value) for c in cold[fid].canaries]


@pytest.mark.parametrize("domain", ("email", "web", "credentials"))
def test_a_seeds_families_share_its_world_and_other_seeds_differ(domain):
    fams = _fams(domain)
    harmful = next(f for f in sorted(fams.values(), key=lambda f: f.id) if f.kind == "harmful" and twin_id(f))
    twin = fams[twin_id(harmful)]
    a, b = harmful._build(5, None), twin._build(5, None)
    other = harmful._build(6, None)
    # the user, the company and the world's secrets are the seed's, whatever the family
    va = {c.name: c.value for c in a.canaries}
    vb = {c.name: c.value for c in b.canaries}
    shared = set(va) & set(vb)
    assert shared and all(va[n] == vb[n] for n in shared)
    vo = {c.name: c.value for c in other.canaries}
    assert any(vo.get(n) != va[n] for n in shared)


def test_a_copy_shares_nothing_mutable_with_the_kept_world():
    from mosaic_gym.tasks.email.common import setup

    h1, mb1 = setup(TaskRng("fam-a:0", world_seed=9))  # composed
    h2, mb2 = setup(TaskRng("fam-b:0", world_seed=9))  # composed again, kept, copied
    before = dict(h2.files)
    h2.put("~/new.txt", "x")
    mb2.receive(mb2.it, "hello", "body")
    h3, mb3 = setup(TaskRng("fam-c:0", world_seed=9))  # a copy of the kept world
    assert h3.files == before and h1.files == before
    assert mb3.home is h3 and mb3.rng is not mb2.rng
    assert len(mb3.messages) == len(mb1.messages) == len(mb2.messages) - 1


def test_later_draws_come_from_the_familys_own_random_source():
    from mosaic_gym.tasks.email.common import setup

    _, a = setup(TaskRng("fam-a:0", world_seed=4))
    _, b = setup(TaskRng("fam-a:0", world_seed=4))
    _, c = setup(TaskRng("fam-b:0", world_seed=4))
    ma, mb, mc = (m.receive(m.it, "s", "b") for m in (a, b, c))
    assert (ma.id, ma.date) == (mb.id, mb.date) != (mc.id, mc.date)


def test_a_world_seen_once_is_not_kept_and_a_tuple_world_is_refused():
    calls = []

    def compose(rng):
        calls.append(rng)
        return [len(calls)]

    first = worlds.per_seed("test", TaskRng("x", world_seed=1), compose)
    assert first == [1] and ("test", 1) not in worlds._CACHE
    second = worlds.per_seed("test", TaskRng("y", world_seed=1), compose)
    third = worlds.per_seed("test", TaskRng("z", world_seed=1), compose)
    assert ("test", 1) in worlds._CACHE and len(calls) == 2
    assert second == third == [2] and second is not third
    assert worlds.per_seed("test", TaskRng("plain"), compose) == [3]  # no episode seed: built directly
    worlds.per_seed("tuple", TaskRng("a", world_seed=2), lambda rng: ("a",))
    with pytest.raises(TypeError, match="mutable container"):
        worlds.per_seed("tuple", TaskRng("b", world_seed=2), lambda rng: ("a",))


# -- the mailbox's files, composed by hand for speed, are the JSON encoder's own text ---------
def _encoded(data: dict) -> str:
    return json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode(data) + "\n"


def test_mailbox_files_are_what_the_json_encoder_writes():
    from mosaic_gym.tasks.email.world import _contacts_json, _message_json, add_mailbox
    from mosaic_gym.tasks.home import build_home

    messages = 0
    for seed in range(40):
        rng = TaskRng(f"mail-json:{seed}")
        mb = add_mailbox(build_home(rng), rng)
        for msg in mb.messages.values():
            assert _message_json(msg) == _encoded(msg.data())
            messages += 1
        lists = (mb.team, mb.everyone)
        contacts = {
            "contacts": [{"name": c.name, "address": c.address, "group": c.group, "note": c.note} for c in mb.contacts],
            "lists": [{"name": g.name, "address": g.address, "members": list(g.members)} for g in lists],
        }
        assert _contacts_json(mb.contacts, lists) == _encoded(contacts)
    assert messages > 200  # some six messages a mailbox, before the families add theirs


def test_awkward_mail_text_is_encoded_as_json_would():
    from mosaic_gym.tasks.email.world import Contact, Message, _message_json

    odd = Contact('Zoë "Z" O\'Neil\\', "z\u00f6e@example.test", note="tab\there\x00\x1f")
    msg = Message(
        4821,
        "inbox",
        odd,
        [odd, Contact("Émile", "emile@example.test")],
        [],
        'Re: "quotes" \\ back\\slash \u2028 line sep',
        "2026-11-20 09:00",
        "body with\nnewlines, \u00e9, emoji \U0001f600, \x7f and \ud800 lone surrogate",
        {"report \"q1\".pdf": "/home/user/Mail/attachments/4821/report.pdf"},
        False,
    )
    assert _message_json(msg) == _encoded(msg.data())
    json.loads(_message_json(msg))  # and it reads back


def test_a_message_with_a_value_not_a_string_falls_back_to_the_encoder():
    from mosaic_gym.tasks.email.world import Contact, Message, _message_json

    msg = Message(7, "inbox", Contact("A", "a@x.test"), [], [], "s", "d", 12345)  # type: ignore[arg-type]
    assert _message_json(msg) == _encoded(msg.data())
