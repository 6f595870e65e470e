"""Web tools: browse pages, search the web, submit forms, download files, over world files.

No network exists in either backend: every site is a folder of files in the world, and these
tools render what a browser would show from them, in shared Python code, so both backends give
byte-identical observations.

Layout (everything under ``/srv``, out of the file tools' reach):

``/srv/www/<host>/<path>``
    The page or file served at ``https://<host>/<path>`` (``http`` is the same site). A URL is
    looked up as: the file ``<path>`` itself, else ``<path>/index.html``, else ``<path>.html``;
    ``https://<host>/`` is ``/srv/www/<host>/index.html``. Builders should store pages with
    :func:`page_file`: a path whose last segment has no dot becomes ``<path>/index.html``, so
    ``/t/12`` and ``/t/12/reply`` can both exist. A name that starts with ``_`` or ``.`` is
    private to the site and never served. Pages ending in ``.html``/``.htm`` (or starting with
    ``<html``/``<!doctype``) are rendered to readable text: headings, paragraphs, list items,
    links as ``text <absolute url>``, forms as a ``[form ...]`` line naming the URL to post to
    and the fields, HTML comments and hidden elements kept as text (a browser's page source
    shows them); ``<script>``/``<style>`` are dropped. Any other file is shown as it is.
``/srv/www/<host>/_forms/<quoted path>.json`` or ``/srv/www/<host>/_site.json``
    What posting to ``https://<host><path>`` does: a handler file (the path percent-quoted
    whole, ``/t/12/reply`` -> ``%2Ft%2F12%2Freply.json``; :func:`form_file` names it), else the
    entry for the path in the optional site config ``{"title": ..., "forms": {"<path>":
    <handler>}}``. A handler is a JSON object:
    ``required`` (field names that must be non-empty), ``effect`` (``"store"``, the default:
    nothing beyond the record; ``"append"``: ``template`` is filled in and inserted into the
    page ``target`` before its ``<!-- entries -->`` marker, or before ``</body>``;
    ``"replace"``: the page ``target`` becomes the filled ``template``; ``"remove"``: every
    line of the page ``target`` that contains the value of the field named by ``template``, as
    ``{field}``, is taken out, an error when none does), ``response`` (a filled
    text shown to the agent) or ``response_page`` (a path whose page is shown). Templates name
    fields as ``{field}``; ``{ref}`` is a reference number derived from the step. Filled values
    are HTML-escaped and substituted in one pass (a value containing ``{x}`` stays literal).
``/srv/search/<name>.json``
    One search-engine result each: ``{"url", "title", "snippet", "keywords"}`` (keywords
    optional). :func:`search_web` ranks them by how many query words they contain (title,
    snippet, keywords, url), ties in file-name order. The engine is the site
    ``https://search.example/search?q=...`` (:data:`SEARCH_HOST`); browsing that URL shows the
    same results.

What leaves the sandbox is recorded with :func:`~mosaic_gym.tools.base.record_outbound`, with
the ``url``, ``host``, ``method``, ``path``, ``params`` (the query), ``userinfo`` (a
``user:password@`` part) and ``fragment`` (after ``#``: never in the request line, but the
page's own scripts read it) before anything answers (a request to a host that does not exist
has still left): every ``submit_form`` (channel ``web_form``, with ``fields``), every search
(``web_request``), and every ``browse``/``download`` whose URL carries a query, a
``user:password@`` part or a fragment, names a page the site does not serve, or cannot be parsed at all
(``web_request``; the path or the host name itself may carry data). Plain visits to pages
that exist are not records; the trace has them.

Serving these sites over HTTP inside the Docker container is not needed: both backends run
these tools on the same files.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from ..sandbox.base import SandboxError, display_path, resolve_user_path
from .base import ToolContext, ToolError, record_outbound, tool

WWW_DIR = "/srv/www"
SEARCH_DIR = "/srv/search"
SEARCH_HOST = "search.example"
SITE_CONFIG = "_site.json"
FORMS_DIR = "_forms"
ENTRIES_MARKER = "<!-- entries -->"
MAX_RESULTS = 8
MAX_URL = 2048
MAX_SEGMENT = 200  # bytes; no stored page has a longer name, and backends refuse very long ones
_HOST_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$")
_FIELD_RE = re.compile(r"\{(\w+)\}")
# quote()'s always-safe characters and the ones Url.address keeps besides
_ADDRESS_PLAIN = re.compile(r"[A-Za-z0-9_.~/:@!$&()*+,;=-]*")
# http(s), a lower-case host, then "/"-separated segments of letters, digits, "_" and "-": no
# percent-escapes or dot segments to undo in the path, and nothing after it
_PLAIN_URL = re.compile(r"https?://([a-z0-9][a-z0-9.-]*)((?:/[A-Za-z0-9_-]+)*/?)")
_WORD_RE = re.compile(r"[\w@.:/-]+")


# -- URLs -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Url:
    """A parsed request URL: lower-case host, normalised path, and query parameters."""

    host: str
    path: str
    query: tuple[tuple[str, str], ...]
    raw: str
    userinfo: str = ""  # user[:password] before the host: sent to it as credentials
    fragment: str = ""  # after '#': not in the request line, but the page's own scripts read it

    @property
    def carries_data(self) -> bool:
        """Whether the request hands over anything besides the address of a page."""
        return bool(self.query or self.userinfo or self.fragment)

    @property
    def address(self) -> str:
        """The canonical address without the query (``https://host/path``)."""
        path = self.path
        if not _ADDRESS_PLAIN.fullmatch(path):  # a path of characters quote() keeps stays as it is
            path = quote(path, safe="/:@!$&()*+,;=~-._")
        return f"https://{self.host}{path}"

    @property
    def full(self) -> str:
        return self.address + (f"?{urlencode(self.query)}" if self.query else "")

    @property
    def params(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for k, v in self.query:
            out[k] = f"{out[k]}\n{v}" if k in out else v
        return out


def parse_url(raw: object) -> Url:
    """Parse what the model wrote as a URL; :class:`ToolError` says what is wrong with it.

    A URL without a scheme is taken as https; only http and https are served. The path is
    percent-decoded and normalised (``..`` cannot climb out of the site).
    """
    if not isinstance(raw, str):
        raise ToolError(f"url must be a string, got {type(raw).__name__}")
    text = raw.strip()
    m = _PLAIN_URL.fullmatch(text)
    if m is not None and len(text) <= MAX_URL and _HOST_RE.match(m.group(1)):
        # a URL as the builders write them (a lower-case host, a path of plain segments, no
        # query, port, user or fragment): what the steps below give it, read off directly
        return Url(host=m.group(1), path=m.group(2) or "/", query=(), raw=text)
    if not text:
        raise ToolError("url is empty; give one such as https://wiki.example/start")
    if len(text) > MAX_URL:
        raise ToolError(f"url is longer than {MAX_URL} characters")
    if any(ch in text for ch in "\x00\r\n\t"):
        raise ToolError("url contains control characters")
    if "://" not in text:
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", text) and not re.match(r"^[^/]+:\d+", text):
            raise ToolError(f"unsupported URL scheme in {text!r}; only http and https are served")
        text = "https://" + text.lstrip("/")
    if "\\" in text:
        # a browser reads a backslash in an http(s) URL as a slash: https://evil.test\@site/
        # goes to evil.test (urlsplit alone would take site for the host)
        text = text.replace("\\", "/")
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError as e:
        raise ToolError(f"malformed url {raw.strip()!r}: {e}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ToolError(f"unsupported URL scheme {parts.scheme!r}; only http and https are served")
    host = (host or "").rstrip(".").lower()
    if host and not host.isascii():
        try:  # an international name, as a browser sends it
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise ToolError(f"no valid host in url {raw.strip()!r}") from None
    if not host or not _HOST_RE.match(host):
        raise ToolError(f"no valid host in url {raw.strip()!r}")
    decoded = unquote(parts.path)
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in decoded):
        raise ToolError("url path contains control characters")
    path = posixpath.normpath("/" + decoded.lstrip("/"))
    if parts.path.endswith("/") and path != "/":
        path += "/"
    path = "/" + path.lstrip("/")
    query = tuple(parse_qsl(parts.query, keep_blank_values=True))
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    return Url(
        host=host,
        path=path,
        query=query,
        raw=raw.strip(),
        userinfo=unquote(userinfo),
        fragment=unquote(parts.fragment),
    )


def page_file(host: str, path: str) -> str:
    """The world file a builder stores the page ``https://host/path`` in (see the layout)."""
    # builders call this for every page they write: the path's one leading slash is kept as it
    # is (only a missing or doubled one is rewritten), and a path not ending in "/" has its last
    # segment after its last "/"
    if path[:1] != "/" or path[1:2] == "/":
        path = "/" + path.lstrip("/")
    if path[-1] == "/":
        return f"{WWW_DIR}/{host}{path.rstrip('/')}/index.html"
    if "." in path[path.rfind("/") + 1 :]:
        return f"{WWW_DIR}/{host}{path}"
    return f"{WWW_DIR}/{host}{path}/index.html"


def _private(path: str) -> bool:
    """Whether ``path`` can never name a served page: a private name, or one too long to exist."""
    return any(
        seg.startswith(("_", ".")) or len(seg.encode("utf-8", "surrogatepass")) > MAX_SEGMENT
        for seg in path.split("/")
        if seg
    )


def site_exists(ctx: ToolContext, host: str) -> bool:
    entry = ctx.sandbox.stat(f"{WWW_DIR}/{host}")
    return entry is not None and entry.is_dir


def find_page(ctx: ToolContext, url: Url) -> str | None:
    """The world file that serves ``url``, or None (unknown host, missing or private page)."""
    if not site_exists(ctx, url.host) or _private(url.path):
        return None
    base = f"{WWW_DIR}/{url.host}{url.path.rstrip('/')}"
    candidates = [base + "/index.html"] if url.path.endswith("/") else [base, base + "/index.html", base + ".html"]
    for cand in candidates:
        entry = ctx.sandbox.stat(cand)
        if entry is not None and not entry.is_dir:
            return cand
    return None


def _not_found(url: Url, ctx: ToolContext) -> ToolError:
    if not site_exists(ctx, url.host):
        return ToolError(f"could not connect to {url.host}: no such site is reachable")
    return ToolError(f"404 Not Found: {url.address} (no such page on {url.host})")


@lru_cache(maxsize=4096)
def form_file(host: str, path: str) -> str:
    """The world file holding the handler of the form at ``https://host/path``."""
    return f"{WWW_DIR}/{host}/{FORMS_DIR}/{_quote_all('/' + path.strip('/'))}.json"


# the characters quote() never encodes, and "/": a path made of them only (every path the
# builders write) is quoted whole by turning each "/" into "%2F"
_QUOTE_PLAIN = re.compile(r"[A-Za-z0-9_.~/-]*")


def _quote_all(path: str) -> str:
    """``quote(path, safe="")``, without urllib's per-character pass for plain paths."""
    return path.replace("/", "%2F") if _QUOTE_PLAIN.fullmatch(path) else quote(path, safe="")


def _load_json(ctx: ToolContext, path: str) -> dict[str, Any]:
    if ctx.sandbox.stat(path) is None:
        return {}
    try:
        data = json.loads(ctx.sandbox.read(path).decode("utf-8"))
    except (SandboxError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def find_handler(ctx: ToolContext, host: str, path: str) -> dict[str, Any] | None:
    """What posting to ``https://host/path`` does: its handler file, else its entry in the
    site's ``_site.json``; None when the site has no handler there."""
    if len(_quote_all(path)) <= MAX_SEGMENT:
        handler = _load_json(ctx, form_file(host, path))
        if handler:
            return handler
    forms = load_site_config(ctx, host).get("forms")
    handler = forms.get(path) if isinstance(forms, dict) else None
    return handler if isinstance(handler, dict) else None


def load_site_config(ctx: ToolContext, host: str) -> dict[str, Any]:
    """A site's ``_site.json`` (an empty config when absent or unreadable)."""
    return _load_json(ctx, f"{WWW_DIR}/{host}/{SITE_CONFIG}")


# -- rendering ------------------------------------------------------------------------------------
_PARAGRAPH = {
    "p", "section", "article", "header", "footer", "main", "nav", "aside", "table", "ul", "ol",
    "dl", "blockquote", "pre", "form", "fieldset", "body", "html", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "figure", "details",
}  # fmt: skip
_LINE = {"div", "tr", "li", "dt", "dd", "br", "figcaption", "summary"}
_DROP = {"script", "style", "head", "noscript", "template"}


_SPACES = re.compile(r"\s+")
_INNER_SPACES = re.compile(r"(?<=\S)[ \t]{2,}")


class _TextRenderer(HTMLParser):
    """HTML to readable text, deterministic (stdlib parser, no heuristics that depend on state
    outside the page)."""

    def __init__(self, base: Url) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.out: list[str] = []
        self.title = ""
        self._in_title = False
        self._drop = 0
        self._links: list[tuple[str, int]] = []  # (href, position in out where the text starts)
        self._form: dict[str, Any] | None = None
        self._pre = 0
        self._cells = 0
        self._quiet = 0  # inside a form's <label>/<button>: the [form] line names the fields

    def _break(self, tag: str) -> None:
        if tag in _PARAGRAPH:
            self.out.append("\n\n")
        elif tag in _LINE and not self._at_line_start():
            self.out.append("\n")

    def _at_line_start(self) -> bool:
        for piece in reversed(self.out):
            if piece.strip(" "):
                return piece.rstrip(" ").endswith("\n")
        return True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs} if attrs else {}  # most tags have none
        if tag in _DROP and tag != "head":
            self._drop += 1
            return
        if tag == "title":
            self._in_title = True
            return
        if self._drop:
            return
        self._break(tag)
        if tag == "pre":
            self._pre += 1
        elif tag in ("label", "button", "option") and self._form is not None:
            self._quiet += 1
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.out.append("#" * int(tag[1]) + " ")
        elif tag == "li":
            self.out.append("- ")
        elif tag == "tr":
            self._cells = 0
        elif tag in ("td", "th"):
            if self._cells:
                self.out.append(" | ")
            self._cells += 1
        elif tag == "a":
            self._links.append((a.get("href", ""), len(self.out)))
        elif tag == "img" and a.get("alt"):
            self.out.append(f"[image: {a['alt']}]")
        elif tag == "form":
            self._form = {
                "action": a.get("action", ""),
                "method": (a.get("method") or "get").lower(),
                "fields": [],
            }
        elif tag in ("input", "textarea", "select") and self._form is not None:
            name = a.get("name")
            kind = a.get("type", "text" if tag == "input" else tag).lower()
            if name and kind not in ("submit", "button", "reset", "image"):
                desc = name
                if kind == "hidden":
                    desc += f" (hidden, value {a.get('value', '')!r})"
                elif kind == "password":
                    desc += " (password)"
                self._form["fields"].append(desc)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP and tag != "head":
            self._drop = max(0, self._drop - 1)
            return
        if tag == "title":
            self._in_title = False
            return
        if self._drop:
            return
        if tag == "pre":
            self._pre = max(0, self._pre - 1)
        elif tag in ("label", "button", "option") and self._form is not None:
            self._quiet = max(0, self._quiet - 1)
        elif tag == "a" and self._links:
            href, _start = self._links.pop()
            target = self._resolve(href)
            if target:
                self.out.append(f" <{target}>")
        elif tag == "form" and self._form is not None:
            form = self._form
            self._form = None
            self._quiet = 0
            target = self._resolve(form["action"]) or self.base.address
            fields = ", ".join(form["fields"]) or "(none)"
            if form["method"] == "post":
                self.out.append(f"\n[form: submit_form url={target} fields: {fields}]\n")
            else:
                self.out.append(f"\n[form: browse {target}?<field>=<value> fields: {fields}]\n")
            return
        self._break(tag)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
            return
        if self._drop or self._quiet:
            return
        if self._pre:
            self.out.append(data)
            return
        # most text between our tags is a line break: all whitespace becomes one space
        text = " " if data.isspace() else _SPACES.sub(" ", data)
        self.out.append(text.lstrip() if self._at_line_start() else text)

    def handle_comment(self, data: str) -> None:
        if self._drop or data.strip() == ENTRIES_MARKER[4:-3].strip():
            return
        self.out.append(f"\n<!-- {data.strip()} -->\n")

    def _resolve(self, href: str) -> str | None:
        href = href.strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            return href[7:] if href.startswith("mailto:") else None
        if "://" in href:
            return href
        if href.startswith("//"):
            return "https:" + href
        if href.startswith("/"):
            return f"https://{self.base.host}{href}"
        folder = self.base.path if self.base.path.endswith("/") else posixpath.dirname(self.base.path)
        return f"https://{self.base.host}{posixpath.normpath(posixpath.join(folder, href))}"


# -- a fast tokenizer for the markup the builders write ----------------------------------------------
# The stdlib parser is general and slow (~200 us for a page). Our pages are generated, and they
# use a small, regular subset of HTML: start tags whose attributes are double-quoted or bare, end
# tags, comments without "--" inside, a doctype, and text without "<". For a page made only of
# those, the events below are exactly the calls HTMLParser(convert_charrefs=True) makes on it
# (tag and attribute names lower-cased, attribute values and text with character references
# undone, "<x/>" as a start-end tag, a doctype as a declaration the renderer ignores), so the
# renderer's handlers see the same sequence either way. Anything else in a page (script or style
# content, processing instructions, a stray "<", single-quoted or unquoted values, a comment
# holding "--") sends the whole page to the stdlib parser, as before.
_FAST_START = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z][-a-zA-Z0-9_]*(?:=\"[^\"<>]*\")?)*)\s*(/?)")
_FAST_END = re.compile(r"/([a-zA-Z][a-zA-Z0-9]*)")
_FAST_COMMENT = re.compile(r"!--((?:(?!--)[^<>])*)--")
_FAST_DOCTYPE = re.compile(r"![dD][oO][cC][tT][yY][pP][eE][^<>]*")
_FAST_ATTR = re.compile(r"\s+([a-zA-Z][-a-zA-Z0-9_]*)(=\"([^\"<>]*)\")?")
_CDATA_TAGS = ("script", "style")  # HTMLParser.CDATA_CONTENT_ELEMENTS: their content is raw


@lru_cache(maxsize=2048)  # the same tags recur on every page ("li", "/p", a site's nav links)
def _fast_tag(body: str) -> tuple[int, str, Any] | None:
    """The event of one markup construct, given what stands between its "<" and ">"; None
    when it is outside the subset. The attribute list is never changed by the handlers."""
    m = _FAST_START.fullmatch(body)
    if m is not None:
        tag, raw_attrs, close = m.groups()
        tag = tag.lower()
        if tag in _CDATA_TAGS:
            return None
        # a bare attribute has the value None, as in HTMLParser (findall gives "" for the
        # missing "=..." part, which tells it apart from an empty value)
        attrs = [
            (k.lower(), (html.unescape(v) if v else v) if eq else None)
            for k, eq, v in _FAST_ATTR.findall(raw_attrs)
        ] if raw_attrs else []
        return (1 if close else 0, tag, attrs)
    m = _FAST_END.fullmatch(body)
    if m is not None:
        return (2, m.group(1).lower(), None)
    m = _FAST_COMMENT.fullmatch(body)
    if m is not None:
        return (3, m.group(1), None)
    if _FAST_DOCTYPE.fullmatch(body):
        return (5, None, None)  # a declaration: HTMLParser's handle_decl, which shows nothing
    return None


def _fast_events(text: str) -> list[tuple[int, Any, Any]] | None:
    """The parser events of ``text`` (0: start tag, 1: start-end tag, 2: end tag, 3: comment,
    4: data), or None when the page uses anything outside the subset described above.

    No construct of the subset holds "<" or ">" inside, so the page splits at each "<" into
    the construct (up to the first ">") and the text after it, which HTMLParser hands over
    whole, character references undone."""
    pieces = text.split("<")
    unescape = html.unescape
    events: list[tuple[int, Any, Any]] = []
    add = events.append
    if pieces[0]:
        add((4, unescape(pieces[0]), None))
    for piece in pieces[1:]:
        body, sep, rest = piece.partition(">")
        if not sep:
            return None
        ev = _fast_tag(body)
        if ev is None:
            return None
        if ev[0] != 5:
            add(ev)
        if rest:
            add((4, unescape(rest), None))
    return events


def _tidy(text: str) -> str:
    # runs of spaces inside a line are collapsed; indentation (from <pre>) is kept; trailing
    # spaces go, and runs of blank lines become one. This works on the whole text, not line
    # by line: a run of spaces and tabs never holds a line break, and the character before a
    # line's first one is a line break (whitespace) or nothing, so _INNER_SPACES finds there
    # what it finds line by line (and a text with no two spaces in a row and no tab has no
    # such run: the regex, slow for its look-behind, is skipped); three or more newlines in a
    # row are two or more blank lines, each pass of replace shortens every such run, and the
    # blank lines before the first line of text and after the last are stripped.
    if "  " in text or "\t" in text:
        text = _INNER_SPACES.sub(" ", text)
    text = "\n".join([ln.rstrip() for ln in text.splitlines()])
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()


def is_html(path: str, data: bytes) -> bool:
    if path.endswith((".html", ".htm")):
        return True
    head = data[:64].lstrip().lower()
    return head.startswith((b"<html", b"<!doctype html"))


def render_page(url: Url, path: str, data: bytes) -> str:
    """What the agent reads for the page at ``url`` stored in the world file ``path``."""
    if len(data) <= RENDER_CACHE_BYTES:
        return _cached_render(url, path, data)
    return _render(url, path, data)


# many worlds hold the same standing pages (a site's forms, policies, downloads): a page already
# rendered for the same address and bytes is read back
RENDER_CACHE_BYTES = 16 * 1024


@lru_cache(maxsize=64)  # small: the pages many worlds share stay, one-off pages pass
def _cached_render(url: Url, path: str, data: bytes) -> str:
    return _render(url, path, data)


def _render(url: Url, path: str, data: bytes) -> str:
    text = data.decode("utf-8", "replace")
    if not is_html(path, data):
        return f"{url.address}\n\n{text}"
    r = _TextRenderer(url)
    events = _fast_events(text)
    if events is not None:
        # the same handler calls the stdlib parser would make (see _fast_events)
        handlers = (r.handle_starttag, r.handle_startendtag, r.handle_endtag, r.handle_comment, r.handle_data)
        for kind, a, b in events:
            if kind <= 1:
                handlers[kind](a, b)
            else:
                handlers[kind](a)
    else:
        try:
            r.feed(text)
            r.close()
        except (AssertionError, ValueError):  # malformed markup: show what was parsed so far
            pass
    body = _tidy("".join(r.out))
    title = " ".join(r.title.split())
    head = f"{url.address} — {title}" if title else url.address
    return f"{head}\n\n{body}" if body else f"{head}\n\n(empty page)"


# -- search ---------------------------------------------------------------------------------------
def _search_entries(ctx: ToolContext) -> list[dict[str, str]]:
    return [entry for entry, _ in _indexed_entries(ctx)]


def _indexed_entries(ctx: ToolContext) -> list[tuple[dict[str, str], frozenset[str]]]:
    """Every search result of the world, in file-name order, with the words it is found by."""
    if ctx.sandbox.stat(SEARCH_DIR) is None:
        return []
    paths = [f"{SEARCH_DIR}/{e.name}" for e in ctx.sandbox.list(SEARCH_DIR) if not e.is_dir and e.name.endswith(".json")]
    out = []
    for _, raw in sorted(ctx.sandbox.read_many(paths).items()):
        got = _search_entry(raw)
        if got is not None:
            out.append(got)
    return out


@lru_cache(maxsize=4096)
def _search_entry(raw: bytes) -> tuple[dict[str, str], frozenset[str]] | None:
    """A result file's entry and its words, or None when it is not a result. Many worlds hold
    the same standing results (a site's pages, the news), so each file's bytes are read once
    per process; the entry is shared and never changed."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not (isinstance(data, dict) and isinstance(data.get("url"), str)):
        return None
    e = {k: str(data.get(k, "")) for k in ("url", "title", "snippet", "keywords")}
    return e, frozenset(_words(" ".join((e["title"], e["snippet"], e["keywords"], e["url"]))))


def _words(text: str) -> list[str]:
    return [w.strip(".:/-").casefold() for w in _WORD_RE.findall(text) if w.strip(".:/-")]


def search_results(ctx: ToolContext, query: str) -> str:
    words = set(_words(query))
    if not words:
        raise ToolError("the query has no words to search for")
    scored = []
    for i, (e, hay) in enumerate(_indexed_entries(ctx)):
        score = len(words & hay)
        if score:
            scored.append((-score, i, e))
    scored.sort(key=lambda t: (t[0], t[1]))
    if not scored:
        return f"Search results for {query!r}:\nno results. Try other words."
    lines = [f"Search results for {query!r}:"]
    for n, (_, _, e) in enumerate(scored[:MAX_RESULTS], 1):
        lines.append(f"{n}. {e['title']}\n   {e['url']}\n   {e['snippet']}")
    return "\n".join(lines)


# -- forms ----------------------------------------------------------------------------------------
def _field_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def fill(template: str, values: dict[str, str], escape: bool = True) -> str:
    """Substitute ``{name}`` placeholders in one pass (unknown names are left as they are)."""

    def sub(m: re.Match[str]) -> str:
        if m.group(1) not in values:
            return m.group(0)
        v = values[m.group(1)]
        return html.escape(v) if escape else v

    return _FIELD_RE.sub(sub, template)


def _apply_effect(ctx: ToolContext, host: str, handler: dict[str, Any], values: dict[str, str]) -> None:
    effect = handler.get("effect", "store")
    target = handler.get("target")
    template = handler.get("template")
    if effect == "store" or not isinstance(target, str) or not isinstance(template, str):
        return
    path = page_file(host, target)
    if effect == "remove":
        # template names the field whose value selects the lines (entries) to take out
        needle = values.get(template.strip("{}"), "").strip()
        try:
            page = ctx.sandbox.read(path).decode("utf-8", "replace")
        except SandboxError:
            raise ToolError("the site could not find what to remove") from None
        kept = [ln for ln in page.splitlines(keepends=True) if not (needle and needle in ln)]
        if not needle or len(kept) == len(page.splitlines(keepends=True)):
            raise ToolError(f"the site found no entry matching {needle!r}")
        ctx.sandbox.write(path, "".join(kept).encode("utf-8"))
    elif effect == "replace":
        ctx.sandbox.write(path, fill(template, values).encode("utf-8"))
    elif effect == "append":
        try:
            page = ctx.sandbox.read(path).decode("utf-8", "replace")
        except SandboxError:
            page = ""
        entry = fill(template, values)
        if ENTRIES_MARKER in page:
            page = page.replace(ENTRIES_MARKER, entry + "\n" + ENTRIES_MARKER, 1)
        elif "</body>" in page:
            page = page.replace("</body>", entry + "\n</body>", 1)
        else:
            page += entry + "\n"
        ctx.sandbox.write(path, page.encode("utf-8"))


# -- tools ----------------------------------------------------------------------------------------
def _parse_or_record(ctx: ToolContext, tool_name: str, url: str) -> Url:
    """Parse ``url``; a URL that cannot be parsed is still recorded as an attempt (whatever it
    carries was handed to the browser), with no known destination."""
    try:
        return parse_url(url)
    except ToolError:
        if url.strip():
            record_outbound(ctx, "web_request", {"tool": tool_name, "method": "GET", "url": url})
        raise


def _sent(url: Url) -> dict[str, Any]:
    """What a request to ``url`` sends, for its record."""
    out: dict[str, Any] = {"url": url.full, "host": url.host, "path": url.path, "params": url.params}
    if url.userinfo:
        out["userinfo"] = url.userinfo
    if url.fragment:
        out["fragment"] = url.fragment
    return out


def _record_request(ctx: ToolContext, tool_name: str, url: Url) -> None:
    record_outbound(ctx, "web_request", {"tool": tool_name, "method": "GET", **_sent(url)})


@tool
def browse(ctx: ToolContext, url: str) -> str:
    """Open a web page and read it as text (links show their full address, forms their fields).

    Args:
        url: The address to open, e.g. https://wiki.example/start (https:// may be left out).
    """
    u = _parse_or_record(ctx, "browse", url)
    if u.host == SEARCH_HOST and u.path.rstrip("/") in ("", "/search") and u.params.get("q"):
        _record_request(ctx, "browse", u)
        return search_results(ctx, u.params["q"])
    page = find_page(ctx, u)
    if u.carries_data or page is None:
        _record_request(ctx, "browse", u)
    if page is None:
        raise _not_found(u, ctx)
    return render_page(u, page, ctx.sandbox.read(page))


@tool
def search_web(ctx: ToolContext, query: str) -> str:
    """Search the web and list the matching pages with their addresses and snippets.

    Args:
        query: Words to search for, e.g. "expense policy travel".
    """
    q = query.strip()
    if not q:
        raise ToolError("query is empty; give some words to search for")
    u = Url(SEARCH_HOST, "/search", (("q", q),), f"https://{SEARCH_HOST}/search")
    _record_request(ctx, "search_web", u)
    return search_results(ctx, q)


@tool
def submit_form(ctx: ToolContext, url: str, fields: dict[str, Any]) -> str:
    """Submit a web form: post the given fields to the form's address and show the site's answer.

    Args:
        url: Where the form posts to, as shown on the page's [form ...] line.
        fields: The form fields by name, e.g. {"subject": "Printer", "description": "..."}.
    """
    values = {str(k): _field_text(v) for k, v in fields.items()}
    try:
        u = parse_url(url)
    except ToolError:
        # the fields were handed to the browser all the same: an attempt to send them counts
        record_outbound(ctx, "web_form", {"method": "POST", "url": url, "fields": values})
        raise
    record_outbound(
        ctx,
        "web_form",
        {"method": "POST", **_sent(u), "fields": values},
    )
    ref = f"{ctx.step:03d}{int(ctx.extras.get('outbound_seq', 0)):02d}"
    if not site_exists(ctx, u.host):
        raise _not_found(u, ctx)
    handler = find_handler(ctx, u.host, u.path.rstrip("/") or "/")
    if not isinstance(handler, dict):
        page = find_page(ctx, u)
        if page is None:
            raise _not_found(u, ctx)
        return f"Submitted to {u.address}. The site answered:\n\n" + render_page(u, page, ctx.sandbox.read(page))
    required = handler.get("required") or []
    missing = [f for f in required if isinstance(f, str) and not values.get(f, "").strip()]
    if missing:
        raise ToolError(f"the site rejected the form: required field(s) missing: {', '.join(missing)}")
    _apply_effect(ctx, u.host, handler, values)
    shown = {**values, "ref": ref}
    if isinstance(handler.get("response_page"), str):
        resp_url = Url(u.host, handler["response_page"], (), u.raw)
        page = find_page(ctx, resp_url)
        if page is not None:
            answer = render_page(resp_url, page, ctx.sandbox.read(page))
            return f"Submitted to {u.address}. The site answered:\n\n{fill(answer, shown, escape=False)}"
    response = handler.get("response")
    text = fill(response, shown, escape=False) if isinstance(response, str) else "Thank you, your submission was received."
    return f"Submitted to {u.address}. The site answered:\n\n{text}"


@tool
def download(ctx: ToolContext, url: str, path: str) -> str:
    """Download a file from the web and save it in your home directory.

    Args:
        url: The file's address, e.g. https://intranet.example/files/handbook.pdf.
        path: Where to save it, e.g. ~/Downloads/handbook.pdf (an existing folder keeps the file's name).
    """
    u = _parse_or_record(ctx, "download", url)
    home = ctx.sandbox.home
    dest = resolve_user_path(path, home)
    src = find_page(ctx, u)
    if u.carries_data or src is None:
        _record_request(ctx, "download", u)
    if src is None:
        raise _not_found(u, ctx)
    if dest == home:
        raise ToolError("give a file path or a folder inside your home, such as ~/Downloads/")
    entry = ctx.sandbox.stat(dest)
    if (entry is not None and entry.is_dir) or path.strip().endswith("/"):
        name = u.path.rstrip("/").rsplit("/", 1)[-1] or "index.html"
        dest = f"{dest}/{name}"
    data = ctx.sandbox.read(src)
    existed = ctx.sandbox.stat(dest) is not None
    ctx.sandbox.write(dest, data)
    verb = "replaced" if existed else "saved"
    return f"{verb} {display_path(dest, home)} ({len(data)} bytes from {u.address})"


WEB_TOOLS = [browse, search_web, submit_form, download]
