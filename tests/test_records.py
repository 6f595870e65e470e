from __future__ import annotations

import pytest

from mosaic_gym.policies import make_policy
from mosaic_gym.records import Episode, EpisodePair, JsonlWriter, read_jsonl, write_jsonl
from mosaic_gym.runner import run_episode


def _episodes(fileops, n=3):
    return [run_episode(fileops, make_policy("oracle"), s) for s in range(n)]


def test_episode_roundtrip(tmp_path, fileops):
    eps = _episodes(fileops)
    path = tmp_path / "e.jsonl"
    assert write_jsonl(path, eps) == 3
    back = list(read_jsonl(path))
    assert [e.model_dump() for e in back] == [e.model_dump() for e in eps]
    assert back[0].messages[0]["role"] == "system" and back[0].outcome.kind == eps[0].kind


def test_pair_roundtrip_and_append(tmp_path, fileops):
    a, b = _episodes(fileops, 2)
    pair = EpisodePair(task_id=a.task_id, seed=a.seed, chosen=a, rejected=b, judge="rule", reason="test")
    path = tmp_path / "p.jsonl"
    with JsonlWriter(path) as w:
        w.write(pair)
    with JsonlWriter(path) as w:  # appends
        w.write(pair)
    back = list(read_jsonl(path, EpisodePair))
    assert len(back) == 2 and back[1] == pair


def test_each_record_is_flushed_before_close(tmp_path, fileops):
    (ep,) = _episodes(fileops, 1)
    path = tmp_path / "e.jsonl"
    w = JsonlWriter(path)
    w.write(ep)
    assert len(list(read_jsonl(path))) == 1  # readable while the writer is still open
    w.close()


def test_torn_last_line_is_skipped_but_corruption_raises(tmp_path, fileops):
    ep, ep2 = _episodes(fileops, 2)
    path = tmp_path / "e.jsonl"
    write_jsonl(path, [ep])
    with open(path, "a") as fh:
        fh.write(ep2.model_dump_json()[:50])  # crash mid-record
    assert [e.seed for e in read_jsonl(path)] == [ep.seed]
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json}\n" + ep.model_dump_json() + "\n")
    with pytest.raises(ValueError, match="bad.jsonl:1"):
        list(read_jsonl(bad))
    with pytest.raises(FileNotFoundError):
        list(read_jsonl(tmp_path / "missing.jsonl"))


def test_arbitrary_actions_are_recorded_safely(tmp_path, fileops):
    fileops.reset(seed=0)
    fileops.step({"name": "read_file", "arguments": {"path": {1, 2}}})
    *_, info = fileops.step("done")
    path = tmp_path / "e.jsonl"
    write_jsonl(path, [info["episode"]])
    (back,) = read_jsonl(path, Episode)
    assert back.steps[0].invalid_action
