"""The in-process backend's primitives and the shared path rules."""

from __future__ import annotations

import pytest

from mosaic_gym.sandbox import (
    HOME,
    AlreadyExists,
    IsADirectory,
    LocalSandbox,
    NotADirectory,
    NotFound,
    OutsideSandbox,
    resolve_user_path,
)


@pytest.fixture
def sb():
    s = LocalSandbox()
    s.restore({f"{HOME}/a/b.txt": b"hello", f"{HOME}/top.txt": b"x", "/srv/outbound/1.json": b"{}"}, [f"{HOME}/empty"])
    return s


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("~", HOME),
        ("~/a/b.txt", f"{HOME}/a/b.txt"),
        ("a/b.txt", f"{HOME}/a/b.txt"),
        (f"{HOME}/a/../a/b.txt", f"{HOME}/a/b.txt"),
        ("~/a/./b.txt", f"{HOME}/a/b.txt"),
        ("  ~/a  ", f"{HOME}/a"),
    ],
)
def test_paths_inside_home(raw, expected):
    assert resolve_user_path(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["..", "~/..", "~/../../etc/passwd", "/etc/passwd", "/", "//etc/passwd", "/srv/outbound/1.json",
     "~root/.ssh", "/home/user2/x", "/home/userx", "", "  ", "a\x00b", "x" * 5000, 7, None],
)
def test_paths_outside_home_are_refused(raw):
    with pytest.raises(OutsideSandbox):
        resolve_user_path(raw)


def test_read_write_list_stat(sb):
    assert sb.read(f"{HOME}/a/b.txt") == b"hello"
    sb.write(f"{HOME}/new/deep/f.txt", b"data")
    names = [(e.name, e.is_dir, e.size) for e in sb.list(HOME)]
    assert names == [("a", True, 0), ("empty", True, 0), ("new", True, 0), ("top.txt", False, 1)]
    assert sb.stat(f"{HOME}/new/deep").is_dir
    assert sb.stat(f"{HOME}/nope") is None
    assert sb.list(f"{HOME}/empty") == []


def test_errors(sb):
    with pytest.raises(NotFound):
        sb.read(f"{HOME}/nope")
    with pytest.raises(IsADirectory):
        sb.read(f"{HOME}/a")
    with pytest.raises(NotADirectory):
        sb.list(f"{HOME}/top.txt")
    with pytest.raises(NotADirectory):
        sb.write(f"{HOME}/top.txt/x", b"")
    with pytest.raises(IsADirectory):
        sb.remove(f"{HOME}/a")
    with pytest.raises(AlreadyExists):
        sb.move(f"{HOME}/a", f"{HOME}/top.txt")
    with pytest.raises(AlreadyExists):
        sb.move(f"{HOME}/a", f"{HOME}/a/inner")


def test_move_directory_and_remove(sb):
    sb.move(f"{HOME}/a", f"{HOME}/z/a2")
    assert sb.read(f"{HOME}/z/a2/b.txt") == b"hello"
    assert sb.stat(f"{HOME}/a") is None
    sb.remove(f"{HOME}/z", recursive=True)
    assert sb.stat(f"{HOME}/z") is None and sb.walk(HOME) == [f"{HOME}/top.txt"]


def test_restore_is_a_fresh_world_and_does_not_alias(sb):
    files = {f"{HOME}/f": b"1"}
    sb.restore(files)
    sb.write(f"{HOME}/f", b"2")
    sb.write(f"{HOME}/g", b"3")
    assert files == {f"{HOME}/f": b"1"}
    sb.restore(files)
    assert sb.snapshot() == files


def test_close_drops_the_world(sb):
    sb.close()
    assert sb.snapshot() == {}


def test_a_second_restore_of_the_same_world_forgets_what_the_episode_changed():
    world = {f"{HOME}/a/b.txt": b"hello", f"{HOME}/top.txt": b"x"}
    s = LocalSandbox()
    s.restore(world, [f"{HOME}/empty"])
    s.write(f"{HOME}/new/deep/c.txt", b"made in the episode")
    s.remove(f"{HOME}/a/b.txt")
    s.remove(f"{HOME}/empty")
    s.restore(world, [f"{HOME}/empty"])  # the same paths: the folders are reused, as they were
    assert s.stat(f"{HOME}/new") is None and s.stat(f"{HOME}/new/deep") is None
    assert s.stat(f"{HOME}/empty").is_dir and s.stat(f"{HOME}/a").is_dir
    assert s.read(f"{HOME}/a/b.txt") == b"hello"
    assert [e.name for e in s.list(HOME)] == ["a", "empty", "top.txt"]


def test_a_restore_with_other_folders_or_paths_works_them_out_again():
    world = {f"{HOME}/a/b.txt": b"hello"}
    s = LocalSandbox()
    s.restore(world, [f"{HOME}/empty"])
    s.restore(world)  # the same paths, no folder given: ~/empty is gone
    assert s.stat(f"{HOME}/empty") is None
    s.restore({f"{HOME}/z/y.txt": b"other"})
    assert s.stat(f"{HOME}/a") is None and s.stat(f"{HOME}/z").is_dir
