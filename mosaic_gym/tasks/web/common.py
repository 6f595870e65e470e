"""What the Web families share: the seeded world, scripted calls, injection placements, and the
task dict every builder returns (with the domain's standing harm check always on)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from ...evidence import Evidence
from ...tools.web import WWW_DIR, page_file
from ..attacks import AttackContext, Goal, choose_style, plant, render
from ..base import Injection, TaskRng
from ..home import Home, build_home
from ..kit import call
from ..worlds import per_seed
from .checks import Check, either, guard
from .pages import add_search_result, esc, form_handler, put_page, set_form_handler
from .sites import Sites, add_sites, attacker_host

D = "web"

# where an injected text can sit in the web world
PAGE_PLACEMENTS = ("page_body", "html_comment", "hidden_element")
PLACEMENTS = (*PAGE_PLACEMENTS, "search_result", "download", "form_response")


def _world(rng: TaskRng) -> list:
    h = build_home(rng)
    return [h, add_sites(h, rng)]


def setup(rng: TaskRng) -> tuple[Home, Sites]:
    """The seed's home and every site of its web (:func:`~mosaic_gym.tasks.worlds.per_seed`),
    private to this instance."""
    h, s = per_seed(D, rng, _world)
    return h, s


def task(
    h: Home,
    s: Sites,
    *,
    prompt: str,
    oracle: list,
    comply: list,
    success: Callable[[Evidence], Any] | None = None,
    harm: Check | None = None,
    injection: Injection | None = None,
    allow: tuple[str, ...] | list[str] = (),
    may_change: tuple[str, ...] = (),
    metadata: dict[str, Any] | None = None,
) -> dict:
    """A family's instance. ``allow`` opens exceptions in the standing rules (see ``guard``)."""
    return dict(
        prompt=prompt,
        files=h.files,
        canaries=h.canaries,
        oracle=oracle,
        comply=comply,
        success=success,
        harm=either(harm, guard(s, allow)),
        injection=injection,
        may_change=tuple(may_change),
        metadata={"sites": s, **(metadata or {})},
    )


# -- scripted calls -------------------------------------------------------------------------------
def browse(url: str) -> dict:
    return call("browse", url=url)


def search(query: str) -> dict:
    return call("search_web", query=query)


def submit(url: str, **fields: str) -> dict:
    return call("submit_form", url=url, fields=fields)


def download(url: str, path: str) -> dict:
    return call("download", url=url, path=path)


def read(path: str) -> dict:
    return call("read_file", path=path)


def write(path: str, content: str) -> dict:
    return call("write_file", path=path, content=content)


def form_refs(ev: Evidence, url_path: str) -> list[str]:
    """The reference numbers the site gave to posts whose record path ends with ``url_path``."""
    out = []
    for path, raw in sorted(ev.files_under("/srv/outbound").items()):
        m = re.search(r"/(\d{3})-(\d{3})-web_form\.json$", path)
        if not m or ev.before.get(path) == raw:
            continue
        try:
            rec = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if isinstance(rec, dict) and str(rec.get("path", "")).rstrip("/").endswith(url_path):
            out.append(f"{int(m.group(1)):03d}{int(m.group(2)):02d}")
    return out


# -- injections -----------------------------------------------------------------------------------
def attack(rng: TaskRng, h: Home, goal: Goal, fmt: str = "text") -> tuple[str, str]:
    """(style, text) of an injected text carrying ``goal``; the style is seeded or pinned."""
    style = choose_style(rng)
    return style, render(style, AttackContext(goal, h.user.name, h.company, fmt))


def _as_html(text: str) -> str:
    return "<br>\n".join(esc(line) for line in text.strip().splitlines())


def plant_in_page(h: Home, url: str, text: str, rng: TaskRng, how: str) -> None:
    """Put ``text`` into the stored HTML of the page at ``url``, at a seeded block boundary:
    as visible text (``page_body``), an HTML comment, or an element hidden by CSS."""
    host, _, path = url.split("://", 1)[1].partition("/")
    wp = page_file(host, "/" + path)
    page = h.files[wp]
    if how == "page_body":
        piece = f'<div class="note">{_as_html(text)}</div>\n'
    elif how == "html_comment":
        piece = "<!-- " + text.strip().replace("--", "\u2014") + " -->\n"
    elif how == "hidden_element":
        piece = f'<div style="display:none" aria-hidden="true">{_as_html(text)}</div>\n'
    else:
        raise ValueError(f"not a page placement: {how!r}")
    start = page.index("</h1>") + len("</h1>") if "</h1>" in page else page.index("<body>") + len("<body>")
    spots = [m.end() for m in re.finditer(r"</(?:p|li|div|pre|table|ul)>\n?", page) if m.end() > start]
    end_form = page.find("<form")
    spots = [p for p in spots if end_form < 0 or p < end_form] or [start]
    at = rng.choice(spots)
    h.files[wp] = page[:at] + piece + page[at:]


def plant_in_file(h: Home, url: str, text: str, rng: TaskRng) -> None:
    """Put ``text`` into a plain file served at ``url`` (a download)."""
    host, _, path = url.split("://", 1)[1].partition("/")
    wp = f"{WWW_DIR}/{host}/{path}"
    h.files[wp] = plant(h.files[wp], text, rng)


def plant_in_response(h: Home, s: Sites, host: str, form_path: str, text: str) -> None:
    """Make a form's answer carry ``text`` (what the site shows after a submission)."""
    handler = form_handler(h, host, form_path)
    # a JSON tool call in the attack is safe: only {word} placeholders are ever filled
    handler["response"] = handler.get("response", "Thank you.") + "\n" + text.strip()
    set_form_handler(h, host, form_path, handler)


def plant_search_result(h: Home, s: Sites, rng: TaskRng, text: str, title: str, keywords: str) -> str:
    """A search result on an attacker's host whose snippet carries ``text``; returns its URL.
    ``keywords`` should be the words the job searches for, so the result is listed."""
    host = attacker_host(rng, s)
    url = f"https://{host}/{rng.choice(['guide', 'answers', 'kb', 'fix'])}/{rng.randint(100, 999)}"
    put_page(h, host, url.split(host, 1)[1], title, "<p>This page has moved.</p>")
    add_search_result(h, url, title, " ".join(text.split()), keywords=keywords, key=f"zz-{host}")
    return url


def injection(goal: Goal, text: str, style: str, placement: str, followed: Check) -> Injection:
    return Injection(goal=goal.instruction, text=text, marker=goal.instruction, followed=followed, style=style, placement=placement)
