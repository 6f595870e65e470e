"""The mail tools: valid use does what it says, bad arguments come back as error observations
(never an exception), and everything sent is recorded as outbound with its attachments' content."""

from __future__ import annotations

import json

import gymnasium as gym
import pytest

import mosaic_gym  # noqa: F401
from mosaic_gym.policies import make_policy
from mosaic_gym.sandbox.local import LocalSandbox
from mosaic_gym.tasks.base import TaskRng
from mosaic_gym.tasks.email.world import add_mailbox, plant_in_signature
from mosaic_gym.tasks.home import build_home
from mosaic_gym.tools.base import OUTBOUND_DIR, ToolContext, ToolError
from mosaic_gym.tools.mail import (
    MAIL_TOOLS,
    delete_email,
    forward,
    list_contacts,
    list_emails,
    move_email,
    normalise_address,
    open_attachment,
    read_email,
    reply,
    search_emails,
    send_email,
)

TASK = "email.benign.forward_report_internal"


@pytest.fixture
def world():
    """A seeded mailbox in an in-process sandbox, and a context to call tools with."""
    rng = TaskRng("mail-tools:0")
    home = build_home(rng)
    mb = add_mailbox(home, rng)
    report = mb.receive(
        mb.manager,
        "Q3 numbers",
        "Revenue grew 12%.",
        attachments={"q3.md": "# Q3\nrevenue +12%\n"},
        day=18,
    )
    sb = LocalSandbox()
    sb.restore({k: v.encode() for k, v in home.files.items()})
    ctx = ToolContext(sandbox=sb, step=1)
    return mb, report, sb, ctx


def records(sb) -> list[dict]:
    try:
        paths = sb.walk(OUTBOUND_DIR)
    except Exception:  # noqa: BLE001 - nothing sent yet
        return []
    return [json.loads(sb.read(p)) for p in paths]


def test_every_tool_has_a_documented_schema():
    for t in MAIL_TOOLS:
        fn = t.schema["function"]
        assert fn["description"]
        for name, prop in fn["parameters"]["properties"].items():
            assert prop["description"], f"{t.name}.{name}"


def test_list_read_search_and_attachments(world):
    mb, report, sb, ctx = world
    listing = list_emails(ctx)
    assert f"[{report.id}] *" in listing and "Q3 numbers" in listing and "[1 attachment]" in listing
    assert list_emails(ctx, folder="sent").startswith("sent:")
    shown = read_email(ctx, email_id=report.id)
    assert "Revenue grew 12%." in shown and "q3.md" in shown and mb.manager.address in shown
    assert f"[{report.id}]  " in list_emails(ctx)  # read now: no unread star
    assert "revenue +12%" in open_attachment(ctx, email_id=report.id, filename="Q3.MD")
    hits = search_emails(ctx, query="q3 NUMBERS")
    assert f"[{report.id}]" in hits and "Revenue grew 12%." in hits
    assert "no e-mail in any folder matches" in search_emails(ctx, query="zebra-unicorn")
    assert mb.hr.address in list_contacts(ctx, query="people")
    assert mb.team.address in list_contacts(ctx)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda ctx, r: read_email(ctx, email_id=1), "no e-mail with id 1"),
        (lambda ctx, r: list_emails(ctx, limit=0), "limit must be between"),
        (lambda ctx, r: search_emails(ctx, query="   "), "query is empty"),
        (lambda ctx, r: open_attachment(ctx, email_id=r.id, filename="nope.txt"), "it has: q3.md"),
        (
            lambda ctx, r: send_email(ctx, to="not an address@", subject="s", body="b"),
            "not a valid e-mail address",
        ),
        (
            lambda ctx, r: send_email(ctx, to="Nobody Known", subject="s", body="b"),
            "neither an e-mail address nor a contact",
        ),
        (lambda ctx, r: send_email(ctx, to="", subject="s", body="b"), "no recipient"),
        (
            lambda ctx, r: send_email(
                ctx, to="a@b.example", subject="s", body="b", attachments=["~/missing.txt"]
            ),
            "no such file",
        ),
        (
            lambda ctx, r: send_email(
                ctx, to="a@b.example", subject="s", body="b", attachments=["~/projects"]
            ),
            "is a folder",
        ),
        (
            lambda ctx, r: forward(ctx, email_id=424242, to="a@b.example"),
            "no e-mail with id 424242",
        ),
        (lambda ctx, r: move_email(ctx, email_id=424242, folder="archive"), "no e-mail with id"),
    ],
)
def test_bad_arguments_are_tool_errors(world, call, message):
    mb, report, sb, ctx = world
    with pytest.raises(ToolError, match=message):
        call(ctx, report)
    assert records(sb) == []  # nothing left


def test_attachments_outside_home_are_refused(world):
    *_, sb, ctx = world
    from mosaic_gym.sandbox.base import SandboxError

    for path in ("/etc/passwd", "~/../../srv/mail/account.json", "/srv/mail/contacts.json"):
        with pytest.raises(SandboxError):
            send_email(ctx, to="a@b.example", subject="s", body="b", attachments=[path])
    assert records(sb) == []


def test_send_records_recipients_lists_and_attachment_content(world):
    mb, report, sb, ctx = world
    col = mb.colleagues[1]
    out = send_email(
        ctx,
        to=f"{mb.team.name}, MAILTO:{col.address.upper()}",
        cc=f"{mb.hr.name} <{mb.hr.address}>",
        subject="Notes",
        body="see attached",
        attachments=["~/notes/todo.md"],
    )
    assert out.startswith("Sent e-mail 9001")
    (rec,) = records(sb)
    assert rec["channel"] == "email" and rec["tool"] == "send_email" and rec["step"] == 1
    assert rec["to"] == [mb.team.address, col.address] and rec["cc"] == [mb.hr.address]
    assert set(rec["delivered_to"]) == set(mb.team.members) | {mb.hr.address}
    assert rec["attachments"][0]["content"] == mb.home.files["/home/user/notes/todo.md"]
    sent = json.loads(sb.read("/srv/mail/sent/9001.json"))
    assert sent["subject"] == "Notes" and sent["attachments"][0]["path"] == "~/notes/todo.md"
    assert "Notes" in list_emails(ctx, folder="sent")
    ctx.step = 2
    # a unique first name resolves to that contact
    send_email(ctx, to=mb.colleagues[0].first, subject="hi", body="hello")
    assert records(sb)[-1]["to"] == [mb.colleagues[0].address]
    assert json.loads(sb.read("/srv/mail/state.json"))["next_id"] == 9003


def test_reply_and_forward(world):
    mb, report, sb, ctx = world
    assert "Replied with e-mail" in reply(ctx, email_id=report.id, body="Thanks!")
    rec = records(sb)[-1]
    assert (
        rec["to"] == [mb.manager.address]
        and rec["subject"] == "Re: Q3 numbers"
        and rec["in_reply_to"] == report.id
    )
    ctx.step = 2
    forward(ctx, email_id=report.id, to=mb.colleagues[0].address, body="FYI")
    rec = records(sb)[-1]
    assert rec["subject"] == "Fwd: Q3 numbers" and rec["body"] == "FYI"
    assert "Revenue grew 12%." in rec["forwarded"]["text"]
    assert rec["attachments"][0]["content"] == "# Q3\nrevenue +12%\n"
    ctx.step = 3
    sent_id = rec["message_id"]
    # a reply to your own mail goes to its recipients
    reply(ctx, email_id=sent_id, body="one more thing")
    assert records(sb)[-1]["to"] == [mb.colleagues[0].address]


def test_reply_all_copies_the_others_but_not_me(world):
    mb, _, sb, ctx = world
    col, other = mb.colleagues[0], mb.colleagues[1]
    msg = mb.receive(col, "Plan", "ok?", to=[mb.owner, other], cc=[mb.manager])
    sb.restore({k: v.encode() for k, v in mb.home.files.items()})
    reply(ctx, email_id=msg.id, body="fine", reply_all=True)
    rec = records(sb)[-1]
    assert rec["to"] == [col.address] and sorted(rec["cc"]) == sorted(
        [other.address, mb.manager.address]
    )


def test_move_and_delete(world):
    mb, report, sb, ctx = world
    assert "to archive" in move_email(ctx, email_id=report.id, folder="archive")
    assert sb.stat(f"/srv/mail/archive/{report.id}.json") is not None
    assert "moved e-mail" in delete_email(ctx, email_id=report.id)
    assert sb.stat(f"/srv/mail/trash/{report.id}.json") is not None
    assert "erased for good" in delete_email(ctx, email_id=report.id)
    assert all(
        sb.stat(f"/srv/mail/{f}/{report.id}.json") is None for f in ("inbox", "archive", "trash")
    )
    send_email(ctx, to="a@b.example", subject="s", body="b")
    with pytest.raises(ToolError, match="stays in sent"):
        move_email(ctx, email_id=9001, folder="inbox")


def test_normalise_address():
    assert normalise_address("  Jo Bloggs <JO.Bloggs@Example.COM> ") == "jo.bloggs@example.com"
    assert normalise_address("mailto:x@y.example.") == "x@y.example"
    assert normalise_address("x@y") is None
    assert normalise_address("two@words here.example") is None


def test_signature_placement_keeps_the_signature(world):
    mb, report, *_ = world
    msg = mb.receive(mb.colleagues[0], "Hi", "Body text.")
    plant_in_signature(mb, msg, "INJECTED LINE")
    body = msg.body
    assert (
        body.index("Body text.")
        < body.index("-- \n")
        < body.index(mb.colleagues[0].name, body.index("-- \n"))
        < body.index("INJECTED LINE")
    )


def test_env_turns_bad_calls_into_observations():
    env = gym.make("mosaic/Email-v0", split="all")
    env.reset(seed=0, options={"task_id": TASK})
    bad = [
        {"name": "read_email", "arguments": {"email_id": "abc"}},
        {"name": "list_emails", "arguments": {"folder": "spam"}},
        {"name": "send_email", "arguments": {"to": ["a@b.example"], "subject": "s", "body": "b"}},
        {"name": "forward", "arguments": {"email_id": 1}},
    ]
    for action in bad:
        obs, _, term, _, info = env.step(action)
        assert info["invalid_action"] and "bad arguments" in obs and not term
    obs, _, _, _, info = env.step({"name": "read_email", "arguments": {"email_id": 5}})
    assert "error: no e-mail with id 5" in obs and "invalid_action" not in info
    # a numeric string is a fine id
    obs, *_ = env.step({"name": "read_email", "arguments": {"email_id": "12"}})
    assert "error: no e-mail with id 12" in obs
    env.close()


def test_random_agent_never_crashes_a_tool():
    env = gym.make("mosaic/Email-v0", split="all", max_steps=25)
    for seed in range(6):
        policy = make_policy("random", seed=seed)
        obs, info = env.reset(seed=seed)
        policy.reset(env.unwrapped, obs, info)
        while True:
            obs, _, term, trunc, info = env.step(policy.act(obs, info))
            assert "internal error" not in obs
            if term or trunc:
                break
    env.close()


def test_same_seed_same_world_and_observations():
    def play():
        env = gym.make("mosaic/Email-v0", split="all")
        obs, _ = env.reset(seed=11, options={"task_id": TASK})
        seen = [obs]
        for a in env.unwrapped.task.oracle[:-1]:
            seen.append(env.step(a)[0])
        world = dict(env.unwrapped.sandbox.snapshot())
        env.close()
        return seen, world

    assert play() == play()


@pytest.mark.docker
def test_every_mail_tool_answers_the_same_on_docker(docker_api):
    """Each tool, valid and invalid calls, on both backends: the same observations and world."""
    from tests.conftest import TEST_LABELS

    actions = [
        call_("list_emails", folder="inbox", limit=3),
        call_("list_contacts", query="team"),
        call_("search_emails", query="summary"),
        call_("read_email", email_id=4242),
        call_(
            "send_email",
            to="Accounts Payable",
            subject="s",
            body="b",
            attachments=["~/notes/todo.md"],
        ),
        call_("send_email", to="x@y.example", subject="s", body="b", attachments=["/etc/passwd"]),
        call_("reply", email_id=9001, body="again", reply_all=True),
        call_("forward", email_id=9001, to="team-nobody@nowhere", body="fwd"),
        call_("list_emails", folder="sent"),
        call_("delete_email", email_id=9001),
        call_("list_emails", folder="trash"),
        call_("delete_email", email_id=9001),
        call_("move_email", email_id=9002, folder="archive"),
        call_("open_attachment", email_id=9002, filename="todo.md"),
    ]
    worlds = []
    for backend in ("local", "docker"):
        kw = {"labels": TEST_LABELS} if backend == "docker" else {}
        env = gym.make("mosaic/Email-v0", split="all", backend=backend, max_steps=40, **kw)
        env.reset(seed=3, options={"task_id": TASK})
        first = env.unwrapped.task.oracle[:2]  # list, read the report
        report = first[1]["arguments"]["email_id"]
        more = [
            call_("move_email", email_id=report, folder="archive"),
            call_("forward", email_id=report, to="Accounts Payable"),
        ]
        seen = [env.step(a)[0] for a in first + actions + more]
        assert not any("internal error" in o for o in seen)
        assert sum("error:" in o for o in seen) == 5, seen
        snap = env.unwrapped.sandbox.snapshot()
        worlds.append(
            (seen, {p: snap[p] for p in sorted(snap) if p.startswith(("/srv", "/home/user/Mail"))})
        )
        env.close()
    assert worlds[0] == worlds[1]


def call_(name, **arguments):
    return {"name": name, "arguments": arguments}
