"""Mail tools: read, search, send, reply to, forward, file and delete e-mail in a mailbox.

The mailbox is plain world files under ``/srv/mail`` (out of the file tools' reach), so both
backends run these tools unchanged:

``/srv/mail/account.json``
    The owner: ``name``, ``address``, and ``now`` (the mailbox clock, ``YYYY-MM-DD HH:MM``; a
    message sent at step ``n`` is dated ``now`` plus ``n`` minutes).
``/srv/mail/state.json``
    ``next_id``: the id the next sent message gets.
``/srv/mail/contacts.json``
    ``contacts`` (``name``, ``address``, ``group``, ``note``) and ``lists`` (``name``,
    ``address``, ``members``): a mail sent to a list's address is delivered to every member.
``/srv/mail/<folder>/<id>.json``
    One message per file, maildir-style; ``folder`` is one of :data:`FOLDERS`. A message has
    ``id``, ``from`` and ``to``/``cc`` (``{"name", "address"}`` objects), ``subject``, ``date``,
    ``body``, ``attachments`` (``{"name", "path"}``: the attachment is the home file at
    ``path``, usually under ``~/Mail/attachments/<id>/``), ``unread``, and for sent mail
    ``in_reply_to`` / ``forwarded_from``.

Everything sent (``send_email``, ``reply``, ``forward``) is filed in ``sent`` and recorded with
:func:`~mosaic_gym.tools.base.record_outbound` on the ``email`` channel: the sender, the
recipients as written and as delivered (lists expanded), subject, the body the agent wrote,
each attachment's path *and content*, and a forwarded message's text, so the host-side leak
and harm checks see everything that left.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from ..sandbox.base import NotFound, SandboxError, display_path, resolve_user_path
from .base import ToolContext, ToolError, record_outbound, tool

MAIL_DIR = "/srv/mail"
ACCOUNT = f"{MAIL_DIR}/account.json"
STATE = f"{MAIL_DIR}/state.json"
CONTACTS = f"{MAIL_DIR}/contacts.json"
FOLDERS = ("inbox", "sent", "archive", "trash")
ATTACHMENTS_DIR = "~/Mail/attachments"
MAX_RECIPIENTS = 50
MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 256 * 1024
MAX_BODY_CHARS = 100_000
MAX_SEARCH_HITS = 10
SNIPPET_LINES = 3
SNIPPET_CHARS = 500
_ADDRESS = re.compile(r"^[a-z0-9._%+'-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$")
_ANGLE = re.compile(r"^(.*?)<([^<>]*)>\s*$")


# -- shared helpers (the task checks use these too) -------------------------------------------
def message_path(folder: str, email_id: int) -> str:
    return f"{MAIL_DIR}/{folder}/{email_id}.json"


def normalise_address(raw: str) -> str | None:
    """``raw`` as a bare lower-case address (``Name <a@b.c>`` and ``mailto:`` accepted), or None
    when it is not an address."""
    s = raw.strip()
    m = _ANGLE.match(s)
    if m:
        s = m.group(2).strip()
    s = s.strip().strip("'\"").strip()
    if s.casefold().startswith("mailto:"):
        s = s[len("mailto:") :]
    s = s.strip().rstrip(".").casefold()
    return s if _ADDRESS.match(s) else None


def address_domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].rstrip(".").casefold()


def shown(person: dict[str, Any] | None) -> str:
    """A ``{"name", "address"}`` object as mail shows it."""
    if not person:
        return "(unknown)"
    name, addr = str(person.get("name") or "").strip(), str(person.get("address") or "")
    return f"{name} <{addr}>" if name and name.casefold() != addr.casefold() else addr


def _load(ctx: ToolContext, path: str) -> dict[str, Any] | None:
    try:
        data = json.loads(ctx.sandbox.read(path).decode("utf-8"))
    except (SandboxError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


_SORTED = json.JSONEncoder(ensure_ascii=False, sort_keys=True)  # what json.dumps builds per call


def _dump(ctx: ToolContext, path: str, data: dict[str, Any]) -> None:
    text = _SORTED.encode(data) + "\n"
    ctx.sandbox.write(path, text.encode("utf-8"))


def _account(ctx: ToolContext) -> dict[str, Any]:
    acc = _load(ctx, ACCOUNT)
    if acc is None or not isinstance(acc.get("address"), str):
        raise ToolError("no mailbox is set up in this environment")
    return acc


def _contacts(ctx: ToolContext) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    data = _load(ctx, CONTACTS) or {}
    contacts = [
        c
        for c in data.get("contacts", [])
        if isinstance(c, dict) and isinstance(c.get("address"), str)
    ]
    lists = [
        g
        for g in data.get("lists", [])
        if isinstance(g, dict) and isinstance(g.get("address"), str)
    ]
    return contacts, lists


def _messages(ctx: ToolContext, folder: str) -> list[dict[str, Any]]:
    """The messages of one folder, newest first."""
    base = f"{MAIL_DIR}/{folder}"
    entry = ctx.sandbox.stat(base)
    if entry is None or not entry.is_dir:
        return []
    out = []
    for e in ctx.sandbox.list(base):
        if e.is_dir or not e.name.endswith(".json"):
            continue
        msg = _load(ctx, f"{base}/{e.name}")
        if msg is not None and isinstance(msg.get("id"), int):
            msg["folder"] = folder
            out.append(msg)
    out.sort(key=lambda m: (str(m.get("date", "")), m["id"]), reverse=True)
    return out


def _find(ctx: ToolContext, email_id: int) -> dict[str, Any]:
    for folder in FOLDERS:
        path = message_path(folder, email_id)
        if ctx.sandbox.stat(path) is not None:
            msg = _load(ctx, path)
            if msg is not None:
                msg["folder"] = folder
                return msg
    raise ToolError(f"no e-mail with id {email_id}; list_emails or search_emails show the ids")


def _save(ctx: ToolContext, msg: dict[str, Any]) -> None:
    data = {k: v for k, v in msg.items() if k != "folder"}
    _dump(ctx, message_path(msg["folder"], msg["id"]), data)


def _people(value: Any) -> list[dict[str, Any]]:
    return [p for p in (value or []) if isinstance(p, dict)]


def _attachments(msg: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        a
        for a in msg.get("attachments") or []
        if isinstance(a, dict) and isinstance(a.get("name"), str)
    ]


def _clock(ctx: ToolContext, acc: dict[str, Any]) -> str:
    """The date of a message sent now: the mailbox clock plus one minute per step."""
    now = str(acc.get("now", "2026-11-20 09:00"))
    m = re.match(r"^(\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2})$", now)
    if not m:
        return now
    minutes = int(m.group(2)) * 60 + int(m.group(3)) + max(ctx.step, 0)
    return f"{m.group(1)} {min(minutes // 60, 23):02d}:{minutes % 60:02d}"


def _resolve(ctx: ToolContext, raw: str, field: str) -> list[dict[str, Any]]:
    """Recipients written by the model (addresses, ``Name <address>``, contact or list names,
    separated by commas or semicolons) as ``{"name", "address"}`` objects."""
    items = [s.strip() for s in re.split(r"[,;\n]", raw) if s.strip()]
    contacts, lists = _contacts(ctx)
    out: list[dict[str, Any]] = []
    for item in items:
        addr = normalise_address(item)
        if addr is not None:
            known = next((c for c in [*contacts, *lists] if c["address"].casefold() == addr), None)
            out.append({"name": str(known.get("name", "")) if known else "", "address": addr})
            continue
        if "@" in item:
            raise ToolError(f"{field}: {item!r} is not a valid e-mail address")
        want = item.strip("'\"").casefold()
        matches = [c for c in [*contacts, *lists] if str(c.get("name", "")).casefold() == want]
        if not matches:
            matches = [
                c for c in contacts if str(c.get("name", "")).casefold().split(" ")[0] == want
            ]
        if len(matches) == 1:
            out.append(
                {
                    "name": str(matches[0].get("name", "")),
                    "address": matches[0]["address"].casefold(),
                }
            )
            continue
        if len(matches) > 1:
            options = ", ".join(shown(m) for m in matches)
            raise ToolError(
                f"{field}: {item!r} matches several contacts ({options}); give the address"
            )
        raise ToolError(
            f"{field}: {item!r} is neither an e-mail address nor a contact name; list_contacts shows your contacts"
        )
    seen: set[str] = set()
    unique = []
    for p in out:
        if p["address"] not in seen:
            seen.add(p["address"])
            unique.append(p)
    if len(unique) > MAX_RECIPIENTS:
        raise ToolError(f"{field}: at most {MAX_RECIPIENTS} recipients per message")
    return unique


def _delivered(ctx: ToolContext, people: list[dict[str, Any]]) -> list[str]:
    """The addresses a message reaches: lists expanded to their members, once each."""
    _, lists = _contacts(ctx)
    by_addr = {g["address"].casefold(): g for g in lists}
    out: list[str] = []
    for p in people:
        addr = p["address"]
        group = by_addr.get(addr)
        targets = [str(m).casefold() for m in group.get("members", [])] if group else [addr]
        for t in targets:
            if t not in out:
                out.append(t)
    return out


def _read_attachment_files(ctx: ToolContext, paths: list[str]) -> list[dict[str, Any]]:
    if len(paths) > MAX_ATTACHMENTS:
        raise ToolError(f"at most {MAX_ATTACHMENTS} attachments per message")
    home = ctx.sandbox.home
    out = []
    for raw in paths:
        p = resolve_user_path(raw, home)
        entry = ctx.sandbox.stat(p)
        if entry is None:
            raise ToolError(f"attachment {raw!r}: no such file")
        if entry.is_dir:
            raise ToolError(f"attachment {raw!r} is a folder; attach the files in it one by one")
        data = ctx.sandbox.read(p)
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise ToolError(f"attachment {raw!r} is larger than {MAX_ATTACHMENT_BYTES // 1024} KiB")
        out.append(
            {
                "name": p.rsplit("/", 1)[1],
                "path": display_path(p, home),
                "content": data.decode("utf-8", "replace"),
            }
        )
    return out


def _stored_attachments(ctx: ToolContext, msg: dict[str, Any]) -> list[dict[str, Any]]:
    """A message's attachments with their content, for forwarding (a missing file is skipped)."""
    home = ctx.sandbox.home
    out = []
    for a in _attachments(msg):
        entry = {"name": a["name"], "path": str(a.get("path", ""))}
        try:
            p = resolve_user_path(entry["path"], home)
            entry["content"] = ctx.sandbox.read(p).decode("utf-8", "replace")
        except SandboxError:
            continue
        out.append(entry)
    return out


def _deliver(
    ctx: ToolContext,
    tool_name: str,
    to: list[dict[str, Any]],
    cc: list[dict[str, Any]],
    subject: str,
    body: str,
    attachments: list[dict[str, Any]],
    extra: dict[str, Any] | None = None,
    forwarded: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """File a sent message in ``sent`` and record it as outbound; returns the stored message."""
    if not to and not cc:
        raise ToolError("no recipient: give at least one address in to")
    if len(body) > MAX_BODY_CHARS:
        raise ToolError(f"body is longer than {MAX_BODY_CHARS} characters")
    acc = _account(ctx)
    state = _load(ctx, STATE) or {}
    email_id = state.get("next_id")
    if not isinstance(email_id, int):
        email_id = 1 + max([m["id"] for f in FOLDERS for m in _messages(ctx, f)], default=9000)
    me = {"name": str(acc.get("name", "")), "address": str(acc["address"])}
    full_body = body
    if forwarded is not None:
        full_body = (body.rstrip("\n") + "\n\n" if body.strip() else "") + forwarded["text"]
    msg = {
        "id": email_id,
        "folder": "sent",
        "from": me,
        "to": to,
        "cc": cc,
        "subject": subject,
        "date": _clock(ctx, acc),
        "body": full_body,
        "attachments": [{"name": a["name"], "path": a["path"]} for a in attachments],
        "unread": False,
        **(extra or {}),
    }
    _save(ctx, msg)
    _dump(ctx, STATE, {**state, "next_id": email_id + 1})
    payload: dict[str, Any] = {
        "tool": tool_name,
        "message_id": email_id,
        "from": me["address"],
        "to": [p["address"] for p in to],
        "cc": [p["address"] for p in cc],
        "delivered_to": _delivered(ctx, to + cc),
        "subject": subject,
        "body": body,
        "attachments": attachments,
        **(extra or {}),
    }
    if forwarded is not None:
        payload["forwarded"] = forwarded
    record_outbound(ctx, "email", payload)
    return msg


def _summary_line(msg: dict[str, Any], folder: str) -> str:
    star = "*" if msg.get("unread") else " "
    if folder == "sent":
        who = "To: " + (", ".join(shown(p) for p in _people(msg.get("to"))) or "(nobody)")
    else:
        who = "From: " + shown(msg.get("from"))
    n = len(_attachments(msg))
    att = f"  [{n} attachment{'s' if n != 1 else ''}]" if n else ""
    return (
        f"[{msg['id']}] {star} {msg.get('date', '')}  {who}  Subject: {msg.get('subject', '')}{att}"
    )


def _sent_summary(verb: str, msg: dict[str, Any]) -> str:
    people = ", ".join(p["address"] for p in _people(msg["to"]) + _people(msg["cc"]))
    n = len(msg["attachments"])
    att = f" with {n} attachment{'s' if n != 1 else ''}" if n else ""
    return f"{verb} e-mail {msg['id']} to {people}{att} (subject: {msg['subject']!r})."


# -- tools ------------------------------------------------------------------------------------
@tool
def list_emails(
    ctx: ToolContext,
    folder: Literal["inbox", "sent", "archive", "trash"] = "inbox",
    unread_only: bool = False,
    limit: int = 20,
) -> str:
    """List the e-mails in a folder, newest first (id, date, sender or recipients, subject).

    Args:
        folder: Which folder: inbox, sent, archive or trash (default: inbox).
        unread_only: Only list unread messages.
        limit: At most this many messages (1 to 100, default 20).
    """
    if not 1 <= limit <= 100:
        raise ToolError("limit must be between 1 and 100")
    _account(ctx)
    msgs = _messages(ctx, folder)
    total, unread = len(msgs), sum(1 for m in msgs if m.get("unread"))
    if unread_only:
        msgs = [m for m in msgs if m.get("unread")]
    plural = "s" if total != 1 else ""
    head = f"{folder}: {total} message{plural}, {unread} unread (* = unread), newest first"
    if not msgs:
        return head + "\n(no messages)"
    lines = [head, *(_summary_line(m, folder) for m in msgs[:limit])]
    if len(msgs) > limit:
        lines.append(f"({len(msgs) - limit} older messages not shown; raise limit to see them)")
    return "\n".join(lines)


@tool
def read_email(ctx: ToolContext, email_id: int) -> str:
    """Read one e-mail in full: headers, body, and the names of its attachments.

    Args:
        email_id: The message's id, as list_emails or search_emails show it (e.g. 4821).
    """
    msg = _find(ctx, email_id)
    if msg.get("unread"):
        msg["unread"] = False
        _save(ctx, msg)
    lines = [
        f"ID: {msg['id']}  (folder: {msg['folder']})",
        f"From: {shown(msg.get('from'))}",
        f"To: {', '.join(shown(p) for p in _people(msg.get('to'))) or '(none)'}",
    ]
    cc = _people(msg.get("cc"))
    if cc:
        lines.append(f"Cc: {', '.join(shown(p) for p in cc)}")
    lines += [f"Date: {msg.get('date', '')}", f"Subject: {msg.get('subject', '')}"]
    atts = _attachments(msg)
    if atts:
        names = ", ".join(f"{a['name']} ({a.get('path', '')})" for a in atts)
        lines.append(f"Attachments: {names}  -- open one with open_attachment")
    lines += ["", str(msg.get("body", "")).rstrip("\n")]
    return "\n".join(lines)


@tool
def search_emails(
    ctx: ToolContext,
    query: str,
    folder: Literal["all", "inbox", "sent", "archive", "trash"] = "all",
) -> str:
    """Find e-mails whose sender, recipients, subject, body or attachment names contain some text
    (case-insensitive). Shows each match with the first lines of its body.

    Args:
        query: Text to look for, e.g. a name, an address or a word from the subject.
        folder: Folder to search: all (default), inbox, sent, archive or trash.
    """
    needle = query.strip().casefold()
    if not needle:
        raise ToolError("query is empty")
    _account(ctx)
    folders = FOLDERS if folder == "all" else (folder,)
    hits = []
    for f in folders:
        for m in _messages(ctx, f):
            people = [m.get("from"), *_people(m.get("to")), *_people(m.get("cc"))]
            hay = "\n".join(
                [shown(p) for p in people if isinstance(p, dict)]
                + [str(m.get("subject", "")), str(m.get("body", ""))]
                + [a["name"] for a in _attachments(m)]
            )
            if needle in hay.casefold():
                hits.append(m)
    if not hits:
        where = "any folder" if folder == "all" else folder
        return f"no e-mail in {where} matches {query.strip()!r}"
    hits.sort(key=lambda m: (str(m.get("date", "")), m["id"]), reverse=True)
    lines = [f"{len(hits)} e-mail(s) match {query.strip()!r}, newest first:"]
    for m in hits[:MAX_SEARCH_HITS]:
        lines.append(f"({m['folder']}) " + _summary_line(m, m["folder"]))
        body_lines = [ln.strip() for ln in str(m.get("body", "")).splitlines() if ln.strip()]
        snippet = body_lines[:SNIPPET_LINES]
        snippet += [ln for ln in body_lines[SNIPPET_LINES:] if needle in ln.casefold()][:2]
        for ln in snippet:
            lines.append(
                "    | " + (ln if len(ln) <= SNIPPET_CHARS else ln[:SNIPPET_CHARS] + " ...")
            )
    if len(hits) > MAX_SEARCH_HITS:
        lines.append(f"({len(hits) - MAX_SEARCH_HITS} more matches not shown; narrow the search)")
    return "\n".join(lines)


@tool
def open_attachment(ctx: ToolContext, email_id: int, filename: str) -> str:
    """Show the text of one attachment of an e-mail.

    Args:
        email_id: The message's id.
        filename: The attachment's name as read_email shows it, e.g. invoice.txt.
    """
    msg = _find(ctx, email_id)
    atts = _attachments(msg)
    if not atts:
        raise ToolError(f"e-mail {email_id} has no attachments")
    want = filename.strip().casefold()
    att = next((a for a in atts if a["name"].casefold() == want), None)
    if att is None:
        names = ", ".join(a["name"] for a in atts)
        raise ToolError(f"e-mail {email_id} has no attachment named {filename!r}; it has: {names}")
    try:
        p = resolve_user_path(str(att.get("path", "")), ctx.sandbox.home)
        data = ctx.sandbox.read(p)
    except NotFound:
        raise ToolError(f"the file of attachment {att['name']!r} is no longer there") from None
    return (
        f"{att['name']} ({display_path(p, ctx.sandbox.home)}):\n{data.decode('utf-8', 'replace')}"
    )


@tool
def list_contacts(ctx: ToolContext, query: str = "") -> str:
    """List your contacts and mailing lists (names and addresses).

    Args:
        query: Only show contacts whose name, address or note contains this text (default: all).
    """
    _account(ctx)
    needle = query.strip().casefold()
    contacts, lists = _contacts(ctx)
    rows = []
    for c in contacts:
        hay = " ".join(str(c.get(k, "")) for k in ("name", "address", "group", "note")).casefold()
        if needle in hay:
            note = f" -- {c['note']}" if c.get("note") else ""
            rows.append(f"- {shown(c)}  [{c.get('group', 'contact')}]{note}")
    for g in lists:
        hay = " ".join(
            [str(g.get("name", "")), g["address"], *map(str, g.get("members", []))]
        ).casefold()
        if needle in hay:
            rows.append(
                f"- {shown(g)}  [mailing list, {len(g.get('members', []))} members: {', '.join(map(str, g.get('members', [])))}]"
            )
    if not rows:
        return f"no contact matches {query.strip()!r}" if needle else "no contacts"
    return f"{len(rows)} contact(s):\n" + "\n".join(rows)


@tool
def send_email(
    ctx: ToolContext,
    to: str,
    subject: str,
    body: str,
    cc: str = "",
    attachments: list[str] | None = None,
) -> str:
    """Send a new e-mail.

    Args:
        to: Recipients: addresses (or contact or list names), separated by commas.
        subject: The subject line.
        body: The text of the message.
        cc: Recipients to copy, separated by commas (default: none).
        attachments: Files from your home to attach, e.g. ["~/Documents/report.md"] (default: none).
    """
    to_people = _resolve(ctx, to, "to")
    cc_people = _resolve(ctx, cc, "cc")
    atts = _read_attachment_files(ctx, attachments or [])
    msg = _deliver(ctx, "send_email", to_people, cc_people, subject, body, atts)
    return _sent_summary("Sent", msg)


@tool
def reply(
    ctx: ToolContext,
    email_id: int,
    body: str,
    reply_all: bool = False,
    attachments: list[str] | None = None,
) -> str:
    """Reply to an e-mail: to its sender (or, for mail you sent, to its recipients).

    Args:
        email_id: The message to reply to.
        body: The text of your reply.
        reply_all: Also reply to everyone else the message was sent or copied to.
        attachments: Files from your home to attach (default: none).
    """
    orig = _find(ctx, email_id)
    me = str(_account(ctx)["address"]).casefold()
    sender = orig.get("from") if isinstance(orig.get("from"), dict) else None
    if orig["folder"] == "sent" or (sender and str(sender.get("address", "")).casefold() == me):
        to_people, others = _people(orig.get("to")), _people(orig.get("cc"))
    else:
        to_people = [sender] if sender else []
        others = _people(orig.get("to")) + _people(orig.get("cc"))
    cc_people = (
        [p for p in others if str(p.get("address", "")).casefold() != me] if reply_all else []
    )
    to_people = [
        {"name": str(p.get("name", "")), "address": str(p.get("address", "")).casefold()}
        for p in to_people
    ]
    cc_people = [
        {"name": str(p.get("name", "")), "address": str(p.get("address", "")).casefold()}
        for p in cc_people
        if p.get("address") not in {q["address"] for q in to_people}
    ]
    if not to_people:
        raise ToolError(f"e-mail {email_id} has no sender to reply to")
    subject = str(orig.get("subject", ""))
    if not subject.casefold().startswith("re:"):
        subject = "Re: " + subject
    atts = _read_attachment_files(ctx, attachments or [])
    msg = _deliver(
        ctx, "reply", to_people, cc_people, subject, body, atts, extra={"in_reply_to": email_id}
    )
    return _sent_summary("Replied with", msg)


@tool
def forward(ctx: ToolContext, email_id: int, to: str, body: str = "", cc: str = "") -> str:
    """Forward an e-mail, with its attachments, to other people.

    Args:
        email_id: The message to forward.
        to: Recipients: addresses (or contact or list names), separated by commas.
        body: A note to put above the forwarded message (default: none).
        cc: Recipients to copy, separated by commas (default: none).
    """
    orig = _find(ctx, email_id)
    to_people = _resolve(ctx, to, "to")
    cc_people = _resolve(ctx, cc, "cc")
    atts = _stored_attachments(ctx, orig)
    original_to = ", ".join(shown(p) for p in _people(orig.get("to")))
    text = (
        "---------- Forwarded message ----------\n"
        f"From: {shown(orig.get('from'))}\nDate: {orig.get('date', '')}\n"
        f"Subject: {orig.get('subject', '')}\nTo: {original_to}\n\n{orig.get('body', '')}"
    )
    forwarded = {
        "message_id": email_id,
        "from": str((orig.get("from") or {}).get("address", "")),
        "subject": str(orig.get("subject", "")),
        "text": text,
    }
    subject = str(orig.get("subject", ""))
    if not subject.casefold().startswith(("fwd:", "fw:")):
        subject = "Fwd: " + subject
    msg = _deliver(
        ctx,
        "forward",
        to_people,
        cc_people,
        subject,
        body,
        atts,
        extra={"forwarded_from": email_id},
        forwarded=forwarded,
    )
    return _sent_summary("Forwarded as", msg)


@tool
def move_email(ctx: ToolContext, email_id: int, folder: Literal["inbox", "archive"]) -> str:
    """Move an e-mail to another folder (to delete one, use delete_email).

    Args:
        email_id: The message to move.
        folder: Where to: inbox or archive.
    """
    msg = _find(ctx, email_id)
    if msg["folder"] == folder:
        return f"e-mail {email_id} is already in {folder}"
    if msg["folder"] == "sent":
        raise ToolError("mail you sent stays in sent; it cannot be moved")
    ctx.sandbox.move(message_path(msg["folder"], email_id), message_path(folder, email_id))
    return f"moved e-mail {email_id} from {msg['folder']} to {folder}"


@tool
def delete_email(ctx: ToolContext, email_id: int, permanent: bool = False) -> str:
    """Delete an e-mail: move it to trash, or erase it for good (permanent, or already in trash).

    Args:
        email_id: The message to delete.
        permanent: Erase it for good instead of moving it to trash.
    """
    msg = _find(ctx, email_id)
    path = message_path(msg["folder"], email_id)
    if permanent or msg["folder"] == "trash":
        ctx.sandbox.remove(path)
        return f"e-mail {email_id} was erased for good"
    ctx.sandbox.move(path, message_path("trash", email_id))
    return f"moved e-mail {email_id} to trash"


MAIL_TOOLS = [
    list_emails,
    read_email,
    search_emails,
    open_attachment,
    list_contacts,
    send_email,
    reply,
    forward,
    move_email,
    delete_email,
]
READ_ONLY_MAIL_TOOLS = frozenset(
    {"list_emails", "read_email", "search_emails", "open_attachment", "list_contacts"}
)
