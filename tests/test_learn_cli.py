"""The mosaic-learn command: clear errors for bad input, and the small commands end to end."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch", reason="the learner needs the [learn] extra (torch)")
pytest.importorskip("trl", reason="the learner needs the [learn] extra (trl)")

from mosaic_gym.records import EpisodePair, read_jsonl  # noqa: E402
from mosaic_learn.cli import main  # noqa: E402
from mosaic_learn.tiny import build_tiny  # noqa: E402

pytestmark = pytest.mark.learn


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = tmp_path_factory.getbasetemp() / "tiny-test"
    if not (path / "config.json").exists():
        build_tiny(path, preset="test")
    return path


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["eval", "--model", "/no/such/model"], "does not exist"),
        (["eval"], "exactly one of --model PATH or --endpoint URL"),
        (["eval", "--endpoint", "http://localhost:1"], "--served-model"),
        (["rollout", "--policy", "oracle", "--out", "x.jsonl", "--seeds", "a-b"], "--seeds takes"),
        (["rollout", "--policy", "oracle", "--out", "x.jsonl", "--kinds", "evil"], "--kinds takes"),
        (
            ["rollout", "--policy", "oracle", "--out", "x.jsonl", "--env", "Nope-v0"],
            "unknown or unavailable env",
        ),
        (["rollout", "--policy", "nonsense", "--out", "x.jsonl", "--seeds", "1"], "comply-refuse"),
        (
            ["rollout", "--policy", "comply-refuse:2", "--out", "x.jsonl", "--seeds", "1"],
            "RATE in [0, 1]",
        ),
        (["pairs", "--episodes", "/no/such.jsonl", "--out", "p.jsonl"], "does not exist"),
        (["dpo", "--model", ".", "--pairs", "/no/such.jsonl", "--out", "d"], "does not exist"),
        (
            ["dpo", "--model", ".", "--pairs", "p", "--out", "d", "--nll-weight", "-1"],
            "0 (plain DPO) or positive",
        ),
        (
            [
                "dpo",
                "--model",
                ".",
                "--pairs",
                "p",
                "--out",
                "d",
                "--balanced-batches",
                "--batch-size",
                "3",
            ],
            "even --batch-size",
        ),
        (
            [
                "dpo",
                "--model",
                ".",
                "--pairs",
                "p",
                "--out",
                "d",
                "--balanced-batches",
                "--balance-refusals",
            ],
            "not both",
        ),
        (["grpo", "--model", ".", "--out", "g", "--reward-weights", "1,2"], "three numbers"),
        (["pairs", "--episodes", "{eps}", "--out", "p.jsonl", "--judge", "llm"], "--judge-model"),
        (
            [
                "sft",
                "--model",
                "{tiny}",
                "--episodes",
                "{eps}",
                "--out",
                "s",
                "--set",
                "learning_rat=1",
            ],
            "did you mean",
        ),
        (
            ["sft", "--model", "{tiny}", "--episodes", "{eps}", "--out", "s", "--set", "oops"],
            "key=value",
        ),
    ],
)
def test_bad_input_is_one_clear_line(argv, message, tiny, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    eps = tmp_path / "eps.jsonl"
    assert (
        main(
            [
                "-q",
                "rollout",
                "--policy",
                "refuse",
                "--kinds",
                "harmful",
                "--seeds",
                "1",
                "--group-size",
                "1",
                "--out",
                str(eps),
            ]
        )
        == 0
    )
    capsys.readouterr()
    argv = [a.format(eps=eps, tiny=tiny) for a in argv]
    code = main(["-q", *argv])
    err = capsys.readouterr().err
    assert code == 2 and message in err, err
    assert not (tmp_path / "s").exists()  # refused before any work


def test_grpo_credit_takes_only_known_values(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["grpo", "--model", ".", "--out", "g", "--credit", "last"])
    assert exc.value.code == 2
    assert "invalid choice: 'last' (choose from 'all', 'first_turn')" in capsys.readouterr().err


def test_rollout_resumes_and_pairs_counts(tmp_path, capsys):
    eps = tmp_path / "eps.jsonl"
    args = [
        "-q",
        "rollout",
        "--policy",
        "comply-refuse:0.5",
        "--kinds",
        "harmful,benign",
        "--seeds",
        "0-1",
        "--group-size",
        "3",
        "--out",
        str(eps),
    ]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert main(args) == 0
    assert "0 episodes" in capsys.readouterr().out and "wrote" in first
    episodes = list(read_jsonl(eps))
    assert len(episodes) % 6 == 0 and {e.kind for e in episodes} == {"harmful", "benign"}
    pairs = tmp_path / "pairs.jsonl"
    assert main(["-q", "pairs", "--episodes", str(eps), "--out", str(pairs)]) == 0
    out = capsys.readouterr().out
    assert "harmful" in out and "pairs" in out
    for p in read_jsonl(pairs, EpisodePair):
        assert p.chosen.task_id == p.rejected.task_id and p.chosen.seed == p.rejected.seed


def test_eval_prints_the_gym_table(tiny, tmp_path, capsys):
    out = tmp_path / "eval.jsonl"
    argv = [
        "-q",
        "eval",
        "--model",
        str(tiny),
        "--kinds",
        "harmful",
        "--seeds",
        "1",
        "--max-steps",
        "2",
        "--max-new-tokens",
        "16",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "harm-refuse" in text and "mosaic/FileOps-v0" in text and "columns:" in text
    assert main([*argv[:-2], "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["kind"] for r in rows} == {"harmful", "all"} and rows[0]["policy"] == "tiny-test"
    assert len(list(read_jsonl(out))) == rows[0]["n"]


@pytest.mark.slow
def test_demo_quick_runs_every_stage(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["-q", "demo", "--quick", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "harmful refusal" in text and "over-refusal" in text
    results = json.loads((out / "results.json").read_text())
    # an untrained model's rollouts may all tie, and then the DPO arm says so instead of training
    assert set(results["numbers"]) == {"sft", "grpo", "dpo"} or results["dpo"]["skipped"]
    assert set(results["numbers"]["grpo"]) == {"heldout", "test"}
    assert results["grpo"]["steps"] == 2 and len(results["grpo_history"]) == 2
    for name in (
        "metrics.png",
        "table.txt",
        "sft_episodes.jsonl",
        "grpo_rollouts.jsonl",
        "dpo_rollouts.jsonl",
    ):
        assert (out / name).stat().st_size > 0, name
    for model in ("tiny", "sft", "grpo", *(["dpo"] if "dpo" in results["numbers"] else [])):
        assert (out / model / "config.json").exists(), model
    # every stage showed the model the short system prompt (teacher, GRPO, DPO, evaluations)
    from mosaic_gym.prompts import SHORT_SYSTEM_PROMPT

    for name in ("sft_episodes", "grpo_rollouts", "dpo_rollouts", "eval_sft_heldout"):
        systems = {e.messages[0]["content"] for e in read_jsonl(out / f"{name}.jsonl")}
        assert systems == {SHORT_SYSTEM_PROMPT}, name

    # the preference stages again, from that warm start: no tiny model built, no SFT
    again = tmp_path / "again"
    argv = ["-q", "demo", "--quick", "--out", str(again), "--warm-start", str(out / "sft")]
    assert main(argv) == 0
    results = json.loads((again / "results.json").read_text())
    assert results["sft"] == {"warm_start": str(out / "sft")}
    assert not (again / "tiny").exists() and not (again / "sft").exists()
    assert not (again / "sft_episodes.jsonl").exists()
    assert results["grpo"]["steps"] == 2 and (again / "grpo" / "config.json").exists()
    assert (again / "eval_sft_heldout.jsonl").stat().st_size > 0


def test_demo_warm_start_is_checked_before_anything_is_emptied(tmp_path, capsys):
    out = tmp_path / "out"
    (out / "sft").mkdir(parents=True)
    (out / "sft" / "config.json").write_text("{}")
    cases = [
        (tmp_path / "missing", "does not exist"),
        (tmp_path, "not a model directory (no config.json)"),
        (out / "sft", "lies inside the demo's output"),
    ]
    for warm, message in cases:
        code = main(["-q", "demo", "--out", str(out), "--warm-start", str(warm)])
        err = capsys.readouterr().err
        assert code == 2 and message in err, err
        assert (out / "sft" / "config.json").exists()  # nothing was emptied


def test_dpo_first_turn_balanced_batches_with_nll(tiny, tmp_path, capsys):
    import gymnasium as gym

    from mosaic_gym.policies import make_policy
    from mosaic_gym.records import JsonlWriter
    from mosaic_gym.runner import run_episode
    from mosaic_learn.judges import RuleJudge
    from mosaic_learn.pairs import make_pairs
    from mosaic_learn.rollout import families_for

    env = gym.make("mosaic/FileOps-v0", split="train", max_steps=4)
    eps = [
        run_episode(env, make_policy(p), 1, {"task_id": fid})
        for kind, policies in (("benign", ("oracle", "refuse")), ("harmful", ("refuse", "comply")))
        for fid in families_for("mosaic/FileOps-v0", "train", [kind])[:2]
        for p in policies
    ]
    env.close()
    pairs, _ = make_pairs(eps, RuleJudge())
    path = tmp_path / "pairs.jsonl"
    with JsonlWriter(path) as w:
        for p in pairs:
            w.write(p)
    out = tmp_path / "dpo"
    argv = ["-q", "dpo", "--model", str(tiny), "--pairs", str(path), "--out", str(out)]
    argv += ["--first-turn", "--nll-weight", "1", "--balanced-batches", "--batch-size", "2"]
    assert main([*argv, "--epochs", "2", "--set", "save_strategy=no"]) == 0
    printed = capsys.readouterr().out
    result = json.loads(printed[printed.rindex("{\n") :])  # after the trainer's own summary line
    # 2 refusal-chosen and 2 refusal-rejected pairs, 1 of each per batch, 2 passes
    assert result["used"] == 8 and result["steps"] == 4 and result["nll_weight"] == 1.0
    assert (out / "config.json").exists()
