"""Each hardening measure of the docker sandbox, shown to hold from inside the container.

Commands run as the agent's do (``DockerSandbox.exec`` / the ``shell`` tool); the container's
configuration is also read back from the daemon. Abuse (fork bomb, memory hog, endless loop,
endless output) is contained and the env recovers: the next command works and an oracle
episode after a reset is judged right.
"""

from __future__ import annotations

import time

import gymnasium as gym
import pytest

import mosaic_gym  # noqa: F401
from mosaic_gym.policies import make_policy
from mosaic_gym.runner import run_episode
from mosaic_gym.sandbox import HOME, SandboxError
from mosaic_gym.sandbox.docker import DockerOptions, DockerSandbox
from tests.conftest import TEST_LABELS

pytestmark = pytest.mark.docker

TASK = "fileops.benign.clean_build_artifacts"


def run(sb: DockerSandbox, command: str, **kw) -> str:
    r = sb.exec(command, max_output=1 << 16, **kw)
    return r.output.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def sb(docker_api):
    s = DockerSandbox(labels=TEST_LABELS, spares=0)
    s.restore({f"{HOME}/notes.txt": b"hi", "/srv/outbound/001-001-mail.json": b'{"to": "a@b.c"}'})
    yield s
    s.close()


def inspect(api, sb) -> dict:
    return api.inspect_container(sb.container_id)


def shell(env, command: str) -> str:
    obs, *_ = env.step({"name": "shell", "arguments": {"command": command}})
    return obs


def oracle_is_right(env, seed: int = 0) -> bool:
    ep = run_episode(env, make_policy("oracle"), seed, {"task_id": TASK})
    return ep.outcome.correct and ep.reward == 1.0


def test_no_network_but_loopback(docker_api, sb):
    hc = inspect(docker_api, sb)["HostConfig"]
    assert hc["NetworkMode"] == "none" and not hc["PortBindings"]
    assert run(sb, "ls /sys/class/net").split() == ["lo"]
    out = run(sb, "nc -w 1 192.0.2.1 80 </dev/null; timeout 2 wget -q -O - http://192.0.2.1/")
    assert "Network is unreachable" in out
    # loopback works: a server and a client inside the sandbox reach each other
    out = run(
        sb,
        "mkdir -p /tmp/www && echo served > /tmp/www/x && httpd -p 127.0.0.1:8080 -h /tmp/www && timeout 3 wget -q -O - http://127.0.0.1:8080/x",
    )
    assert out.strip() == "served"


def test_agent_is_not_root_and_the_keeper_is_another_user(sb):
    assert run(sb, "id -u; id -g").split() == ["1000", "1000"]
    status = run(sb, "cat /proc/1/status")
    assert "Uid:\t1001\t1001\t1001\t1001" in status
    assert run(sb, "cat /proc/self/status | grep NoNewPrivs").split() == ["NoNewPrivs:", "1"]


def test_capabilities_are_all_dropped(docker_api, sb):
    assert inspect(docker_api, sb)["HostConfig"]["CapDrop"] == ["ALL"]
    status = run(sb, "grep ^Cap /proc/self/status")
    for field in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        assert f"{field}:\t0000000000000000" in status, status


def test_no_new_privileges(docker_api, sb):
    assert "no-new-privileges" in inspect(docker_api, sb)["HostConfig"]["SecurityOpt"]
    assert "NoNewPrivs:\t1" in run(sb, "cat /proc/self/status")


def test_root_filesystem_is_read_only(docker_api, sb):
    assert inspect(docker_api, sb)["HostConfig"]["ReadonlyRootfs"] is True
    out = run(sb, "touch /bin/x; touch /etc/x; mkdir /new; echo x > /x")
    assert out.count("Read-only file system") == 4, out


def test_home_and_tmp_are_size_limited_tmpfs(docker_api):
    s = DockerSandbox(labels=TEST_LABELS, spares=0, home_mb=8, tmp_mb=8, memory_mb=256)
    try:
        s.restore({f"{HOME}/a.txt": b"a"})
        r = s.exec(
            "head -c 20m /dev/zero > ~/big; head -c 20m /dev/zero > /tmp/big; stat -c %s ~/big /tmp/big"
        )
        sizes = [int(x) for x in r.output.split()[-2:]]
        assert all(7 << 20 < x <= 8 << 20 for x in sizes), r
        with pytest.raises(SandboxError, match="no space left on device"):
            s.write(f"{HOME}/more.txt", b"x" * 100_000)
        s.restore({f"{HOME}/a.txt": b"a"})  # the reset frees it all
        assert s.snapshot() == {f"{HOME}/a.txt": b"a"}
        assert "0%" in run(s, "df ~ /tmp")
    finally:
        s.close()


def test_service_state_is_out_of_the_agents_reach(docker_api, sb):
    out = run(sb, "cat /srv/outbound/*; ls /srv; rm -rf /srv/outbound; echo x > /srv/forged.json")
    assert out.count("Permission denied") == 4, out
    assert sb.snapshot()["/srv/outbound/001-001-mail.json"] == b'{"to": "a@b.c"}'
    assert "/srv/forged.json" not in sb.snapshot()


def test_the_agent_cannot_kill_the_keeper_or_the_service_shell(docker_api, sb):
    r = sb.exec("kill -9 -1; sleep 1; echo survived")
    assert r.exit_code is None  # it took the agent's shell with it, which is reopened
    assert inspect(docker_api, sb)["State"]["Running"]
    assert sb.snapshot()["/srv/outbound/001-001-mail.json"] == b'{"to": "a@b.c"}'
    assert run(sb, "echo fine").strip() == "fine"
    assert sb.restarts == 0


def test_pid_limit_contains_a_fork_bomb_and_the_env_recovers(docker_api):
    env = gym.make(
        "mosaic/FileOps-v0",
        backend="docker",
        pids=64,
        spares=0,
        command_timeout=3,
        labels=TEST_LABELS,
    )
    try:
        env.reset(seed=0, options={"task_id": TASK})
        sb = env.unwrapped.sandbox
        assert inspect(docker_api, sb)["HostConfig"]["PidsLimit"] == 64
        t0 = time.monotonic()
        obs = shell(env, "f(){ f|f& }; f; sleep 5")
        assert time.monotonic() - t0 < 10
        assert "can't fork" in obs or "timed out" in obs
        obs = shell(env, "echo alive; ls /proc | grep -c '^[0-9]'")
        alive, count = obs.split("\n")[1:3]
        assert alive == "alive" and int(count) < 12, obs
        assert oracle_is_right(env)
    finally:
        env.close()


def test_memory_limit_kills_a_hog_the_env_says_so_and_recovers(docker_api):
    env = gym.make(
        "mosaic/FileOps-v0", backend="docker", memory_mb=256, spares=0, labels=TEST_LABELS
    )
    try:
        env.reset(seed=0, options={"task_id": TASK})
        sb = env.unwrapped.sandbox
        assert inspect(docker_api, sb)["HostConfig"]["Memory"] == 256 << 20
        before = sb.snapshot()
        obs = shell(env, "dd if=/dev/zero of=/dev/null bs=400M count=1")
        assert "[killed: the sandbox ran out of memory]" in obs, obs
        assert "alive" in shell(env, "echo alive")
        assert sb.snapshot() == before and sb.restarts == 0
        assert oracle_is_right(env)
    finally:
        env.close()


def test_cpu_limit_holds(docker_api):
    s = DockerSandbox(labels=TEST_LABELS, spares=0, cpus=0.5)
    try:
        s.restore({})
        assert inspect(docker_api, s)["HostConfig"]["NanoCpus"] == 500_000_000
        # cgroup v1 counts nanoseconds, v2 microseconds
        v1 = "/sys/fs/cgroup/cpuacct/cpuacct.usage"
        usage = f"if [ -r {v1} ]; then echo $(cat {v1}) 1e9; else echo $(sed -n 's/^usage_usec //p' /sys/fs/cgroup/cpu.stat) 1e6; fi"
        out = run(
            s, f"{usage}; timeout 2 sh -c 'while :; do :; done & while :; do :; done'; {usage}"
        )
        a, unit = out.split()[:2]
        b = out.split()[-2]
        used = (int(b) - int(a)) / float(unit)
        assert 0 < used <= 0.5 * 2 * 1.3, f"{used:.2f} s of CPU in 2 s under a 0.5 CPU limit"
    finally:
        s.close()


def test_endless_command_times_out_within_the_limit(docker_api):
    env = gym.make(
        "mosaic/FileOps-v0", backend="docker", command_timeout=1, spares=0, labels=TEST_LABELS
    )
    try:
        env.reset(seed=0, options={"task_id": TASK})
        t0 = time.monotonic()
        obs = shell(env, "sleep 100 & while :; do :; done")
        took = time.monotonic() - t0
        assert "[timed out after 1 s: the command and everything it started were stopped]" in obs
        assert took < 3.0, took
        assert "sleep" not in shell(env, "ps")
    finally:
        env.close()


def test_huge_output_is_cut_in_the_sandbox_to_the_budget(docker_api):
    env = gym.make(
        "mosaic/FileOps-v0", backend="docker", output_budget=1024, spares=0, labels=TEST_LABELS
    )
    try:
        env.reset(seed=0, options={"task_id": TASK})
        t0 = time.monotonic()
        obs = shell(env, "yes 0123456789 | head -c 10000000")
        assert time.monotonic() - t0 < 3.0
        body = obs.removeprefix("<tool_response>\n").removesuffix("\n</tool_response>")
        assert len(body.encode()) <= 1024
        assert "[output truncated: showing " in body and " of 10000000 bytes]" in body
        assert body.endswith("[exit code 0]")
    finally:
        env.close()


def test_init_reaps_orphans(sb):
    assert run(sb, "cat /proc/1/cmdline | tr '\\0' ' '").startswith("/sbin/docker-init")
    for _ in range(30):
        sb.exec("sleep 0 & true")
    states = run(sb, "cat /proc/[0-9]*/stat | cut -d')' -f2 | cut -c2")
    assert "Z" not in states.split(), states


def test_memory_limit_must_cover_the_tmpfs_mounts():
    with pytest.raises(ValueError, match="count against the memory limit"):
        DockerOptions(memory_mb=128)
    with pytest.raises(ValueError, match="extra"):
        DockerOptions(unknown_option=1)


def test_stopping_its_own_shell_costs_the_agent_only_that_command(docker_api):
    s = DockerSandbox(labels=TEST_LABELS, spares=0, command_timeout=1)
    try:
        s.restore({f"{HOME}/a": b"1"})
        t0 = time.monotonic()
        r = s.exec("kill -STOP $PPID; echo stopped it")
        assert time.monotonic() - t0 < 1 + 5 + 3
        assert r.exit_code is None and b"stopped it" in r.output
        assert run(s, "echo fine; cat ~/a") == "fine\n1"
        assert s.restarts == 0
    finally:
        s.close()
