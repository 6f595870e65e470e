"""The docker sandbox's life: in-place resets that leave nothing behind, broken containers
replaced, containers removed on close, at exit, when a process or a vector-env worker is
killed, and by ``mosaic-gym sandbox prune``; the image build; ``sandbox doctor``.
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import subprocess
import sys
import tarfile
import textwrap
import time
import uuid
from contextlib import redirect_stdout

import gymnasium as gym
import pytest

import mosaic_gym  # noqa: F401
from mosaic_gym.policies import make_policy
from mosaic_gym.runner import run_episode
from mosaic_gym.sandbox import HOME
from mosaic_gym.sandbox import image as img
from mosaic_gym.sandbox.commands import add_commands
from mosaic_gym.sandbox.docker import DockerSandbox
from mosaic_gym.sandbox.pool import CONTAINER_LABEL, get_pool, sweep_strays
from tests.conftest import TEST_LABELS

pytestmark = pytest.mark.docker

TASK = "fileops.benign.clean_build_artifacts"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def case_labels() -> dict[str, str]:
    """Labels unique to one test, so it can count its own containers."""
    return {**TEST_LABELS, "mosaic.case": uuid.uuid4().hex[:12]}


def containers(api, labels: dict[str, str]) -> list[dict]:
    return api.containers(all=True, filters={"label": f"mosaic.case={labels['mosaic.case']}"})


def wait_until(predicate, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def shell(env, command: str) -> str:
    obs, *_ = env.step({"name": "shell", "arguments": {"command": command}})
    return obs.removeprefix("<tool_response>\n").removesuffix("\n</tool_response>")


def make_env(labels, **kw):
    return gym.make("mosaic/FileOps-v0", backend="docker", split="all", labels=labels, **kw)


def test_reset_leaves_no_file_process_or_shell_state(docker_api):
    env = make_env(case_labels(), spares=0)
    try:
        env.reset(seed=0, options={"task_id": TASK})
        out = shell(
            env,
            textwrap.dedent("""\
            echo left > ~/left.txt; mkdir -p ~/.cache/x && echo y > ~/.cache/x/y
            echo t > /tmp/t; echo s > /dev/shm/s; echo r > /run/sandbox/r; echo q > /dev/mqueue/q
            mkdir ~/locked && echo z > ~/locked/z && chmod 000 ~/locked
            export FOO=bar; cd /tmp; umask 077; alias ll=ls; trap 'echo trapped' EXIT
            nohup sleep 1000 >/dev/null 2>&1 &
            echo planted"""),
        )
        assert "planted" in out
        # within the episode, each command already starts fresh and nothing keeps running
        out = shell(
            env,
            "echo ${FOO:-unset} $(pwd) $(umask); cat /proc/[0-9]*/comm | sort -u | tr '\\n' ' '",
        )
        assert out.startswith("unset /home/user 0022\n") and "sleep" not in out, out
        shell(env, "chmod 000 ~")
        env.reset(seed=1, options={"task_id": TASK})
        task = env.unwrapped.task
        assert env.unwrapped.sandbox.snapshot() == task.files
        listing = shell(
            env,
            "find ~ /tmp /dev/shm /dev/mqueue /run/sandbox -type f ! -path /run/sandbox/out | sort; stat -c %a ~",
        )
        expected = sorted(p for p in task.files if p.startswith(HOME))
        lines = listing.split("\n")
        assert lines == [*expected, "755", "[exit code 0]"], listing
        # every process of the agent's uid descends from its one shell (or is the watcher of
        # this command's timeout, which busybox detaches): nothing from the last episode is left
        roots = shell(
            env,
            "for p in /proc/[0-9]*; do [ -O $p ] || continue; pp=$(sed -n 's/^PPid:\\t//p' $p/status); [ -O /proc/$pp ] || cat $p/comm; done | sort",
        )
        assert roots == "sh\ntimeout\n[exit code 0]", roots
        assert run_episode(env, make_policy("oracle"), 2, {"task_id": TASK}).outcome.correct
    finally:
        env.close()


def test_resets_happen_in_place(docker_api):
    env = make_env(case_labels(), spares=0)
    try:
        env.reset(seed=0)
        sb = env.unwrapped.sandbox
        first = sb.container_id
        for seed in range(20):
            env.reset(seed=seed)
            assert sb.snapshot() == env.unwrapped.task.files
        assert sb.container_id == first and sb.restarts == 0
    finally:
        env.close()


def test_a_killed_container_is_replaced_at_reset(docker_api):
    labels = case_labels()
    env = make_env(labels)
    try:
        env.reset(seed=0, options={"task_id": TASK})
        sb = env.unwrapped.sandbox
        old = sb.container_id
        docker_api.kill(old)
        ep = run_episode(env, make_policy("oracle"), 0, {"task_id": TASK})
        assert ep.outcome.correct and sb.container_id != old and sb.restarts == 1
        assert wait_until(lambda: old not in {c["Id"] for c in containers(docker_api, labels)})
    finally:
        env.close()


def test_a_container_dying_mid_episode_is_reported_and_replaced(docker_api):
    env = make_env(case_labels())
    try:
        env.reset(seed=0, options={"task_id": TASK})
        sb = env.unwrapped.sandbox
        env.step({"name": "write_file", "arguments": {"path": "~/mine.txt", "content": "x"}})
        docker_api.kill(sb.container_id)
        obs, *_ = env.step({"name": "list_dir", "arguments": {}})
        assert "the sandbox stopped unexpectedly and was restarted" in obs
        assert sb.restarts == 1 and sb.snapshot() == env.unwrapped.task.files
        obs, *_ = env.step({"name": "read_file", "arguments": {"path": "~/mine.txt"}})
        assert "does not exist" in obs
    finally:
        env.close()


def test_an_unresponsive_container_is_replaced(docker_api):
    labels = case_labels()
    env = make_env(labels, request_timeout=2.0)
    try:
        env.reset(seed=0, options={"task_id": TASK})
        sb = env.unwrapped.sandbox
        old = sb.container_id
        docker_api.pause(old)
        t0 = time.monotonic()
        env.reset(seed=1, options={"task_id": TASK})
        assert time.monotonic() - t0 < 10
        assert sb.container_id != old and sb.snapshot() == env.unwrapped.task.files
        assert wait_until(lambda: old not in {c["Id"] for c in containers(docker_api, labels)})
    finally:
        env.close()


def test_close_removes_the_container_and_the_spares(docker_api):
    labels = case_labels()
    env = make_env(labels, spares=1)
    env.reset(seed=0)
    assert wait_until(lambda: len(containers(docker_api, labels)) == 2)  # its own and a spare
    env.close()
    assert containers(docker_api, labels) == []


def test_a_second_env_takes_a_started_spare(docker_api):
    labels = case_labels()
    a = make_env(labels, spares=1)
    b = make_env(labels, spares=1)
    try:
        a.reset(seed=0)
        pool = get_pool(a.unwrapped.sandbox.options.spec(), 1)
        assert wait_until(lambda: len(pool._idle) == 1)
        t0 = time.monotonic()
        b.reset(seed=0)
        took = time.monotonic() - t0
        assert pool._stats["from_spares"] >= 1 and took < 0.2, took
        a.close()
        assert b.unwrapped.sandbox.snapshot() == b.unwrapped.task.files
    finally:
        a.close()
        b.close()
    assert containers(docker_api, labels) == []


SCRIPT = """
import sys, time, gymnasium as gym, mosaic_gym
env = gym.make("mosaic/FileOps-v0", backend="docker", labels={labels!r}, spares=1)
env.reset(seed=0)
print(env.unwrapped.sandbox.container_id, flush=True)
{tail}
"""


def test_interpreter_exit_removes_containers(docker_api):
    labels = case_labels()
    code = SCRIPT.format(labels=labels, tail="time.sleep(1.0)  # the spare starts; no close()")
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert containers(docker_api, labels) == []


def test_a_killed_process_leaves_no_container(docker_api):
    labels = case_labels()
    code = SCRIPT.format(labels=labels, tail="time.sleep(600)")
    proc = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        cid = proc.stdout.readline().strip()
        assert cid and any(c["Id"] == cid for c in containers(docker_api, labels))
        # its own container and the spare started in the background
        assert wait_until(
            lambda: [c["State"] for c in containers(docker_api, labels)] == ["running"] * 2
        )
    finally:
        proc.kill()
        proc.wait()
    assert wait_until(lambda: containers(docker_api, labels) == [])


HALF_STARTED = """
import os, socket
from mosaic_gym.sandbox import pool
api = pool.connect()
labels = {{pool.CONTAINER_LABEL: "1", pool.OWNER_LABEL: f"{{socket.gethostname()}}:{{os.getpid()}}", **{labels!r}}}
api.create_container("mosaic-sandbox:latest", command=["/bin/cat"], labels=labels)
os._exit(0)  # as if killed between creating a container and starting it
"""


def test_a_container_a_killed_process_never_started_is_swept(docker_api):
    labels = case_labels()
    code = HALF_STARTED.format(labels=labels)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert [c["State"] for c in containers(docker_api, labels)] == ["created"]
    removed = sweep_strays(docker_api)  # what every process does when it first needs a container
    assert len(removed) == 1 and containers(docker_api, labels) == []


def _make(labels):
    return lambda: gym.make("mosaic/FileOps-v0", backend="docker", labels=labels, spares=0)


def _episode(venv, n):
    venv.reset(seed=list(range(n)))
    obs, *_ = venv.step(['<tool_call>{"name": "list_dir", "arguments": {}}</tool_call>'] * n)
    assert all("<tool_response>" in o for o in obs)


@pytest.mark.parametrize("vector_cls", [gym.vector.SyncVectorEnv, gym.vector.AsyncVectorEnv])
def test_vector_env_close_leaves_nothing(docker_api, vector_cls):
    labels = case_labels()
    venv = vector_cls([_make(labels) for _ in range(3)])
    _episode(venv, 3)
    assert len(containers(docker_api, labels)) == 3
    venv.close()
    assert wait_until(lambda: containers(docker_api, labels) == [])


def test_killing_a_vector_env_worker_leaves_nothing(docker_api):
    labels = case_labels()
    venv = gym.vector.AsyncVectorEnv([_make(labels) for _ in range(3)])
    try:
        _episode(venv, 3)
        assert len(containers(docker_api, labels)) == 3
        os.kill(venv.processes[0].pid, signal.SIGKILL)
        assert wait_until(lambda: len(containers(docker_api, labels)) == 2)
    finally:
        venv.close(terminate=True)
    assert wait_until(lambda: containers(docker_api, labels) == [])


def test_a_forked_child_cannot_use_its_parents_sandbox(docker_api):
    sb = DockerSandbox(labels=case_labels(), spares=0)
    try:
        sb.restore({f"{HOME}/a": b"1"})
        pid = os.fork()
        if pid == 0:  # the child: refuses, and must not remove the parent's container on exit
            try:
                sb.read(f"{HOME}/a")
                os._exit(1)
            except RuntimeError:
                sb.close()
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert sb.read(f"{HOME}/a") == b"1"
    finally:
        sb.close()


def test_build_is_content_addressed_and_a_lookup_when_unchanged(docker_api):
    ctx = img.load_context()
    assert ctx.tag.startswith("mosaic-sandbox:") and len(ctx.tag.split(":")[1]) == 16
    t0 = time.monotonic()
    tag, built = img.build(docker_api, ctx)
    assert (tag, built) == (ctx.tag, False) and time.monotonic() - t0 < 2.0
    labels = docker_api.inspect_image("mosaic-sandbox:latest")["Config"]["Labels"]
    assert labels[img.HASH_LABEL] == ctx.digest
    ctx.files["rootfs/etc/motd"] = b"changed\n"
    assert img.load_context().digest != ctx.digest


def test_a_dynamically_linked_busybox_is_refused(tmp_path):
    with pytest.raises(ValueError, match="dynamically linked|ELF"):
        img.check_static(__import__("pathlib").Path(sys.executable).resolve())
    with pytest.raises(ValueError, match="cannot read busybox"):
        img.check_static(tmp_path / "missing")


def cli(*argv: str) -> tuple[int, str]:
    p = argparse.ArgumentParser(prog="mosaic-gym")
    add_commands(p.add_subparsers(dest="command", required=True))
    args = p.parse_args(argv)
    out = io.StringIO()
    with redirect_stdout(out):
        code = args.func(args)
    return code, out.getvalue()


def test_cli_build_and_doctor(docker_api):
    code, out = cli("sandbox", "build", "-q")
    assert code == 0 and "up to date: mosaic-sandbox:" in out
    code, out = cli("sandbox", "doctor")
    assert code == 0 and "all good" in out and "FAIL" not in out, out
    # the module entry point CI uses before the package's own CLI is installed
    done = subprocess.run(
        [sys.executable, "-m", "mosaic_gym.sandbox.commands", "build", "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and "up to date" in done.stdout, done.stderr


def test_gymnasium_env_checker_passes_on_docker(docker_api):
    from gymnasium.utils.env_checker import check_env

    env = make_env(case_labels(), spares=0)
    try:
        check_env(env.unwrapped, skip_render_check=True)
    finally:
        env.close()


def tiny_image(api, tag: str, label: bool) -> str:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        dockerfile = "FROM scratch\nCOPY f /f\n" + ("LABEL mosaic.image=test\n" if label else "")
        for name, data in (("Dockerfile", dockerfile.encode()), ("f", b"x")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    list(
        api.build(
            fileobj=io.BytesIO(buf.getvalue()),
            custom_context=True,
            tag=tag,
            network_mode="none",
            rm=True,
            forcerm=True,
            decode=True,
        )
    )
    return tag


def test_prune_by_label_removes_only_those_sandboxes(docker_api):
    mine, other = case_labels(), case_labels()
    a = DockerSandbox(labels=mine, spares=0)
    b = DockerSandbox(labels=other, spares=0)
    foreign = docker_api.create_container(
        "mosaic-sandbox:latest",
        command=["/bin/cat"],
        network_disabled=True,
        labels={"unrelated": "1"},
    )["Id"]
    try:
        a.restore({})
        b.restore({})
        code, out = cli(
            "sandbox", "prune", "--label", f"mosaic.case={mine['mosaic.case']}", "--dry-run"
        )
        assert (
            code == 0
            and "would remove 1 sandbox container(s)" in out
            and a.container_id[:12] in out
        )
        assert len(containers(docker_api, mine)) == 1
        code, out = cli("sandbox", "prune", "--label", f"mosaic.case={mine['mosaic.case']}")
        assert code == 0 and "removed 1 sandbox container(s)" in out
        assert containers(docker_api, mine) == [] and len(containers(docker_api, other)) == 1
        assert docker_api.inspect_container(foreign)["Id"] == foreign
        assert img.image_exists(docker_api, "mosaic-sandbox:latest") is not None
        assert cli("sandbox", "prune", "--label", "no-equals-sign")[0] == 1
    finally:
        a.close()
        b.close()
        docker_api.remove_container(foreign, force=True)


@pytest.mark.skipif(
    os.environ.get("MOSAIC_REQUIRE_DOCKER") != "1" and os.environ.get("MOSAIC_TEST_PRUNE") != "1",
    reason="a full prune removes every sandbox container and image on the daemon, other people's "
    "included; it runs in CI (MOSAIC_REQUIRE_DOCKER=1) or with MOSAIC_TEST_PRUNE=1",
)
def test_full_prune_removes_every_labelled_container_and_image_and_nothing_else(docker_api):
    """Runs last in this module: it removes the sandbox image, and builds it again afterwards."""
    labels = case_labels()
    sb = DockerSandbox(labels=labels, spares=0)
    sb.restore({})
    foreign_tag = tiny_image(
        docker_api, f"mosaic-test-foreign:{labels['mosaic.case']}", label=False
    )
    labelled_tag = tiny_image(
        docker_api, f"mosaic-test-labelled:{labels['mosaic.case']}", label=True
    )
    foreign = docker_api.create_container(
        foreign_tag, command=["/f"], network_disabled=True, labels={"unrelated": "1"}
    )["Id"]
    try:
        code, out = cli("sandbox", "prune", "--dry-run")
        assert code == 0 and "would remove" in out and sb.container_id[:12] in out
        assert docker_api.inspect_container(sb.container_id)["State"]["Running"]
        code, out = cli("sandbox", "prune")
        assert code == 0, out
        assert docker_api.containers(all=True, filters={"label": CONTAINER_LABEL}) == []
        assert docker_api.inspect_container(foreign)["Id"] == foreign  # not ours: untouched
        assert img.image_exists(docker_api, foreign_tag) is not None
        assert img.image_exists(docker_api, labelled_tag) is None
        assert img.image_exists(docker_api, "mosaic-sandbox:latest") is None
    finally:
        sb.close()
        docker_api.remove_container(foreign, force=True)
        for tag in (foreign_tag, labelled_tag):
            if img.image_exists(docker_api, tag):
                docker_api.remove_image(tag)
        img.build(docker_api, img.load_context())
