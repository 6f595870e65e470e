"""The sandbox image: its build context, content-hash tag, build, prune and health checks.

The context is ``sandboxes/`` (a Dockerfile FROM scratch and a root file tree) plus a static
busybox taken from the host (Debian's ``busybox-static`` puts it at ``/bin/busybox``), so the
build needs no registry and no network: its RUN steps run with ``network_mode="none"``. The tag
is ``mosaic-sandbox:<first 16 hex of the sha256 of the context>``, also tagged ``:latest``
(the backend's default image); building an unchanged context is a lookup, not a build.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .pool import CONTAINER_LABEL, IMAGE_LABEL, IMAGE_REPOSITORY, OWNER_LABEL

DEFAULT_BUSYBOX = "/bin/busybox"
HASH_LABEL = "mosaic.context-sha256"


def sandboxes_dir() -> Path | None:
    """The repository's ``sandboxes/`` folder, when this is a source checkout."""
    d = Path(__file__).resolve().parents[2] / "sandboxes"
    return d if (d / "Dockerfile").is_file() else None


def check_static(path: Path) -> None:
    """Raise ValueError unless ``path`` is a statically linked ELF executable (no PT_INTERP)."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ValueError(
            f"cannot read busybox at {path} ({e.strerror}); install Debian's busybox-static "
            "(apt-get install busybox-static) or pass --busybox PATH"
        ) from None
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise ValueError(f"{path} is not a 64-bit ELF executable")
    endian = "<" if data[5] == 1 else ">"
    phoff = struct.unpack_from(endian + "Q", data, 0x20)[0]
    phentsize, phnum = struct.unpack_from(endian + "HH", data, 0x36)
    for i in range(phnum):
        (p_type,) = struct.unpack_from(endian + "I", data, phoff + i * phentsize)
        if p_type == 3:  # PT_INTERP: needs a dynamic loader the image does not have
            raise ValueError(
                f"{path} is dynamically linked; the image has no libraries. Install Debian's "
                "busybox-static (apt-get install busybox-static) or pass --busybox PATH"
            )


@dataclass
class BuildContext:
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        h = hashlib.sha256()
        for name in sorted(self.files):
            data = self.files[name]
            h.update(f"{name}\0{len(data)}\0".encode())
            h.update(data)
        return h.hexdigest()

    @property
    def tag(self) -> str:
        return f"{IMAGE_REPOSITORY}:{self.digest[:16]}"

    def tar(self) -> bytes:
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
            for name in sorted(self.files):
                data = self.files[name]
                info = tarfile.TarInfo(name)
                info.size = len(data)
                info.mode = 0o755 if name == "busybox" else 0o644
                tf.addfile(info, io.BytesIO(data))
        return buf.getvalue()


def load_context(
    context: Path | None = None, busybox: str | os.PathLike[str] | None = None
) -> BuildContext:
    """Read the build context: every file under ``context`` (default: the checkout's
    ``sandboxes/``) but its README.md, and the busybox binary as ``busybox``."""
    root = context or sandboxes_dir()
    if root is None or not (root / "Dockerfile").is_file():
        raise ValueError(
            "no sandboxes/Dockerfile found; run from a source checkout of mosaic or pass "
            "--context DIR (a folder with the Dockerfile and its rootfs/)"
        )
    bb = Path(busybox or DEFAULT_BUSYBOX)
    check_static(bb)
    ctx = BuildContext()
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_file() and "__pycache__" not in p.parts and rel != "README.md":
            ctx.files[rel] = p.read_bytes()
    ctx.files["busybox"] = bb.read_bytes()
    return ctx


def image_exists(api: Any, ref: str) -> dict[str, Any] | None:
    import docker.errors  # noqa: PLC0415 - optional dependency

    try:
        return api.inspect_image(ref)
    except docker.errors.ImageNotFound:
        return None


def build(api: Any, ctx: BuildContext, force: bool = False, log: Any = None) -> tuple[str, bool]:
    """Build ``ctx`` unless an image with its tag exists (or ``force``); tag it ``:latest``.
    Returns (tag, built)."""
    built = False
    if force or image_exists(api, ctx.tag) is None:
        stream = api.build(
            fileobj=io.BytesIO(ctx.tar()),
            custom_context=True,
            tag=ctx.tag,
            rm=True,
            forcerm=True,
            nocache=force,
            network_mode="none",
            labels={IMAGE_LABEL: "sandbox", HASH_LABEL: ctx.digest},
            decode=True,
        )
        for chunk in stream:
            if "error" in chunk:
                raise RuntimeError(f"image build failed: {chunk['error'].strip()}")
            if log is not None and chunk.get("stream", "").strip():
                log(chunk["stream"].rstrip())
        built = True
    api.tag(ctx.tag, IMAGE_REPOSITORY, "latest")
    return ctx.tag, built


@dataclass
class PruneReport:
    containers: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    kept_images: list[str] = field(default_factory=list)


def prune(
    api: Any, images: bool = True, dry_run: bool = False, label: str | None = None
) -> PruneReport:
    """Remove every container labelled ``mosaic.sandbox`` (in use or not) and, with ``images``,
    every image labelled ``mosaic.image`` that no remaining container uses. ``label``
    ("key=value") narrows it to the containers that also carry that label, and leaves images
    alone. Nothing without the project's labels is touched."""
    import docker.errors  # noqa: PLC0415

    report = PruneReport()
    filters = [CONTAINER_LABEL] + ([label] if label else [])
    doomed = set()
    for c in api.containers(all=True, filters={"label": filters}):
        doomed.add(c["Id"])
        report.containers.append(
            f"{c['Id'][:12]} ({c['Labels'].get(OWNER_LABEL, '?')}, {c['State']})"
        )
        if not dry_run:
            try:
                api.remove_container(c["Id"], force=True)
            except docker.errors.NotFound:
                pass  # it removed itself meanwhile (auto_remove)
            except docker.errors.APIError as e:
                if "already in progress" not in str(e):
                    raise
    if not images or label:
        return report
    in_use = {c["ImageID"] for c in api.containers(all=True) if c["Id"] not in doomed}
    for image in api.images(filters={"label": IMAGE_LABEL}):
        tags = [t for t in image.get("RepoTags") or [] if t != "<none>:<none>"]
        name = ", ".join(tags) or image["Id"][7:19]
        if image["Id"] in in_use:
            report.kept_images.append(f"{name} (a container that is not a sandbox uses it)")
            continue
        report.images.append(name)
        if dry_run:
            continue
        for ref in tags or [image["Id"]]:
            try:
                api.remove_image(ref)
            except docker.errors.ImageNotFound:
                pass
    return report
