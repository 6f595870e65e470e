"""The one Env class. A domain (tools + task families) only configures it.

One ``step`` takes what the model wrote in one turn (DESIGN.md section 4), runs its tool calls
against the sandbox, and answers with the tool responses. The episode ends on ``refuse``, on a
turn with no tool call (the final answer), or at ``max_steps`` (truncated). At the end the
host-side checks read a snapshot of the world and the trace and fill ``info["outcome"]`` and
``info["episode"]``. Malformed input never raises: it becomes an observation explaining the
problem, with ``info["invalid_action"]`` set.
"""

from __future__ import annotations

import json
import logging
import random
import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import gymnasium as gym

from . import __version__
from .checks import default_reward, evaluate
from .domains import load as load_domain
from .evidence import CallRecord, Evidence
from .prompts import SYSTEM_PROMPT
from .protocol import FORMAT_HINT, MAX_ACTION_CHARS, parse_turn
from .records import CallModel, Episode, Outcome, StepRecord
from .sandbox import SandboxError, make_sandbox
from .spaces import UnicodeText
from .tasks.base import KINDS, SPLITS, TaskFamily, TaskInstance
from .tools.base import DEFAULT_OUTPUT_BUDGET, Tool, ToolContext, ToolError, truncate_output
from .tools.common import refuse

log = logging.getLogger(__name__)

MAX_OBS_CHARS = 65_536
RESET_OPTIONS = {"task_id", "attack"}


def _jsonable(x: Any) -> Any:
    """A JSON-safe copy of an arbitrary action (so any input can be recorded)."""
    try:
        return json.loads(json.dumps(x, ensure_ascii=False, allow_nan=False))
    except (TypeError, ValueError, RecursionError):
        return repr(x)[:MAX_ACTION_CHARS]


def _wrap(outputs: Iterable[str]) -> str:
    return "\n".join(f"<tool_response>\n{o}\n</tool_response>" for o in outputs)


class MosaicEnv(gym.Env[str, str]):
    """A multi-step tool-use task in a sandbox; see the module docstring and DESIGN.md."""

    metadata = {"render_modes": ["ansi"], "render_fps": 1}

    def __init__(
        self,
        domain: str = "fileops",
        backend: str = "local",
        split: str = "train",
        kinds: Sequence[str] | str | None = None,
        max_steps: int = 15,
        render_mode: str | None = None,
        reward_fn: Callable[[dict[str, Any]], float] | None = None,
        output_budget: int = DEFAULT_OUTPUT_BUDGET,
        families: Sequence[str] | None = None,
        system_prompt: str = SYSTEM_PROMPT,
        **backend_options: Any,
    ) -> None:
        if split not in SPLITS and split != "all":
            raise ValueError(f"split must be 'train', 'test' or 'all', got {split!r}")
        if isinstance(kinds, str):
            kinds = [kinds]
        kinds = tuple(kinds) if kinds is not None else KINDS
        bad = [k for k in kinds if k not in KINDS]
        if bad or not kinds:
            raise ValueError(f"kinds must be a non-empty subset of {list(KINDS)}, got {list(kinds)}")
        if not isinstance(max_steps, int) or max_steps < 1:
            raise ValueError(f"max_steps must be a positive int, got {max_steps!r}")
        if render_mode not in (None, "ansi"):
            raise ValueError(f"render_mode must be 'ansi' or None, got {render_mode!r}")
        if reward_fn is not None and not callable(reward_fn):
            raise TypeError("reward_fn must be a callable taking the outcome dict")
        if not isinstance(output_budget, int) or output_budget < 256:
            raise ValueError("output_budget must be an int of at least 256 bytes")

        self.domain = load_domain(domain)
        from .tasks.base import families_of  # noqa: PLC0415 - after the domain registered them

        self._domain_families = families_of(self.domain.name)
        selected = [
            f
            for f in self._domain_families.values()
            if (split == "all" or f.split == split) and f.kind in kinds
        ]
        if families is not None:
            unknown = [f for f in families if f not in self._domain_families]
            if unknown:
                raise ValueError(f"unknown task families {unknown}; see `mosaic-gym list`")
            selected = [f for f in selected if f.id in set(families)]
        if not selected:
            raise ValueError(
                f"no {self.domain.name} task family matches split={split!r} kinds={list(kinds)}"
            )
        self.families: list[TaskFamily] = sorted(selected, key=lambda f: f.id)
        self.backend = backend
        self.split = split
        self.kinds = kinds
        self.max_steps = max_steps
        self.render_mode = render_mode
        self.reward_fn = reward_fn or default_reward
        self.output_budget = output_budget
        self.system_prompt = system_prompt

        tools: list[Tool] = [t for t in self.domain.tools if backend in t.backends]
        self.tools: dict[str, Tool] = {t.name: t for t in tools}
        self.tools[refuse.name] = refuse
        self.tool_schemas = [t.schema for t in self.tools.values()]

        self.observation_space = UnicodeText(MAX_OBS_CHARS)
        self.action_space = UnicodeText(MAX_ACTION_CHARS)

        self.sandbox = make_sandbox(backend, **backend_options)
        self._finalizer = weakref.finalize(self, self.sandbox.close)
        self.task: TaskInstance | None = None
        self._done = False

    # -- gymnasium API -------------------------------------------------------------------------
    @property
    def env_id(self) -> str:
        return self.domain.env_id

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[str, dict[str, Any]]:
        super().reset(seed=seed)
        options = dict(options or {})
        unknown = set(options) - RESET_OPTIONS
        if unknown:
            raise ValueError(f"unknown reset options {sorted(unknown)}; known: {sorted(RESET_OPTIONS)}")
        if seed is None:
            seed = int(self.np_random.integers(0, 2**31 - 1))
        elif not isinstance(seed, int) or isinstance(seed, bool):
            raise TypeError(f"seed must be an int, got {type(seed).__name__}")
        task_id = options.pop("task_id", None)
        if task_id is not None:
            fam = self._domain_families.get(task_id)
            if fam is None:
                close = [f for f in self._domain_families if str(task_id) in f]
                hint = f" (did you mean {close[:3]}?)" if close else "; see `mosaic-gym list`"
                raise ValueError(f"unknown task_id {task_id!r} for {self.env_id}{hint}")
        else:
            fam = self.families[random.Random(f"select:{seed}").randrange(len(self.families))]

        self.task = fam.build(seed, options)
        self.sandbox.restore(self.task.files, self.task.dirs)
        self._seed = seed
        self._steps = 0
        self._done = False
        self._trace: list[CallRecord] = []
        self._records: list[StepRecord] = []
        self._invalid = 0
        self._answer: str | None = None
        self._said: list[tuple[int, str]] = []
        self._refused = False
        self._refusal_reason: str | None = None
        self._refusal_step: int | None = None
        self._messages: list[dict[str, Any]] = [
            {"role": "system", "content": self.system_prompt},
            {"role": "user", "content": self.task.prompt},
        ]
        self._ctx = ToolContext(
            sandbox=self.sandbox, step=0, backend=self.backend,
            extras={"output_budget": self.output_budget},
        )
        return self.task.prompt, self._info()

    def step(self, action: Any) -> tuple[str, float, bool, bool, dict[str, Any]]:
        if self.task is None:
            raise RuntimeError("call reset() before step()")
        if self._done:
            info = self._info()
            info["invalid_action"] = "the episode is over; call reset() to start a new one"
            return _wrap([info["invalid_action"]]), 0.0, True, False, info
        self._steps += 1
        self._ctx.step = self._steps
        turn = parse_turn(action)
        if turn.said:
            self._said.append((self._steps, turn.said))
        errors = list(turn.errors)
        validated: list[tuple[Tool, dict[str, Any]]] = []
        for i, call in enumerate(turn.calls, 1):
            t = self.tools.get(call.name)
            if t is None:
                errors.append(
                    f"tool call {i}: unknown tool {call.name!r}; available: {', '.join(self.tools)}"
                )
                continue
            try:
                validated.append((t, t.validate(call.arguments)))
            except ValueError as e:
                errors.append(f"tool call {i}: {e}")

        assistant: dict[str, Any] = {"role": "assistant", "content": turn.content}
        if turn.calls:
            assistant["tool_calls"] = [
                {"type": "function", "function": {"name": c.name, "arguments": _jsonable(c.arguments)}}
                for c in turn.calls
            ]
        self._messages.append(assistant)
        record = StepRecord(step=self._steps, action=_jsonable(action))
        terminated = False
        info_invalid: str | None = None

        if errors:
            # nothing runs when any part of the turn is malformed: the model fixes and resends
            self._invalid += 1
            info_invalid = "; ".join(errors)
            text = "error: " + info_invalid + "\n" + FORMAT_HINT
            text = truncate_output(text, self.output_budget)
            self._messages.append({"role": "tool", "name": "invalid_action", "content": text})
            obs = _wrap([text])
            record.invalid_action = info_invalid
        elif validated:
            outputs = []
            for idx, (t, args) in enumerate(validated):
                if t.name == refuse.name:
                    self._refused = True
                    self._refusal_reason = args["reason"]
                    self._refusal_step = self._steps
                    out = refuse(self._ctx, **args)
                    self._trace.append(CallRecord(self._steps, t.name, args, True, out))
                    record.calls.append(CallModel(name=t.name, arguments=args, ok=True))
                    skipped = len(validated) - idx - 1
                    if skipped:
                        out += f" ({skipped} later call(s) in this turn were not run)"
                    self._messages.append({"role": "tool", "name": t.name, "content": out})
                    outputs.append(out)
                    terminated = True
                    break
                out, ok, err = self._run_tool(t, args)
                out = truncate_output(out, self.output_budget)
                self._trace.append(CallRecord(self._steps, t.name, args, ok, out, err))
                record.calls.append(CallModel(name=t.name, arguments=args, ok=ok, error=err))
                self._messages.append({"role": "tool", "name": t.name, "content": out})
                outputs.append(out)
            obs = _wrap(outputs)
            record.refused = self._refused
        else:
            self._answer = turn.answer
            record.answer = turn.answer
            obs = ""
            terminated = True

        if len(obs) > MAX_OBS_CHARS:
            obs = obs[: MAX_OBS_CHARS - 40] + "\n[observation truncated]"
        record.observation = obs
        self._records.append(record)
        truncated = not terminated and self._steps >= self.max_steps
        reward = 0.0
        info = self._info()
        if info_invalid is not None:
            info["invalid_action"] = info_invalid
        if terminated or truncated:
            self._done = True
            outcome, episode = self._finish(truncated)
            reward = float(episode.reward)
            info["outcome"] = outcome
            info["episode"] = episode
        return obs, reward, terminated, truncated, info

    def render(self) -> str | None:
        if self.render_mode != "ansi":
            return None
        return render_messages(self._messages if self.task is not None else [])

    def close(self) -> None:
        self._finalizer()
        super().close()

    # -- internals -----------------------------------------------------------------------------
    def _run_tool(self, t: Tool, args: dict[str, Any]) -> tuple[str, bool, str | None]:
        try:
            return str(t(self._ctx, **args)), True, None
        except (ToolError, SandboxError) as e:
            return f"error: {e}", False, str(e)
        except Exception as e:  # noqa: BLE001 - a tool bug must not end the episode
            log.exception("tool %s failed", t.name)
            msg = f"internal error in tool {t.name} ({type(e).__name__})"
            return f"error: {msg}", False, msg

    def _info(self) -> dict[str, Any]:
        assert self.task is not None
        return {
            "env_id": self.env_id,
            "task_id": self.task.task_id,
            "kind": self.task.kind,
            "domain": self.domain.name,
            "split": self.task.family.split,
            "seed": self._seed,
            "step": self._steps,
            "tools": self.tool_schemas,
            "messages": list(self._messages),
        }

    def evidence(self) -> Evidence:
        """The evidence the checks read: a snapshot of the world now, and the trace so far."""
        assert self.task is not None
        return Evidence(
            before=self.task.files,
            after=self.sandbox.snapshot(),
            trace=list(self._trace),
            answer=self._answer,
            said=list(self._said),
            refused=self._refused,
            refusal_reason=self._refusal_reason,
            refusal_step=self._refusal_step,
            steps=self._steps,
            home=self.sandbox.home,
        )

    def _finish(self, truncated: bool) -> tuple[dict[str, Any], Episode]:
        assert self.task is not None
        outcome = evaluate(
            self.task, self.evidence(), invalid_actions=self._invalid, truncated=truncated
        )
        reward = float(self.reward_fn(outcome))
        episode = Episode(
            env_id=self.env_id,
            task_id=self.task.task_id,
            kind=self.task.kind,
            domain=self.domain.name,
            split=self.task.family.split,
            seed=self._seed,
            backend=self.backend,
            messages=list(self._messages),
            tools=self.tool_schemas,
            steps=self._records,
            outcome=Outcome(**outcome),
            reward=reward,
            version=__version__,
        )
        return outcome, episode


def render_messages(messages: Sequence[dict[str, Any]]) -> str:
    """The conversation as plain text, one block per message."""
    out = []
    for m in messages:
        role = m["role"] if m["role"] != "tool" else f"tool:{m.get('name', '')}"
        body = m.get("content") or ""
        for c in m.get("tool_calls", []):
            body += f"\n<tool_call>{json.dumps(c['function'], ensure_ascii=False)}</tool_call>"
        out.append(f"[{role}]\n{body.strip()}")
    return "\n\n".join(out) + "\n"
