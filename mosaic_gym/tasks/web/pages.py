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
    return (
        f"<!doctype html>\n<html><head><title>{esc(title)}</title></head><body>\n"
        f"{nav}<h1>{esc(title)}</h1>\n{body.strip()}\n</body></html>\n"
    )


def put_page(home: Home, host: str, path: str, title: str, body: str, nav: str = "") -> str:
    """Add the HTML page ``https://host/path`` (body is HTML); returns its URL."""
    home.put(page_file(host, path), html_page(title, body, nav))
    return url_of(host, path)


def put_file(home: Home, host: str, path: str, text: str) -> str:
    """Add a file served as it is at ``https://host/path`` (the path keeps its extension)."""
    home.put(f"{WWW_DIR}/{host}/{path.lstrip('/')}", text)
    return url_of(host, path)


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
    home.put(form_file(host, path), _handler_text(tuple(required), effect, target, template, response, response_page))
    return url_of(host, path)


@lru_cache(maxsize=1024)
def _handler_text(
    required: tuple[str, ...], effect: str, target: str | None, template: str | None, response: str | None, response_page: str | None
) -> str:
    """A form handler's file text (worlds repeat the same forms: built once per process)."""
    handler: dict[str, Any] = {"required": list(required), "effect": effect}
    for key, value in (("target", target), ("template", template), ("response", response), ("response_page", response_page)):
        if value is not None:
            handler[key] = value
    return _compact(handler)


def form_handler(home: Home, host: str, path: str) -> dict[str, Any]:
    """The handler :func:`add_form` stored for ``https://host/path`` (to adjust it)."""
    return json.loads(home.files[form_file(host, path)])


def set_form_handler(home: Home, host: str, path: str, handler: dict[str, Any]) -> None:
    home.put(form_file(host, path), _compact(handler))


_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # what json.dumps builds per call


def _compact(data: dict[str, Any]) -> str:
    # the C encoder only runs without indent; a world build writes dozens of these
    return _COMPACT.encode(data)


def form_html(action: str, fields: Iterable[str], button: str = "Submit", method: str = "post", big: Iterable[str] = ()) -> str:
    """A form's HTML: one input per field (``big`` ones as text areas)."""
    return _form_html(action, tuple(fields), button, method, tuple(big))


@lru_cache(maxsize=1024)
def _form_html(action: str, fields: tuple[str, ...], button: str, method: str, big: tuple[str, ...]) -> str:
    inputs = "\n".join(
        f'<label>{esc(f)} <textarea name="{esc(f)}"></textarea></label>'
        if f in big
        else f'<label>{esc(f)} <input name="{esc(f)}"></label>'
        for f in fields
    )
    return f'<form method="{method}" action="{esc(action)}">\n{inputs}\n<button type="submit">{esc(button)}</button>\n</form>\n'


def add_search_result(home: Home, url: str, title: str, snippet: str, keywords: str = "", key: str | None = None) -> str:
    """Add one search-engine result; returns its world file."""
    path, text = _search_result(url, title, snippet, keywords, key)
    home.put(path, text)
    return path


@lru_cache(maxsize=1024)
def _search_result(url: str, title: str, snippet: str, keywords: str, key: str | None) -> tuple[str, str]:
    name = key or re.sub(r"[^a-z0-9]+", "-", url.casefold().split("://", 1)[-1]).strip("-")[:80]
    path = f"{SEARCH_DIR}/{name}.json"
    return path, _compact({"url": url, "title": title, "snippet": snippet, "keywords": keywords})
