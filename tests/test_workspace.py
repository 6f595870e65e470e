"""mosaic/Workspace-v0: its tools, its composed world and the per-seed world cache.

The families themselves are checked by ``test_selfcheck.py`` (oracle, comply, refuse on every
family) and by ``test_workspace_families.py`` (other routes to harm, near misses).
"""

from __future__ import annotations

import json

import gymnasium as gym
import pytest

import mosaic_gym  # noqa: F401
from mosaic_gym.domains import load
from mosaic_gym.tasks import worlds
from mosaic_gym.tasks.base import TaskRng, families_of, twin_id
from mosaic_gym.tasks.workspace import world
from mosaic_gym.tasks.workspace.goals import DOMAIN_OF
from mosaic_gym.tasks.workspace.injection import PLACEMENT_DOMAIN
from mosaic_gym.tools.files import FILE_TOOLS
from mosaic_gym.tools.mail import MAIL_TOOLS
from mosaic_gym.tools.vault import CREDENTIAL_TOOLS
from mosaic_gym.tools.web import WEB_TOOLS

D = "workspace"


@pytest.fixture(scope="module")
def env():
    e = gym.make("mosaic/Workspace-v0", split="all")
    yield e
    e.close()


def step(env, name, **arguments):
    obs, _, _, _, info = env.step({"name": name, "arguments": arguments})
    return obs, info


# -- the domain -----------------------------------------------------------------------------------
def test_every_tool_of_every_domain_once():
    tools = load(D).tools
    names = [t.name for t in tools]
    assert len(names) == len(set(names))
    for group in (FILE_TOOLS, MAIL_TOOLS, WEB_TOOLS, CREDENTIAL_TOOLS):
        assert {t.name for t in group} <= set(names)
    assert "shell" in names  # docker only: the env filters it by backend


def test_local_env_offers_no_shell(env):
    names = {t["function"]["name"] for t in env.unwrapped.tool_schemas}
    assert (
        "shell" not in names
        and {"send_email", "browse", "vault_get", "read_file", "refuse"} <= names
    )


def test_twelve_families_per_kind_a_quarter_in_test_and_twins_share_splits():
    fams = families_of(D)
    for kind in ("benign", "harmful", "injection", "privacy"):
        of_kind = [f for f in fams.values() if f.kind == kind]
        assert len(of_kind) >= 12, kind
        share = sum(f.split == "test" for f in of_kind) / len(of_kind)
        assert 0.2 <= share <= 0.35, (kind, share)
    for f in fams.values():
        if f.kind == "harmful":
            twin = fams[twin_id(f)]
            assert twin.kind == "benign" and twin.split == f.split


# -- the world --------------------------------------------------------------------------------------
def test_composed_world_has_every_domain():
    ws = world.build_workspace(TaskRng("w", world_seed=3))
    files = ws.home.files
    assert any(p.startswith("/home/user/.ssh/") for p in files)
    assert "/srv/mail/account.json" in files
    assert f"/srv/www/{ws.sites.intranet}/index.html" in files
    assert "/srv/vault/config.json" in files and ws.vault.entries
    # one home under all of them
    assert ws.mail.home is ws.home and ws.vault.home is ws.home
    names = [c.name for c in ws.home.canaries]
    assert len(names) == len(set(names)), "a canary is planted twice"


def test_same_seed_same_world_other_seed_other_world():
    a = world.build_workspace(TaskRng("a", world_seed=11))
    b = world.build_workspace(TaskRng("b", world_seed=11))
    c = world.build_workspace(TaskRng("c", world_seed=12))
    assert a.home.files == b.home.files
    assert a.home.files != c.home.files


def test_cached_copy_equals_a_cold_build():
    worlds.clear()
    cold = world.compose(TaskRng("workspace:21"))
    warm1 = world.build_workspace(TaskRng("x", world_seed=21))
    warm2 = world.build_workspace(TaskRng("y", world_seed=21))
    assert cold.home.files == warm1.home.files == warm2.home.files
    assert [c.name for c in cold.home.canaries] == [c.name for c in warm2.home.canaries]


def test_a_copy_shares_nothing_mutable_with_the_cache():
    a = world.build_workspace(TaskRng("a", world_seed=5))
    before = dict(a.home.files)
    a.home.put("~/new.txt", "x")
    a.home.add_canary("extra", "value-123456", "test")
    a.vault.set_notes("sso", "changed")
    a.vault.user_account("cloud").dashboard = "changed"
    a.mail.receive(a.mail.it, "hello", "body")
    next(iter(a.mail.messages.values())).body = "changed"
    a.sites.audit_entries.append("x")
    b = world.build_workspace(TaskRng("b", world_seed=5))
    assert b.home.files == before
    assert "extra" not in b.home.secret and len(b.home.canaries) == len(a.home.canaries) - 1
    assert (
        b.vault.entry("sso").notes != "changed"
        and b.vault.user_account("cloud").dashboard != "changed"
    )
    assert all(m.body != "changed" for m in b.mail.messages.values())
    assert b.sites.audit_entries[-1] != "x"
    assert b.mail.home is b.home and b.vault.home is b.home


def _shape(root, original_ids):
    """The object graph under ``root``: each mutable object numbered in the order met (a
    second reference shows as a reference), each shared value by identity. Fails if a mutable
    object of the original world is reachable from the copy."""
    seen: dict[int, int] = {}
    out: list = []

    def walk(o):
        t = type(o)
        if t in worlds._SHARED or worlds._shared(t):
            out.append(("shared", id(o)))
            return
        if id(o) in seen:
            out.append(("ref", seen[id(o)]))
            return
        assert id(o) not in original_ids, f"a {t.__name__} of the cached world is shared"
        seen[id(o)] = len(seen)
        out.append(("new", t.__name__))
        if t is set:
            out.append(("members", frozenset(o)))
            return
        items = enumerate(o) if t is list else (o.items() if t is dict else o.__dict__.items())
        for key, value in list(items):
            out.append(("at", key))
            walk(value)

    walk(root)
    return out


@pytest.mark.parametrize("seed", [0, 7])
def test_a_planned_copy_is_the_copy_clone_makes(seed):
    pristine = world.compose(TaskRng(f"workspace:{seed}"))
    plan = worlds.CopyPlan(pristine)
    original = {id(o) for o in plan.objects}
    assert _shape(plan.copy(), original) == _shape(worlds.clone(pristine), original)
    one, two = plan.copy(), plan.copy()
    assert not {id(o) for o in worlds.CopyPlan(one).objects} & {id(o) for o in worlds.CopyPlan(two).objects}


def test_a_copy_draws_new_mail_from_its_own_random_source():
    a = world.build_workspace(TaskRng("fam-a:0", world_seed=6))
    b = world.build_workspace(TaskRng("fam-a:0", world_seed=6))
    c = world.build_workspace(TaskRng("fam-b:0", world_seed=6))
    ma = a.mail.receive(a.mail.it, "s", "b")
    mb = b.mail.receive(b.mail.it, "s", "b")
    mc = c.mail.receive(c.mail.it, "s", "b")
    assert (ma.id, ma.date) == (mb.id, mb.date)
    assert a.mail.rng is not c.mail.rng and (ma.id, ma.date) != (mc.id, mc.date)


def test_without_an_episode_seed_the_world_is_built_from_the_random_source():
    a = world.build_workspace(TaskRng("plain:1"))
    b = world.build_workspace(TaskRng("plain:1"))
    assert a.home.files == b.home.files and a.home is not b.home


def test_family_instances_reproduce_in_any_order():
    fams = families_of(D)
    ids = sorted(fams)[:6]
    first = {fid: fams[fid]._build(4, None).files for fid in ids}
    worlds.clear()
    for fid in reversed(ids):
        assert fams[fid]._build(4, None).files == first[fid], fid


# -- the tools in the composed world -------------------------------------------------------------------
def test_a_cross_domain_job_by_hand(env):
    env.reset(seed=0, options={"task_id": "workspace.benign.invoice_to_finance"})
    ws = env.unwrapped.task.metadata["workspace"]
    obs, _ = step(env, "list_emails")
    assert "Invoice" in obs
    obs, _ = step(env, "vault_list")
    assert "vault entries" in obs
    obs, _ = step(env, "browse", url=f"https://{ws.sites.intranet}/people")
    assert ws.user.name in obs
    obs, _ = step(
        env,
        "send_email",
        to=ws.mail.finance.address,
        subject="hi",
        body="see attached",
        attachments=["~/notes/todo.md"],
    )
    assert "Sent e-mail" in obs
    snap = env.unwrapped.sandbox.snapshot()
    rec = [json.loads(v) for p, v in snap.items() if p.startswith("/srv/outbound/")]
    assert rec and rec[0]["attachments"][0]["content"].startswith("# TODO")


BAD_CALLS = [
    ("read_file", {"path": "/etc/passwd"}),
    ("read_email", {"email_id": 1}),
    ("read_email", {"email_id": "not a number"}),
    ("send_email", {"to": "not an address@", "subject": "s", "body": "b"}),
    (
        "send_email",
        {"to": "a@b.example", "subject": "s", "body": "b", "attachments": ["~/no-such-file"]},
    ),
    ("browse", {"url": "ftp://intranet/"}),
    ("browse", {"url": ""}),
    ("submit_form", {"url": "https://nowhere.example/form", "fields": {"a": "b"}}),
    ("download", {"url": "https://nowhere.example/x", "path": "~/x"}),
    ("vault_get", {"name": "no such entry"}),
    ("login", {"url": "not a url", "username": "u", "password": "p"}),
    ("reset_password", {"url": "https://nowhere.example/", "username": "u", "new_password": "p"}),
    (
        "account_settings",
        {"url": "https://nowhere.example/", "setting": "two_factor", "value": "off"},
    ),
    ("account_settings", {"url": "https://nowhere.example/", "setting": "bogus", "value": "off"}),
    ("delete", {"path": "~"}),
    ("list_emails", {"limit": 0}),
    ("no_such_tool", {}),
]


@pytest.mark.parametrize(
    ("name", "arguments"), BAD_CALLS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(BAD_CALLS)]
)
def test_bad_calls_come_back_as_errors(env, name, arguments):
    env.reset(seed=1, options={"task_id": "workspace.benign.send_price_list"})
    obs, _, term, trunc, info = env.step({"name": name, "arguments": arguments})
    assert "error" in obs
    assert not term and not trunc


def test_every_injection_goal_comes_from_another_domain_than_its_text():
    used = set()
    for fid, fam in families_of(D).items():
        if fam.kind != "injection":
            continue
        for seed in range(8):
            t = fam.build(seed)
            placement, goal = t.injection.placement, t.metadata["goal"]
            used.add(placement)
            assert DOMAIN_OF[goal] != PLACEMENT_DOMAIN[placement], (fid, seed, goal, placement)
    # pages, files, mail, vault, downloads, search results and form answers all carry injections
    assert {
        "file",
        "vault_note",
        "attachment",
        "download",
        "form_response",
        "search_result",
        "mail_search_result",
    } <= used
    assert used & {"page_body", "html_comment", "hidden_element"} and used & {
        "dashboard",
        "site_notice",
    }
