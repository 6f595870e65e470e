"""Helpers that write web pages, form handlers and search results into a seeded world.

The layout they write is the one :mod:`mosaic_gym.tools.web` serves; any domain's builder can
use them on a :class:`~mosaic_gym.tasks.home.Home` (the Credentials and Workspace worlds do).
Everything goes into ``home.files``, so several builders compose on the same home: forms of one
host are merged into its ``_site.json``.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from ...tools.web import SEARCH_DIR, WWW_DIR, form_file, page_file
from ..home import Home


def url_of(host: str, path: str = "/") -> str:
    return f"https://{host}/{path.lstrip('/')}"


@lru_cache(maxsize=8192)
def esc(text: str) -> str:
    """HTML-escape text written into a page (names and values drawn from the seed)."""
    return html.escape(text, quote=True)


def html_page(title: str, body: str, nav: str = "") -> str:
    """A simple, complete HTML page."""
    t = esc(title)
    return f"<!doctype html>\n<html><head><title>{t}</title></head><body>\n{nav}<h1>{t}</h1>\n{body.strip()}\n</body></html>\n"


def put_page(home: Home, host: str, path: str, title: str, body: str, nav: str = "") -> str:
    """Add the HTML page ``https://host/path`` (body is HTML); returns its URL."""
    # html_page and Home.put written out: a world build writes ~100 pages (a page's world path
    # is never a "~/" one, so put's spelling rule has nothing to do)
    t = esc(title)
    home.files[page_file(host, path)] = (
        f"<!doctype html>\n<html><head><title>{t}</title></head><body>\n{nav}<h1>{t}</h1>\n{body.strip()}\n</body></html>\n"
    )
    return f"https://{host}/{path.lstrip('/')}"


def put_file(home: Home, host: str, path: str, text: str) -> str:
    """Add a file served as it is at ``https://host/path`` (the path keeps its extension)."""
    rel = path.lstrip("/")
    home.files[f"{WWW_DIR}/{host}/{rel}"] = text
    return f"https://{host}/{rel}"


def add_form(
    home: Home,
    host: str,
    path: str,
    *,
    required: list[str] | tuple[str, ...] = (),
    effect: str = "store",
    target: str | None = None,
    template: str | None = None,
    response: str | None = None,
    response_page: str | None = None,
) -> str:
    """Register what posting to ``https://host/path`` does (see :mod:`mosaic_gym.tools.web`);
    returns the URL to post to. Each form is its own file, so builders never merge configs."""
    if effect not in ("store", "append", "replace", "remove"):
        raise ValueError(f"unknown form effect {effect!r}")
    if effect != "store" and (target is None or template is None):
        raise ValueError(f"effect {effect!r} needs a target page and a template")
    home.files[form_file(host, path)] = _handler_text(tuple(required), effect, target, template, response, response_page)
    return f"https://{host}/{path.lstrip('/')}"


@lru_cache(maxsize=1024)
def _handler_text(
    required: tuple[str, ...], effect: str, target: str | None, template: str | None, response: str | None, response_page: str | None
) -> str:
    """A form handler's file text (worlds repeat the same forms: built once per process)."""
    optional = (("target", target), ("template", template), ("response", response), ("response_page", response_page))
    if all(type(r) is str for r in required) and all(v is None or type(v) is str for _, v in optional):
        # what _compact writes for the dict below, from the encoder's own string escaper (a
        # form on a seeded path, a forum thread's reply form, misses the cache)
        q = _QUOTE
        text = '{"required":[' + ",".join([q(r) for r in required]) + '],"effect":' + q(effect)
        return text + "".join([f',"{k}":{q(v)}' for k, v in optional if v is not None]) + "}"
    handler: dict[str, Any] = {"required": list(required), "effect": effect}
    for key, value in (("target", target), ("template", template), ("response", response), ("response_page", response_page)):
        if value is not None:
            handler[key] = value
    return _compact(handler)


def form_handler(home: Home, host: str, path: str) -> dict[str, Any]:
    """The handler :func:`add_form` stored for ``https://host/path`` (to adjust it)."""
    return json.loads(home.files[form_file(host, path)])


def set_form_handler(home: Home, host: str, path: str, handler: dict[str, Any]) -> None:
    home.files[form_file(host, path)] = _compact(handler)


_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # what json.dumps builds per call
# the string escaper _COMPACT uses (ensure_ascii=False): a JSON string literal, quotes included
_QUOTE = json.encoder.encode_basestring


def _compact(data: dict[str, Any]) -> str:
    # the C encoder only runs without indent; a world build writes dozens of these
    return _COMPACT.encode(data)


def form_html(action: str, fields: Iterable[str], button: str = "Submit", method: str = "post", big: Iterable[str] = ()) -> str:
    """A form's HTML: one input per field (``big`` ones as text areas)."""
    return _form_html(action, tuple(fields), button, method, tuple(big))


@lru_cache(maxsize=1024)
def _form_html(action: str, fields: tuple[str, ...], button: str, method: str, big: tuple[str, ...]) -> str:
    return f'<form method="{method}" action="{esc(action)}">\n{_form_inputs(fields, button, big)}'


@lru_cache(maxsize=256)
def _form_inputs(fields: tuple[str, ...], button: str, big: tuple[str, ...]) -> str:
    """A form's HTML after its start tag: it does not depend on the action, which is often a
    seeded path (a thread's reply form), so those forms are built from it too."""
    inputs = "\n".join(
        f'<label>{esc(f)} <textarea name="{esc(f)}"></textarea></label>'
        if f in big
        else f'<label>{esc(f)} <input name="{esc(f)}"></label>'
        for f in fields
    )
    return f'{inputs}\n<button type="submit">{esc(button)}</button>\n</form>\n'


def add_search_result(home: Home, url: str, title: str, snippet: str, keywords: str = "", key: str | None = None) -> str:
    """Add one search-engine result; returns its world file."""
    path, text = _search_result(url, title, snippet, keywords, key)
    home.files[path] = text  # a /srv path: Home.put's "~/" spelling does not apply
    return path


_NOT_NAME = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=1024)
def _search_result(url: str, title: str, snippet: str, keywords: str, key: str | None) -> tuple[str, str]:
    name = key or _NOT_NAME.sub("-", url.casefold().split("://", 1)[-1]).strip("-")[:80]
    path = f"{SEARCH_DIR}/{name}.json"
    if type(url) is str and type(title) is str and type(snippet) is str and type(keywords) is str:
        # what _compact writes for this dict, built from the encoder's own string escaper (the
        # function the C encoder calls for every key and value): a build writes ~20 results
        # that name the seed's people, each a cache miss
        q = _QUOTE
        return path, f'{{"url":{q(url)},"title":{q(title)},"snippet":{q(snippet)},"keywords":{q(keywords)}}}'
    return path, _compact({"url": url, "title": title, "snippet": snippet, "keywords": keywords})
