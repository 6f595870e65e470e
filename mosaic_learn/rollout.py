"""Rollouts: a policy playing many episodes at once over a gymnasium vector env.

A :class:`Job` names one episode to play (env id, task family, seed, and which of the G
rollouts of that task and seed it is). :class:`RolloutRunner` keeps ``num_envs`` episodes in
flight in a ``SyncVectorEnv`` or ``AsyncVectorEnv`` (local or docker backend): every turn, one
batched generation for all live episodes, one vector step; a finished slot is reset straight
away to the next job (``reset_mask``), so the batch stays full.

With a token policy (:class:`~mosaic_learn.policy.HFPolicy`) each episode is one token stream:
the prompt's ids, then the model's own generated ids (never re-tokenized) interleaved with the
ids of the env's answers as the chat template renders them. The returned ``Episode`` carries it
in ``extra``:

``prompt_ids``        the initial prompt (system, tools, task, generation prompt)
``completion_ids``    everything after it
``completion_mask``   1 where the model generated the token, 0 where the env (or the runner)
                      supplied it: tool outputs, turn headers, and the template's end-of-turn
                      token when the model's turn ended any other way (cut off by
                      ``max_new_tokens``, or another stop token)
``logprobs``          the sampling log-probability of each completion token (0.0 where masked)
``generated_tokens``  how many tokens the model generated
``stopped``           ``None``, or ``"token_budget"`` when the episode's token budget ran out
``job``               the :class:`Job` as a dict (how output files resume)

An episode whose token budget runs out is closed with a fixed final answer
(:data:`BUDGET_STOP_ANSWER`), so the env still scores the state it left.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

import mosaic_gym  # noqa: F401 - registers the ids
from mosaic_gym.domains import domain_for_env_id
from mosaic_gym.domains import load as load_domain
from mosaic_gym.records import Episode, JsonlWriter, read_jsonl
from mosaic_gym.tasks.base import KINDS, families_of

log = logging.getLogger(__name__)

BUDGET_STOP_ANSWER = "(stopped: the episode's token budget is spent)"
_IDLE_ACTION = "idle"  # what a slot with no job left is stepped with; its results are ignored


@dataclass(frozen=True)
class Job:
    """One episode to play: the task family and seed, and its index within a group."""

    env_id: str
    task_id: str
    seed: int
    index: int = 0

    @property
    def key(self) -> str:
        return f"{self.env_id}|{self.task_id}|{self.seed}|{self.index}"

    @property
    def kind(self) -> str:
        """The task family's kind (benign, harmful, injection, privacy), from the registry."""
        domain = load_domain(domain_for_env_id(self.env_id)).name
        return families_of(domain)[self.task_id].kind

    @classmethod
    def of(cls, episode: Episode) -> Job:
        """The job an episode played (from ``extra["job"]``, else from its own fields)."""
        j = episode.extra.get("job")
        if j:
            return cls(**j)
        return cls(episode.env_id, episode.task_id, episode.seed, 0)


def families_for(
    env_id: str, split: str = "train", kinds: Sequence[str] | None = None
) -> list[str]:
    """Ids of the registered task families of ``env_id`` in ``split`` ("train", "test" or
    "all") and ``kinds``, sorted."""
    if split not in ("train", "test", "all"):
        raise ValueError(f"split must be train, test or all, got {split!r}")
    kinds = list(kinds or KINDS)
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise ValueError(f"unknown kinds {bad}; use a subset of {list(KINDS)}")
    domain = load_domain(domain_for_env_id(env_id)).name  # importing the domain registers families
    return sorted(
        f.id
        for f in families_of(domain).values()
        if f.kind in kinds and (split == "all" or f.split == split)
    )


def make_jobs(
    env_ids: Sequence[str],
    seeds: Iterable[int],
    *,
    split: str = "train",
    kinds: Sequence[str] | None = None,
    group_size: int = 1,
) -> list[Job]:
    """Every family of ``env_ids`` in ``split``/``kinds`` × ``seeds`` × ``group_size`` rollouts
    (a group's rollouts are adjacent)."""
    if group_size < 1:
        raise ValueError("group_size must be at least 1")
    seeds = list(seeds)
    jobs = [
        Job(env_id, fid, s, g)
        for env_id in env_ids
        for fid in families_for(env_id, split, kinds)
        for s in seeds
        for g in range(group_size)
    ]
    if not jobs:
        raise ValueError(f"no task family of {list(env_ids)} matches split={split!r} kinds={kinds}")
    return jobs


@dataclass
class _Slot:
    job: Job
    tools: list[dict[str, Any]]
    n_messages: int
    messages: list[dict[str, Any]] = field(default_factory=list)
    prompt_ids: list[int] = field(default_factory=list)
    completion_ids: list[int] = field(default_factory=list)
    mask: list[int] = field(default_factory=list)
    logprobs: list[float] = field(default_factory=list)
    unfinished_turns: int = 0
    stopping: bool = False

    @property
    def stream(self) -> list[int]:
        return self.prompt_ids + self.completion_ids

    def add(
        self, ids: Sequence[int], generated: bool, logprobs: Sequence[float] | None = None
    ) -> None:
        self.completion_ids.extend(ids)
        self.mask.extend([1 if generated else 0] * len(ids))
        self.logprobs.extend(logprobs if logprobs is not None else [0.0] * len(ids))


def _at(info: dict[str, Any], key: str, i: int) -> Any:
    """Sub-env ``i``'s value of ``key`` in a vector env's stacked info (None if it set none)."""
    if key not in info or not info.get(f"_{key}", np.ones(i + 1, bool))[i]:
        return None
    return info[key][i]


class RolloutRunner:
    """Plays jobs with a policy over one vector env per env id (see the module docstring).

    ``vectorization`` is ``"sync"`` or ``"async"`` (sub-envs in worker processes; worth it with
    the docker backend). ``max_episode_tokens`` caps an episode's completion (model and tool
    tokens together) for token policies.
    """

    def __init__(
        self,
        policy: Any,
        *,
        num_envs: int = 8,
        vectorization: str = "sync",
        backend: str = "local",
        max_steps: int = 15,
        max_episode_tokens: int = 4096,
        env_kwargs: dict[str, Any] | None = None,
    ) -> None:
        if num_envs < 1:
            raise ValueError("num_envs must be at least 1")
        if vectorization not in ("sync", "async"):
            raise ValueError(f"vectorization must be 'sync' or 'async', got {vectorization!r}")
        if max_episode_tokens < 16:
            raise ValueError("max_episode_tokens must be at least 16")
        self.policy = policy
        self.tokens = hasattr(policy, "generate") and hasattr(policy, "prompt_ids")
        if not self.tokens and not hasattr(policy, "respond"):
            raise TypeError(
                f"{type(policy).__name__} can drive no batch of envs: it needs generate()/prompt_ids() "
                "(a token policy such as HFPolicy) or respond() (such as EndpointPolicy)"
            )
        self.num_envs = num_envs
        self.vectorization = vectorization
        self.backend = backend
        self.max_steps = max_steps
        self.max_episode_tokens = max_episode_tokens
        self.env_kwargs = dict(env_kwargs or {})
        self._vecs: dict[str, gym.vector.VectorEnv] = {}
        self.stats = {"generated_tokens": 0, "generate_s": 0.0, "env_s": 0.0, "episodes": 0}

    # -- envs --------------------------------------------------------------------------------------
    def _vector(self, env_id: str) -> gym.vector.VectorEnv:
        if env_id not in self._vecs:
            kwargs = {
                "split": "all",
                "backend": self.backend,
                "max_steps": self.max_steps,
                **self.env_kwargs,
            }

            def make() -> gym.Env:
                return gym.make(env_id, **kwargs)

            fns = [make] * self.num_envs
            mode = gym.vector.AutoresetMode.NEXT_STEP
            vec = (
                gym.vector.SyncVectorEnv(fns, autoreset_mode=mode)
                if self.vectorization == "sync"
                else gym.vector.AsyncVectorEnv(fns, autoreset_mode=mode)
            )
            vec.reset(seed=list(range(self.num_envs)))
            self._vecs[env_id] = vec
        return self._vecs[env_id]

    def close(self) -> None:
        for vec in self._vecs.values():
            vec.close()
        self._vecs.clear()

    def __enter__(self) -> RolloutRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self, vec: gym.vector.VectorEnv, i: int, job: Job) -> _Slot:
        mask = np.zeros(self.num_envs, dtype=bool)
        mask[i] = True
        seeds: list[int | None] = [None] * self.num_envs
        seeds[i] = job.seed
        _, info = vec.reset(seed=seeds, options={"task_id": job.task_id, "reset_mask": mask})
        messages = list(_at(info, "messages", i))
        tools = list(_at(info, "tools", i))
        slot = _Slot(job=job, tools=tools, n_messages=len(messages), messages=messages)
        if self.tokens:
            slot.prompt_ids = self.policy.prompt_ids(messages, tools)
        return slot

    # -- the loop ----------------------------------------------------------------------------------
    def run(
        self, jobs: Sequence[Job], *, progress: bool = False, desc: str = "rollouts"
    ) -> Iterator[Episode]:
        """Play every job; yield each Episode as it finishes (not in job order)."""
        by_env: dict[str, list[Job]] = {}
        for j in jobs:
            by_env.setdefault(j.env_id, []).append(j)
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(jobs), desc=desc, unit="ep", dynamic_ncols=True)
        try:
            for env_id, env_jobs in by_env.items():
                for ep in self._run_env(env_id, env_jobs):
                    self.stats["episodes"] += 1
                    if bar is not None:
                        bar.update(1)
                        gs = self.stats["generate_s"]
                        if gs > 0:
                            bar.set_postfix(gen_tok_s=f"{self.stats['generated_tokens'] / gs:.0f}")
                    yield ep
        finally:
            if bar is not None:
                bar.close()

    def _run_env(self, env_id: str, jobs: Sequence[Job]) -> Iterator[Episode]:
        vec = self._vector(env_id)
        pending = deque(jobs)
        slots: list[_Slot | None] = [None] * self.num_envs
        for i in range(self.num_envs):
            if pending:
                slots[i] = self._start(vec, i, pending.popleft())
        while any(s is not None for s in slots):
            actions = [_IDLE_ACTION] * self.num_envs
            live = [i for i, s in enumerate(slots) if s is not None and not s.stopping]
            for i, text in zip(live, self._act([slots[i] for i in live]), strict=True):  # type: ignore[misc]
                actions[i] = text
            for i, s in enumerate(slots):
                if s is not None and s.stopping:
                    actions[i] = BUDGET_STOP_ANSWER
            t0 = time.perf_counter()
            _, _, term, trunc, info = vec.step(actions)
            self.stats["env_s"] += time.perf_counter() - t0
            for i, s in enumerate(slots):
                if s is None:
                    continue
                if term[i] or trunc[i]:
                    yield self._finish(s, _at(info, "episode", i))
                    slots[i] = self._start(vec, i, pending.popleft()) if pending else None
                else:
                    self._continue(s, list(_at(info, "messages", i)))

    def _act(self, live: list[_Slot]) -> list[str]:
        if not live:
            return []
        t0 = time.perf_counter()
        if not self.tokens:
            texts = self.policy.respond([(s.messages, s.tools) for s in live])
            self.stats["generate_s"] += time.perf_counter() - t0
            return texts
        caps = [
            max(
                1,
                min(
                    self.policy.sampling.max_new_tokens,
                    self.max_episode_tokens - len(s.completion_ids),
                ),
            )
            for s in live
        ]
        gens = self.policy.generate([s.stream for s in live], caps)
        self.stats["generate_s"] += time.perf_counter() - t0
        for s, g in zip(live, gens, strict=True):
            s.add(g.ids, True, g.logprobs)
            s.unfinished_turns += not g.finished
            self.stats["generated_tokens"] += len(g.ids)
        return [g.text for g in gens]

    def _continue(self, s: _Slot, messages: list[dict[str, Any]]) -> None:
        n_new = len(messages) - s.n_messages - 1  # the env's answer, after the model's turn
        s.messages, s.n_messages = messages, len(messages)
        if not self.tokens:
            return
        if s.completion_ids[-1:] != [
            self.policy.turn_end_id
        ]:  # close the turn as the template would
            s.add([self.policy.turn_end_id], False)
        s.add(self.policy.suffix_ids(messages, n_new, s.tools), False)
        if len(s.completion_ids) >= self.max_episode_tokens:
            s.stopping = True

    def _finish(self, s: _Slot, episode: Episode | None) -> Episode:
        if episode is None:
            raise RuntimeError(f"the env ended {s.job.key} without an Episode record in info")
        episode = episode.model_copy(deep=True)
        episode.policy = getattr(self.policy, "name", None)
        extra: dict[str, Any] = {
            "job": asdict(s.job),
            "stopped": "token_budget" if s.stopping else None,
        }
        if self.tokens:
            extra.update(
                prompt_ids=s.prompt_ids,
                completion_ids=s.completion_ids,
                completion_mask=s.mask,
                logprobs=s.logprobs,
                generated_tokens=sum(s.mask),
                unfinished_turns=s.unfinished_turns,
            )
        episode.extra.update(extra)
        return episode


def run_to_file(
    runner: RolloutRunner, jobs: Sequence[Job], path: str | Path, *, progress: bool = True
) -> tuple[int, int]:
    """Play the jobs not yet in ``path`` and append their episodes to it, one flushed line each.

    Returns ``(played, skipped)``: a rerun after a crash plays only the missing jobs.
    """
    path = Path(path)
    done: set[str] = set()
    if path.exists():
        done = {Job.of(ep).key for ep in read_jsonl(path)}
    todo = [j for j in jobs if j.key not in done]
    with JsonlWriter(path) as out:
        for ep in runner.run(todo, progress=progress):
            out.write(ep)
    return len(todo), len(jobs) - len(todo)
