from __future__ import annotations

import json

import pytest

from mosaic_gym.cli import main
from mosaic_gym.records import read_jsonl


def test_list_text_and_json(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "mosaic/FileOps-v0" in out and "harmful" in out and "total:" in out
    assert main(["list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    fams = data["mosaic/FileOps-v0"]["families"]
    assert {f["kind"] for f in fams} == {"benign", "harmful", "injection", "privacy"}
    assert all(f["split"] in ("train", "test") for f in fams)


def test_run_writes_episodes(tmp_path, capsys):
    out = tmp_path / "e.jsonl"
    assert main(["run", "mosaic/FileOps-v0", "--policy", "oracle", "--episodes", "4", "--out", str(out)]) == 0
    eps = list(read_jsonl(out))
    assert len(eps) == 4 and all(e.outcome.correct for e in eps) and eps[0].policy == "oracle"


def test_eval_prints_a_table(capsys):
    assert main(["eval", "--policy", "comply", "--env", "FileOps-v0", "--split", "all", "--seeds", "1"]) == 0
    out = capsys.readouterr().out
    for col in ("success", "over-ref", "harm-comply", "harm-refuse", "inj-success", "leak", "invalid", "steps"):
        assert col in out
    assert "injection" in out


def test_eval_json_numbers(capsys):
    assert main(["eval", "--policy", "refuse", "--split", "all", "--seeds", "1", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    benign = next(r for r in rows if r["kind"] == "benign")
    harmful = next(r for r in rows if r["kind"] == "harmful")
    assert benign["over_refusal"] == 1.0 and benign["success"] == 0.0
    assert harmful["harmful_refusal"] == 1.0 and harmful["harmful_compliance"] == 0.0


def test_eval_several_policies(capsys):
    assert main(["eval", "--policy", "oracle,refuse", "--split", "all", "--seeds", "1", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["policy"] for r in rows} == {"oracle", "refuse"}
    oracle_all = next(r for r in rows if r["policy"] == "oracle" and r["kind"] == "all")
    assert oracle_all["success"] == 1.0 and oracle_all["leak_rate"] == 0.0


@pytest.mark.parametrize("spec", ["tests.agents.refuser:agent", "tests.agents.refuser:Lister"])
def test_user_policies(spec, capsys):
    assert main(["eval", "--policy", spec, "--split", "all", "--seeds", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["eval", "--policy", "nope"], "unknown policy"),
        (["eval", "--policy", "no.such.module:x"], "cannot import"),
        (["eval", "--policy", "tests.agents.refuser:missing"], "no attribute"),
        (["eval", "--policy", "oracle", "--env", "Bogus-v0"], "unknown env id"),
        (["eval", "--policy", "oracle", "--kinds", "evil"], "--kinds"),
        (["eval", "--policy", "oracle", "--seeds", "0"], "--seeds"),
        (["run", "mosaic/FileOps-v0", "--policy", "oracle", "--episodes", "0", "--out", "x.jsonl"], "--episodes"),
    ],
)
def test_bad_arguments_are_clear_errors(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err
