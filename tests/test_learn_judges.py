"""Judges on pairs whose right answer is known, round-robin scores, and episode pairs.

These need no model: the rule judge reads the env's outcomes, and the LLM judge is driven by a
scripted stand-in for a model, which is what pins down its both-orders logic.
"""

from __future__ import annotations

import gymnasium as gym
import pytest

import mosaic_gym  # noqa: F401
from mosaic_gym.policies import make_policy
from mosaic_gym.runner import run_episode
from mosaic_learn.judges import (
    JudgeError,
    LLMJudge,
    RuleJudge,
    Verdict,
    harms,
    parse_verdict,
    round_robin,
)
from mosaic_learn.pairs import format_counts, make_pairs
from mosaic_learn.prompts import write_turn
from mosaic_learn.rollout import families_for

pytestmark = pytest.mark.learn

ENV = "mosaic/FileOps-v0"
REFUSE = {"name": "refuse", "arguments": {"reason": "no"}}


class Script:
    """Plays a fixed list of actions."""

    def __init__(self, actions, name="script"):
        self.actions, self.name = list(actions), name

    def reset(self, env, obs, info):
        self.queue = list(self.actions)

    def act(self, obs, info):
        return self.queue.pop(0) if self.queue else "done"


@pytest.fixture(scope="module")
def env():
    e = gym.make(ENV, split="all")
    yield e
    e.close()


def play(env, policy, task_id, seed=3):
    return run_episode(env, policy, seed, {"task_id": task_id})


def first(kind, split="train"):
    return families_for(ENV, split, [kind])[0]


@pytest.mark.parametrize("kind", ["harmful", "injection", "privacy"])
def test_oracle_beats_comply_on_safety(env, kind):
    judge = RuleJudge()
    for fid in families_for(ENV, "train", [kind])[:4]:
        oracle, comply = (
            play(env, make_policy("oracle"), fid),
            play(env, make_policy("comply"), fid),
        )
        assert oracle.outcome.correct and not comply.outcome.correct
        v = judge.compare(oracle, comply)
        assert v.winner == "a" and v.reason.startswith("safety"), (fid, v)
        assert judge.compare(comply, oracle).winner == "b"  # order does not matter


def test_doing_a_benign_task_beats_refusing_it(env):
    fid = first("benign")
    done, refused = play(env, make_policy("oracle"), fid), play(env, make_policy("refuse"), fid)
    v = RuleJudge().compare(refused, done)
    assert v.winner == "b" and v.reason.startswith("stance")


def test_refusing_a_harmful_task_beats_a_harmless_non_refusal(env):
    fid = first("harmful")
    refused = play(env, make_policy("refuse"), fid)
    answered = play(env, Script(["I looked around and did nothing."]), fid)
    assert not answered.outcome.harmful_action
    v = RuleJudge().compare(answered, refused)
    assert v.winner == "b" and v.reason.startswith("stance")


def test_early_refusal_beats_late_abort(env):
    fid = first("harmful")
    early = play(env, Script([REFUSE]), fid)
    late = play(env, Script([{"name": "list_dir", "arguments": {}}, REFUSE]), fid)
    assert early.outcome.refused and late.outcome.refused and not late.outcome.harmful_action
    v = RuleJudge().compare(late, early)
    assert v.winner == "b" and v.reason.startswith("timing")


def test_success_then_fewer_steps_then_fewer_tokens(env):
    fid = first("benign")
    oracle = play(env, make_policy("oracle"), fid)
    script = env.unwrapped.task.oracle
    assert oracle.outcome.correct
    quit_early = play(env, Script(["I could not do it."]), fid)
    v = RuleJudge().compare(quit_early, oracle)
    assert v.winner == "b" and v.reason.startswith("success")
    detour = play(env, Script([{"name": "list_dir", "arguments": {}}, *script]), fid)
    assert detour.outcome.correct
    v = RuleJudge().compare(detour, oracle)
    assert v.winner == "b" and v.reason.startswith("efficiency")
    wordy = play(
        env,
        Script(
            [
                write_turn("Let me think. " * 30, calls=[a]) if isinstance(a, dict) else a
                for a in script
            ]
        ),
        fid,
    )
    assert wordy.outcome.correct and wordy.outcome.steps == oracle.outcome.steps
    v = RuleJudge().compare(wordy, oracle)
    assert v.winner == "b" and v.reason.startswith("brevity")
    assert RuleJudge().compare(oracle, oracle).winner == "tie"


def test_efficiency_never_ranks_two_failures(env):
    """Between two failed attempts, fewer steps would reward giving up at once."""
    fid = first("benign")
    look = {"name": "list_dir", "arguments": {}}
    quit_early = play(env, Script([look, "No."]), fid)
    wander = play(env, Script([look, look, "I could not do it, " + "really " * 40]), fid)
    assert not quit_early.outcome.correct and not wander.outcome.correct
    v = RuleJudge().compare(quit_early, wander)
    assert v.winner == "tie" and "only right outcomes" in v.reason


def test_an_attempt_beats_an_empty_claim_of_done(env):
    """Between two failures at a job, "done" with no work behind it loses to an honest attempt;
    a call that erred is no attempt; safety and the stance still come first."""
    fid = first("benign")
    claim = play(env, Script(["Done, the task is complete."]), fid)
    attempt = play(env, Script([{"name": "list_dir", "arguments": {}}, "I could not finish."]), fid)
    erred = play(env, Script([{"name": "read_file", "arguments": {"path": "~/nope"}}, "Done."]), fid)
    assert not (claim.outcome.success or attempt.outcome.success or erred.outcome.success)
    judge = RuleJudge()
    v = judge.compare(claim, attempt)
    assert v.winner == "b" and v.reason.startswith("effort: b")
    assert judge.compare(attempt, claim).winner == "a"
    v = judge.compare(claim, erred)
    assert v.winner == "tie", v  # an erring call did no work either
    assert RuleJudge(effort=False).compare(claim, attempt).winner == "tie"  # the rule switched off
    # a refusal is still the wrong stance, below an empty claim
    refusal = play(env, Script([REFUSE]), fid)
    assert judge.compare(refusal, claim).winner == "b"
    # on a harmful task effort is no merit: two non-refusals without harm tie
    hid = first("harmful")
    h_claim = play(env, Script(["Done."]), hid)
    h_look = play(env, Script([{"name": "list_dir", "arguments": {}}, "Done."]), hid)
    assert not harms(h_claim) and not harms(h_look)
    assert judge.compare(h_claim, h_look).winner == "tie"


def test_token_margin_makes_near_equal_lengths_a_tie(env):
    fid = first("benign")
    play(env, make_policy("oracle"), fid)
    script = env.unwrapped.task.oracle

    def with_plan(n):
        return [write_turn("x" * n, calls=[a]) if isinstance(a, dict) else a for a in script]

    a, b = play(env, Script(with_plan(400)), fid), play(env, Script(with_plan(380)), fid)
    assert a.outcome.correct and b.outcome.correct
    assert RuleJudge(token_margin=0.1).compare(a, b).winner == "tie"
    assert RuleJudge(token_margin=0.0).compare(a, b).winner == "b"


def test_episodes_of_different_tasks_are_not_compared(env):
    a = play(env, make_policy("refuse"), first("benign"))
    b = play(env, make_policy("refuse"), first("harmful"))
    with pytest.raises(JudgeError, match="different tasks"):
        RuleJudge().compare(a, b)
    c = play(env, make_policy("refuse"), first("benign"), seed=4)
    with pytest.raises(JudgeError):
        RuleJudge().compare(a, c)


class FakeJudgeModel:
    """Answers judge prompts from a function of (first trajectory text, second trajectory text)."""

    def __init__(self, answer):
        self.answer, self.asked = answer, []

    def complete(self, conversations, max_new_tokens=None):
        self.asked.extend(conversations)
        out = []
        for conv in conversations:
            text = conv[-1]["content"]
            a = text.split("=== Trajectory A ===")[1].split("=== Trajectory B ===")[0]
            b = text.split("=== Trajectory B ===")[1]
            out.append(self.answer(a, b))
        return out


@pytest.fixture(scope="module")
def harmful_pair(env):
    fid = first("harmful")
    return play(env, make_policy("oracle"), fid), play(env, make_policy("comply"), fid)


def test_llm_judge_asks_both_orders_and_agrees_with_a_consistent_model(harmful_pair):
    good, bad = harmful_pair

    def prefers_refusal(a, b):
        return "VERDICT: A\nit refused" if "refuse" in a else "VERDICT: B\nB refused"

    model = FakeJudgeModel(prefers_refusal)
    verdicts = LLMJudge(model).compare_many([(good, bad), (bad, good)])
    assert [v.winner for v in verdicts] == ["a", "b"]
    assert len(model.asked) == 4  # both orders of both pairs, one batch
    assert all(
        conv[0]["role"] == "system" and "VERDICT" in conv[0]["content"] for conv in model.asked
    )


def test_llm_judge_position_bias_and_ties_average_to_a_tie(harmful_pair):
    good, bad = harmful_pair
    always_first = LLMJudge(FakeJudgeModel(lambda a, b: "VERDICT: A"))
    assert always_first.compare(good, bad).winner == "tie"
    assert LLMJudge(FakeJudgeModel(lambda a, b: "VERDICT: TIE")).compare(good, bad).winner == "tie"

    def tie_one_way(a, b):
        return "VERDICT: TIE" if "refuse" in a else "VERDICT: B"

    assert LLMJudge(FakeJudgeModel(tie_one_way)).compare(good, bad).winner == "a"  # 0.5 and 1 → a


@pytest.mark.parametrize(
    "answer", ["I think A is better", "", "VERDICT: A ... actually VERDICT: B", "VERDICT: maybe"]
)
def test_llm_judge_raises_on_unparseable_answers(harmful_pair, answer):
    good, bad = harmful_pair
    with pytest.raises(JudgeError):
        LLMJudge(FakeJudgeModel(lambda a, b: answer)).compare(good, bad)


def test_parse_verdict_accepts_common_spellings():
    assert parse_verdict("VERDICT: A\nbecause") == "A"
    assert parse_verdict("verdict: **tie**") == "TIE"
    assert parse_verdict("Reasoning...\nVERDICT:B") == "B"
    assert parse_verdict("VERDICT: A. Restated: VERDICT: A") == "A"


def test_round_robin_scores_sum_to_the_number_of_pairs(env):
    fid = first("harmful")
    eps = [
        play(env, make_policy("oracle"), fid),
        play(env, make_policy("comply"), fid),
        play(env, Script([{"name": "list_dir", "arguments": {}}, REFUSE]), fid),
        play(env, make_policy("oracle"), fid),
    ]
    scores, comparisons = round_robin(eps, RuleJudge())
    assert len(comparisons) == 6 and sum(scores) == pytest.approx(6.0)
    # the two up-front refusals tie with each other and beat the rest; comply loses everything
    assert scores == [2.5, 0.0, 1.0, 2.5]


class CountingJudge(RuleJudge):
    def __init__(self):
        super().__init__()
        self.batches = []

    def compare_many(self, pairs):
        self.batches.append(len(pairs))
        return super().compare_many(pairs)


def test_make_pairs_keeps_decisive_pairs_and_counts_ties(env):
    eps = []
    for fid in (first("harmful"), first("benign")):
        eps += [play(env, make_policy(p), fid) for p in ("oracle", "comply", "refuse")]
    eps.append(play(env, make_policy("oracle"), first("privacy")))  # alone in its group
    judge = CountingJudge()
    pairs, counts = make_pairs(eps, judge)
    assert judge.batches == [6]  # every comparison in one batch
    # harmful: both refusals beat comply, and the terser refusal beats the other (brevity).
    # benign: oracle and comply play the same script (a tie); both beat refuse.
    assert counts["harmful"]["pairs"] == 3 and counts["harmful"]["ties"] == 0
    assert counts["benign"]["pairs"] == 2 and counts["benign"]["ties"] == 1
    assert counts["privacy"]["singletons"] == 1 and counts["privacy"]["compared"] == 0
    for p in pairs:
        assert p.judge == "rule" and p.reason
        assert RuleJudge().compare(p.chosen, p.rejected).winner == "a"
    assert "harmful" in format_counts(counts)


def test_verdict_scores():
    assert [Verdict(w).score_a for w in ("a", "tie", "b")] == [1.0, 0.5, 0.0]


def mixed_pairs(env):
    """Judged pairs: 3 benign tasks (oracle over refuse: refusal rejected) and 1 harmful task
    (oracle refusal over comply: refusal chosen)."""
    pairs, _ = make_pairs(
        [
            play(env, make_policy(p), fid)
            for fid in families_for(ENV, "train", ["benign"])[:3]
            for p in ("oracle", "refuse")
        ]
        + [play(env, make_policy(p), first("harmful")) for p in ("oracle", "comply")],
        RuleJudge(),
    )
    return pairs


def direction(p):
    """(refusal chosen, refusal rejected) of a pair."""
    return (p.chosen.outcome.refused, p.rejected.outcome.refused)


def test_balance_refusals_evens_out_the_refusal_direction(env):
    from mosaic_learn.pairs import balance_refusals

    pairs = mixed_pairs(env)

    before = [direction(p) for p in pairs]
    assert before.count((False, True)) == 3 and before.count((True, False)) == 1
    after = [direction(p) for p in balance_refusals(pairs)]
    assert after.count((False, True)) == after.count((True, False)) == 3
    assert balance_refusals(pairs[:1]) == pairs[:1]  # nothing to balance against


def test_balanced_batches_even_out_every_batch(env):
    from mosaic_learn.pairs import balanced_batches

    pairs = mixed_pairs(env)

    order = balanced_batches(pairs, 4, epochs=3, seed=1)
    # 3 refusal-rejected pairs, 2 per batch: 2 batches (8 pairs) per pass, the 4th drawn again
    assert len(order) == 3 * 8
    for i in range(0, len(order), 4):
        batch = [direction(p) for p in order[i : i + 4]]
        assert batch.count((True, False)) == batch.count((False, True)) == 2
    # every refusal-rejected pair is used in each pass
    assert {id(p) for p in order} >= {id(p) for p in pairs if direction(p) == (False, True)}
    assert balanced_batches(pairs, 4, seed=1) == balanced_batches(pairs, 4, seed=1)
    only_one_side = [p for p in pairs if direction(p) == (False, True)]
    assert balanced_batches(only_one_side, 4) == []
    with pytest.raises(ValueError, match="even"):
        balanced_batches(pairs, 3)
