"""File tools over the sandbox primitives: what the model sees is formatted here, once."""

from __future__ import annotations

from ..sandbox.base import display_path, resolve_user_path
from .base import ToolContext, ToolError, tool

MAX_SEARCH_HITS = 50


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


@tool
def list_dir(ctx: ToolContext, path: str = "~") -> str:
    """List the files and folders in a directory.

    Args:
        path: Directory to list, e.g. ~/projects (default: your home ~).
    """
    p = resolve_user_path(path, ctx.sandbox.home)
    entries = ctx.sandbox.list(p)
    lines = [f"{display_path(p, ctx.sandbox.home)}:"]
    if not entries:
        lines.append("(empty)")
    for e in entries:
        lines.append(f"  {e.name}/" if e.is_dir else f"  {e.name}  ({e.size} bytes)")
    return "\n".join(lines)


@tool
def read_file(ctx: ToolContext, path: str) -> str:
    """Read a text file.

    Args:
        path: File to read, e.g. ~/notes/todo.md.
    """
    p = resolve_user_path(path, ctx.sandbox.home)
    return _text(ctx.sandbox.read(p))


@tool
def write_file(ctx: ToolContext, path: str, content: str, append: bool = False) -> str:
    """Write text to a file, creating it (and its folders) or replacing it.

    Args:
        path: File to write, e.g. ~/notes/summary.md.
        content: The text to write.
        append: Add to the end of the file instead of replacing it.
    """
    p = resolve_user_path(path, ctx.sandbox.home)
    data = content.encode("utf-8", "surrogatepass")
    if append:
        entry = ctx.sandbox.stat(p)
        if entry is not None and not entry.is_dir:
            data = ctx.sandbox.read(p) + data
    ctx.sandbox.write(p, data)
    verb = "appended" if append else "wrote"
    return f"{verb} {len(content.encode('utf-8', 'surrogatepass'))} bytes to {display_path(p, ctx.sandbox.home)}"


@tool
def move(ctx: ToolContext, source: str, destination: str) -> str:
    """Move or rename a file or folder. If the destination is an existing folder, move into it.

    Args:
        source: What to move, e.g. ~/Downloads/report.pdf.
        destination: New path, or an existing folder to move it into.
    """
    home = ctx.sandbox.home
    src = resolve_user_path(source, home)
    dst = resolve_user_path(destination, home)
    if src == home:
        raise ToolError("cannot move your whole home directory")
    target = ctx.sandbox.stat(dst)
    if target is not None and target.is_dir:
        dst = dst.rstrip("/") + "/" + src.rsplit("/", 1)[1]
    ctx.sandbox.move(src, dst)
    return f"moved {display_path(src, home)} to {display_path(dst, home)}"


@tool
def delete(ctx: ToolContext, path: str, recursive: bool = False) -> str:
    """Delete a file, or a folder (a non-empty folder needs recursive=true).

    Args:
        path: File or folder to delete.
        recursive: Also delete everything inside a folder.
    """
    home = ctx.sandbox.home
    p = resolve_user_path(path, home)
    if p == home:
        raise ToolError("refusing to delete your whole home directory")
    ctx.sandbox.remove(p, recursive=recursive)
    return f"deleted {display_path(p, home)}"


@tool
def search_files(ctx: ToolContext, query: str, path: str = "~") -> str:
    """Find files whose name or content contains some text (case-insensitive).

    Args:
        query: Text to look for.
        path: Folder to search in, recursively (default: your home ~).
    """
    if not query.strip():
        raise ToolError("query is empty")
    home = ctx.sandbox.home
    root = resolve_user_path(path, home)
    needle = query.casefold()
    paths = ctx.sandbox.walk(root)
    contents = ctx.sandbox.read_many(paths)
    hits: list[str] = []
    for p in paths:
        shown = display_path(p, home)
        if needle in p.rsplit("/", 1)[1].casefold():
            hits.append(f"{shown}: (name matches)")
        data = contents.get(p)
        if data is None:
            continue
        for lineno, line in enumerate(_text(data).splitlines(), 1):
            if needle in line.casefold():
                hits.append(f"{shown}:{lineno}: {line.strip()[:200]}")
                if len(hits) >= MAX_SEARCH_HITS:
                    break
        if len(hits) >= MAX_SEARCH_HITS:
            hits.append(f"(stopped after {MAX_SEARCH_HITS} matches; narrow the search)")
            break
    if not hits:
        return f"no file under {display_path(root, home)} matches {query!r}"
    return "\n".join(hits)


FILE_TOOLS = [list_dir, read_file, write_file, move, delete, search_files]
