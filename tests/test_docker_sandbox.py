"""The docker backend's primitives behave exactly like the in-process backend's.

Every primitive is run on both backends from the same world, and results and errors (type and
message, which the model reads) must be equal; a seeded random walk of operations covers the
corners no hand-written case thinks of.
"""

from __future__ import annotations

import random

import pytest

from mosaic_gym.sandbox import HOME, LocalSandbox, SandboxError
from mosaic_gym.sandbox.docker import DockerSandbox, printf_word, quote
from tests.conftest import TEST_LABELS

pytestmark = pytest.mark.docker

ODD_NAMES = [
    "plain.txt",
    "with space.md",
    "it's quoted.txt",
    'double"quote',
    "back\\slash",
    "per%cent%s",
    "-leading-dash",
    "$HOME and `cmd` and $(cmd)",
    "new\nline",
    "tab\there",
    "ünïcødé-日本-🙂",
    "\u0101\u0081-ctl-bytes",
    "*glob?[x]",
    ".hidden",
    "..dots",
    "x" * 200,
]
ALL_BYTES = bytes(range(256)) * 3


def world() -> tuple[dict[str, bytes], list[str]]:
    files = {
        f"{HOME}/a/b.txt": b"hello",
        f"{HOME}/top.txt": b"x",
        f"{HOME}/bin.dat": ALL_BYTES,
        f"{HOME}/empty-file": b"",
        f"{HOME}/deep/er/and/deeper/still/f.md": b"deep\n",
        f"{HOME}/{'long-folder-name/' * 12}leaf.txt": b"long path",
        "/srv/outbound/001-001-mail.json": b'{"to": "x@example.com"}',
        "/srv/vault/entries/a.json": b"{}",
    }
    for i, name in enumerate(ODD_NAMES):
        files[f"{HOME}/odd/{name}"] = f"content {i} {name}\n".encode()
    return files, [f"{HOME}/empty", f"{HOME}/a/nested-empty"]


@pytest.fixture(scope="module")
def pair(docker_api):
    docker = DockerSandbox(labels=TEST_LABELS)
    local = LocalSandbox()
    yield local, docker
    docker.close()


@pytest.fixture
def sandboxes(pair):
    files, dirs = world()
    for sb in pair:
        sb.restore(files, dirs)
    return pair


def outcome(fn, *args, **kwargs):
    try:
        return ("ok", fn(*args, **kwargs))
    except SandboxError as e:
        return (type(e).__name__, str(e))


def same(sandboxes, op, *args, **kwargs):
    local, docker = sandboxes
    a = outcome(getattr(local, op), *args, **kwargs)
    b = outcome(getattr(docker, op), *args, **kwargs)
    assert a == b, f"{op}{args}: local {a!r} != docker {b!r}"
    return a


def test_quoting_helpers_round_trip_every_byte():
    assert quote("it's") == b"'it'\\''s'"
    word = printf_word(ALL_BYTES)
    assert b"\x00" not in word and word.startswith(b"'") and word.endswith(b"'")


def test_restore_then_snapshot_is_the_world_byte_for_byte(sandboxes):
    files, _ = world()
    local, docker = sandboxes
    assert docker.snapshot() == files == local.snapshot()


def test_reads_lists_stats_and_walks(sandboxes):
    files, dirs = world()
    for p in [
        *files,
        *dirs,
        HOME,
        f"{HOME}/odd",
        f"{HOME}/nope",
        f"{HOME}/top.txt/x",
        "/srv/outbound",
    ]:
        same(sandboxes, "stat", p)
        same(sandboxes, "read", p)
        same(sandboxes, "list", p)
        same(sandboxes, "walk", p)
    assert same(sandboxes, "read", f"{HOME}/bin.dat") == ("ok", ALL_BYTES)
    names = same(sandboxes, "list", f"{HOME}/odd")[1]
    assert sorted(e.name for e in names) == sorted(ODD_NAMES)
    same(sandboxes, "read_many", [*files, f"{HOME}/nope", f"{HOME}/a", "/srv/none"])


def test_writes_moves_and_removes_and_their_errors(sandboxes):
    steps = [
        ("write", f"{HOME}/new/deep/f.txt", ALL_BYTES),
        ("write", f"{HOME}/top.txt", b"replaced"),
        ("write", f"{HOME}/a", b"onto a directory"),
        ("write", f"{HOME}/top.txt/x", b"under a file"),
        ("write", f"{HOME}/top.txt/x/y/z", b"deeper under a file"),
        ("write", f"{HOME}/odd/{ODD_NAMES[8]}", b"newline name rewritten"),
        ("move", f"{HOME}/a", f"{HOME}/top.txt"),
        ("move", f"{HOME}/a", f"{HOME}/a/inner"),
        ("move", f"{HOME}/a", f"{HOME}/a"),
        ("move", f"{HOME}/nope", f"{HOME}/else"),
        ("move", f"{HOME}/a", f"{HOME}/top.txt/under"),
        ("move", f"{HOME}/a", f"{HOME}/z/made/for/it"),
        ("move", f"{HOME}/odd/{ODD_NAMES[3]}", f"{HOME}/z/{ODD_NAMES[7]}"),
        ("remove", f"{HOME}/z"),
        ("remove", f"{HOME}/nope"),
        ("remove", f"{HOME}/empty"),
        ("remove", f"{HOME}/z", True),
        ("remove", f"{HOME}/bin.dat"),
        ("write", "/srv/outbound/002-001-form.json", b'{"field": 1}'),
        ("remove", "/srv/vault/entries/a.json"),
    ]
    for op, *args in steps:
        same(sandboxes, op, *args)
        same(sandboxes, "walk", HOME)
        same(sandboxes, "list", HOME)
    local, docker = sandboxes
    assert docker.snapshot() == local.snapshot()


def test_random_operations_match_local(sandboxes):
    rng = random.Random(1234)
    files, dirs = world()
    pool = sorted({*files, *dirs, f"{HOME}/a", f"{HOME}/odd", f"{HOME}/deep/er"})
    pool += [f"{HOME}/{n}" for n in ("fresh", "fresh/sub", "top.txt/under", "x y/z")]
    local, docker = sandboxes
    for i in range(400):
        path = rng.choice(pool)
        op = rng.choice(
            ["read", "write", "write", "list", "stat", "move", "remove", "walk", "read_many"]
        )
        if op == "write":
            args = (path, rng.randbytes(rng.randrange(0, 64)))
        elif op == "move":
            if path == HOME:
                continue
            dst = rng.choice(pool + [path + "-moved", f"{HOME}/fresh/{rng.randrange(9)}"])
            if dst.startswith(HOME) != path.startswith(HOME):
                continue  # no tool moves between the home and /srv; docker refuses it
            args = (path, dst)
            pool.append(dst)
        elif op == "remove":
            if path == HOME:
                continue
            args = (path, rng.random() < 0.5)
        elif op == "read_many":
            args = (rng.sample(pool, 5),)
        else:
            args = (path,)
        same(sandboxes, op, *args)
        if i % 50 == 49:
            assert docker.snapshot() == local.snapshot(), f"worlds differ after {i + 1} operations"
    assert docker.snapshot() == local.snapshot()


def test_restore_replaces_the_whole_world(sandboxes):
    local, docker = sandboxes
    docker.write(f"{HOME}/left-over.txt", b"from before")
    docker.write("/srv/outbound/999-leftover.json", b"{}")
    small = {f"{HOME}/only.txt": b"1", "/srv/outbound/x.json": b"{}"}
    docker.restore(small)
    assert docker.snapshot() == small
    assert [e.name for e in docker.list(HOME)] == ["only.txt"]


def test_a_large_world_round_trips(docker_api, pair):
    _, docker = pair
    rng = random.Random(5)
    files = {
        f"{HOME}/bulk/{i:03d}/file-{i}.bin": rng.randbytes(rng.randrange(0, 3000))
        for i in range(300)
    }
    files[f"{HOME}/big.bin"] = rng.randbytes(2 << 20)
    docker.restore(files)
    assert docker.snapshot() == files
    assert len(docker.walk(HOME)) == 301
    assert docker.read(f"{HOME}/big.bin") == files[f"{HOME}/big.bin"]


def test_world_outside_home_and_srv_is_refused(pair):
    _, docker = pair
    with pytest.raises(SandboxError, match="outside both"):
        docker.restore({"/etc/passwd": b"x"})
