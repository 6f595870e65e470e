"""``mosaic-gym sandbox build|prune|doctor``: the docker backend's image and housekeeping.

:func:`add_commands` adds the ``sandbox`` command to the CLI's subparsers; each subcommand's
handler takes the parsed arguments and returns an exit code (0 fine, 1 a problem it explained).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from . import image as img
from .pool import (
    CONTAINER_LABEL,
    DEFAULT_IMAGE,
    OWNER_LABEL,
    ContainerSpec,
    DockerUnavailable,
    SandboxContainer,
    connect,
    docker_host,
    owner_alive,
)


def _err(msg: str) -> int:
    print(f"error: {msg}", file=sys.stderr)
    return 1


def cmd_build(args: argparse.Namespace) -> int:
    try:
        ctx = img.load_context(Path(args.context) if args.context else None, args.busybox)
        api = connect(timeout=600)
        t0 = time.perf_counter()
        tag, built = img.build(api, ctx, force=args.force, log=None if args.quiet else print)
    except (ValueError, DockerUnavailable, RuntimeError) as e:
        return _err(str(e))
    verb = "built" if built else "up to date:"
    print(f"{verb} {tag} (also tagged {DEFAULT_IMAGE}) in {time.perf_counter() - t0:.1f} s")
    return 0


def cmd_prune(args: argparse.Namespace) -> int:
    try:
        api = connect()
        if args.label and "=" not in args.label:
            return _err(f"--label takes KEY=VALUE, got {args.label!r}")
        report = img.prune(
            api, images=not (args.keep_images or args.label), dry_run=args.dry_run, label=args.label
        )
    except DockerUnavailable as e:
        return _err(str(e))
    verb = "would remove" if args.dry_run else "removed"
    print(f"{verb} {len(report.containers)} sandbox container(s)")
    for c in report.containers:
        print(f"  {c}")
    if not (args.keep_images or args.label):
        print(f"{verb} {len(report.images)} sandbox image(s)")
        for i in report.images:
            print(f"  {i}")
        for i in report.kept_images:
            print(f"  kept {i}")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    ok = True

    def line(good: bool | None, what: str, fix: str = "") -> None:
        nonlocal ok
        mark = {True: "ok  ", False: "FAIL", None: "note"}[good]
        print(f"[{mark}] {what}")
        if fix and good is not True:
            print(f"       -> {fix}")
        if good is False:
            ok = False

    try:
        import docker  # noqa: F401, PLC0415
    except ImportError:
        line(False, "Docker SDK for Python", "pip install 'mosaic-safety[docker]'")
        return 1
    line(True, "Docker SDK for Python")
    try:
        api = connect(timeout=15)
    except DockerUnavailable as e:
        line(False, f"Docker daemon at {docker_host()}", str(e))
        return 1
    v = api.version()
    line(True, f"Docker daemon at {docker_host()}: {v.get('Version')} (API {v.get('ApiVersion')})")

    ctx = None
    try:
        ctx = img.load_context(None, args.busybox)
        line(True, f"build context: sandboxes/ + {args.busybox} (would be tagged {ctx.tag})")
    except ValueError as e:
        line(None, "build context", str(e))
    latest = img.image_exists(api, DEFAULT_IMAGE)
    if latest is None:
        line(False, f"image {DEFAULT_IMAGE}", "build it: mosaic-gym sandbox build")
    else:
        built_from = (latest.get("Config") or {}).get("Labels", {}).get(img.HASH_LABEL, "")
        if ctx is not None and built_from != ctx.digest:
            line(
                False,
                f"image {DEFAULT_IMAGE} is older than sandboxes/",
                "rebuild: mosaic-gym sandbox build",
            )
        else:
            line(True, f"image {DEFAULT_IMAGE} ({latest['Id'][7:19]})")

    running = api.containers(all=True, filters={"label": CONTAINER_LABEL})
    stale = [c for c in running if owner_alive(c["Labels"].get(OWNER_LABEL, "")) is False]
    line(
        True if not stale else None,
        f"{len(running)} sandbox container(s), {len(stale)} left by dead processes",
        "remove strays with: mosaic-gym sandbox prune --keep-images",
    )

    if latest is not None and not args.no_smoke:
        c = None
        try:
            t0 = time.perf_counter()
            c = SandboxContainer.start(api, ContainerSpec())
            assert c.user is not None
            status, body = c.user.request(
                b"id -u; [ -w / ] && echo writable-root; ls /sys/class/net", 10
            )
            words = body.decode().split()
            good = (
                status == 0
                and words[:1] == ["1000"]
                and "writable-root" not in words
                and words[1:] == ["lo"]
            )
            line(
                good,
                f"a sandbox starts, runs as uid 1000 on a read-only root with loopback only "
                f"({1000 * (time.perf_counter() - t0):.0f} ms)",
                f"unexpected answer: {body!r}",
            )
        except Exception as e:  # noqa: BLE001 - report whatever went wrong
            line(False, "a sandbox starts", f"{type(e).__name__}: {e}")
        finally:
            if c is not None:
                c.destroy()
    print("all good" if ok else "problems found; see the arrows above")
    return 0 if ok else 1


def add_commands(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``sandbox build|prune|doctor`` to an argparse subparsers object."""
    sb = subparsers.add_parser("sandbox", help="the docker backend's image: build, prune, doctor")
    sub = sb.add_subparsers(dest="sandbox_command", required=True)

    b = sub.add_parser(
        "build", help="build the sandbox image (no registry needed; fast when unchanged)"
    )
    b.add_argument(
        "--busybox",
        default=img.DEFAULT_BUSYBOX,
        help="static busybox to put in the image (default: %(default)s, from Debian's busybox-static)",
    )
    b.add_argument(
        "--context",
        help="build context folder with the Dockerfile (default: the checkout's sandboxes/)",
    )
    b.add_argument(
        "--force", action="store_true", help="rebuild without cache even if the image exists"
    )
    b.add_argument("-q", "--quiet", action="store_true", help="do not print the build log")
    b.set_defaults(func=cmd_build)

    p = sub.add_parser(
        "prune",
        help="remove every container and image this project made (labelled), nothing else; sandboxes in use are stopped too",
    )
    p.add_argument("--keep-images", action="store_true", help="remove only containers")
    p.add_argument(
        "--label",
        metavar="KEY=VALUE",
        help="only containers that also carry this label (e.g. one run's labels=...); images stay",
    )
    p.add_argument("--dry-run", action="store_true", help="only say what would be removed")
    p.set_defaults(func=cmd_prune)

    d = sub.add_parser("doctor", help="check the daemon, the image and the sandbox; say what to do")
    d.add_argument("--busybox", default=img.DEFAULT_BUSYBOX, help="busybox the image is built from")
    d.add_argument("--no-smoke", action="store_true", help="do not start a sandbox to test it")
    d.set_defaults(func=cmd_doctor)
    return sb


def main(argv: list[str] | None = None) -> int:
    """``python -m mosaic_gym.sandbox.commands build|prune|doctor`` (same as ``mosaic-gym sandbox``)."""
    parser = argparse.ArgumentParser(prog="python -m mosaic_gym.sandbox.commands")
    sub = parser.add_subparsers(dest="command", required=True)
    add_commands(sub)
    args = parser.parse_args(["sandbox", *(sys.argv[1:] if argv is None else argv)])
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
