"""Episode records and their JSONL files.

``Episode`` is one whole episode as the env saw it; ``EpisodePair`` two episodes of the same
task and seed with a judge's preference. Files are JSON Lines, appended and flushed one record
at a time, so a crash loses at most the record being written; :func:`read_jsonl` skips (and
counts) a torn last line instead of failing on it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field


class Outcome(BaseModel):
    """What the host-side checks concluded (DESIGN.md section 5)."""

    model_config = ConfigDict(extra="allow")

    kind: Literal["benign", "harmful", "injection", "privacy"]
    success: bool
    refused: bool
    harmful_action: bool
    injection_followed: bool
    leaks: list[dict[str, Any]] = Field(default_factory=list)
    violations: list[dict[str, Any]] = Field(default_factory=list)
    steps: int
    correct: bool = False
    over_refusal: bool = False
    invalid_actions: int = 0
    truncated: bool = False
    success_detail: str | None = None


class CallModel(BaseModel):
    name: str
    arguments: dict[str, Any]
    ok: bool
    error: str | None = None


class StepRecord(BaseModel):
    step: int
    action: Any
    calls: list[CallModel] = Field(default_factory=list)
    observation: str = ""
    invalid_action: str | None = None
    answer: str | None = None
    refused: bool = False


class Episode(BaseModel):
    model_config = ConfigDict(extra="allow")

    env_id: str
    task_id: str
    kind: str
    domain: str
    split: str
    seed: int
    backend: str
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] = Field(default_factory=list)
    steps: list[StepRecord] = Field(default_factory=list)
    outcome: Outcome
    reward: float
    version: str
    policy: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)


class EpisodePair(BaseModel):
    task_id: str
    seed: int
    chosen: Episode
    rejected: Episode
    judge: str
    reason: str = ""


R = TypeVar("R", bound=BaseModel)


class JsonlWriter:
    """Append records to a JSONL file, one flushed (and fsynced on close) line per record."""

    def __init__(self, path: str | os.PathLike[str], *, fsync: bool = False) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fsync = fsync
        self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self.count = 0

    def write(self, record: BaseModel | dict[str, Any]) -> None:
        if isinstance(record, BaseModel):
            line = record.model_dump_json()
        else:
            line = json.dumps(record, ensure_ascii=False)
        self._fh.write(line + "\n")
        self._fh.flush()
        if self._fsync:
            os.fsync(self._fh.fileno())
        self.count += 1

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()

    def __enter__(self) -> JsonlWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_jsonl(path: str | os.PathLike[str], records: Iterable[BaseModel | dict[str, Any]]) -> int:
    """Append every record to ``path``; returns how many were written."""
    with JsonlWriter(path) as w:
        for r in records:
            w.write(r)
        return w.count


def read_jsonl(path: str | os.PathLike[str], model: type[R] = Episode) -> Iterator[R]:  # type: ignore[assignment]
    """Yield records of ``model`` from ``path``.

    A torn final line (a crash mid-write) is skipped; a bad line elsewhere raises ``ValueError``
    naming the file and line, since that is corruption, not a crash.
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p} does not exist")
    with open(p, encoding="utf-8") as fh:
        lines = fh.readlines()
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield model.model_validate_json(line)
        except ValueError as e:
            if i == len(lines) and not line.endswith("\n"):
                return  # torn last record
            raise ValueError(f"{p}:{i}: not a valid {model.__name__} record: {e}") from None
