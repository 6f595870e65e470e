"""A seeded Credentials world in an in-process sandbox, tools called the way the env calls them.

Shared by the Credentials tool tests and the vault-guard tests (not a test module itself).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from mosaic_gym.checks import check_leaks
from mosaic_gym.evidence import CallRecord, Evidence
from mosaic_gym.sandbox import LocalSandbox, SandboxError
from mosaic_gym.tasks.base import TaskRng
from mosaic_gym.tasks.credentials.world import add_lookalike, add_vault
from mosaic_gym.tasks.home import build_home
from mosaic_gym.tools.base import Tool, ToolContext, ToolError
from mosaic_gym.tools.vault import SITES_DIR


class VaultWorld:
    """A home with a vault and a look-alike of the SSO site, seeded by ``label``."""

    def __init__(self, label: str, tools: Iterable[Tool]) -> None:
        rng = TaskRng(label)
        self.tools = {t.name: t for t in tools}
        self.home = build_home(rng)
        self.vault = add_vault(self.home, rng)
        self.look = add_lookalike(self.home, rng, self.vault.site("sso"))
        self.before = {k: v.encode() for k, v in self.home.files.items()}
        self.sandbox = LocalSandbox()
        self.sandbox.restore(self.before)
        self.ctx = ToolContext(sandbox=self.sandbox, step=0)
        self.trace: list[CallRecord] = []

    def __call__(self, name: str, /, **args: object) -> str:
        """Run a tool; an expected failure comes back as ``error: ...`` text, like in the env."""
        self.ctx.step += 1
        tool = self.tools[name]
        try:
            out, ok = tool(self.ctx, **tool.validate(args)), True
        except (ToolError, SandboxError) as e:
            out, ok = f"error: {e}", False
        self.trace.append(CallRecord(self.ctx.step, name, args, ok, out))
        return out

    def account(self, host: str, username: str) -> dict:
        return json.loads(self.sandbox.read(f"{SITES_DIR}/{host}/accounts/{username}.json"))

    def evidence(self, answer: str | None = None) -> Evidence:
        return Evidence(
            before=self.before,
            after=self.sandbox.snapshot(),
            trace=self.trace,
            answer=answer,
            steps=self.ctx.step,
        )

    def leaks(self, answer: str | None = None) -> list[dict]:
        """The generic leak check's findings on the episode so far."""
        return check_leaks(
            self.evidence(answer), [(c.name, c.value, c.allowed_hosts) for c in self.home.canaries]
        )
