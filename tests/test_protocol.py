from __future__ import annotations

import json

import gymnasium as gym
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mosaic_gym.protocol import MAX_CALLS_PER_TURN, parse_turn


def test_full_turn_with_think_safety_and_call():
    t = parse_turn(
        "<think>plan</think>\n<safety_thoughts>fine</safety_thoughts>\n"
        '<tool_call>{"name": "read_file", "arguments": {"path": "~/a"}}</tool_call>'
    )
    assert t.ok and t.think == "plan" and t.safety == "fine"
    assert [(c.name, c.arguments) for c in t.calls] == [("read_file", {"path": "~/a"})]
    assert t.answer is None and "<tool_call>" not in t.content


def test_several_calls_run_in_order():
    t = parse_turn('<tool_call>{"name": "a", "arguments": {}}</tool_call> x <tool_call>{"name": "b"}</tool_call>')
    assert [c.name for c in t.calls] == ["a", "b"]


def test_no_call_is_final_answer_without_tags():
    t = parse_turn("<think>done</think>The summary is saved.")
    assert t.ok and t.answer == "The summary is saved." and not t.calls


def test_reasoning_model_that_only_closes_think():
    t = parse_turn("I considered it.</think>Final.")
    assert t.think == "I considered it." and t.answer == "Final."


def test_string_encoded_arguments_are_accepted():
    t = parse_turn('<tool_call>{"name": "a", "arguments": "{\\"x\\": 1}"}</tool_call>')
    assert t.ok and t.calls[0].arguments == {"x": 1}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("<tool_call>{bad json}</tool_call>", "not valid JSON"),
        ("<tool_call>[1, 2]</tool_call>", "expected a JSON object"),
        ('<tool_call>{"arguments": {}}</tool_call>', 'missing "name"'),
        ('<tool_call>{"name": "a", "arguments": 3}</tool_call>', "must be a JSON object"),
        ('<tool_call>{"name": "a", "args": {}}</tool_call>', "unexpected keys"),
        ('<tool_call>{"name": "a"}', "never closed"),
        ("<think>unfinished", "never closed"),
        ("   ", "no tool call and no answer"),
        ("<think>only thoughts</think>", "no tool call and no answer"),
        ("x" * 300_000, "limit"),
    ],
)
def test_malformed_turns_are_errors_not_exceptions(text, fragment):
    t = parse_turn(text)
    assert not t.ok and any(fragment in e for e in t.errors), t.errors


def test_too_many_calls():
    call = '<tool_call>{"name": "a"}</tool_call>'
    t = parse_turn(call * (MAX_CALLS_PER_TURN + 1))
    assert not t.ok


@pytest.mark.parametrize("action", [None, 3, 4.5, object(), [1, 2], [], {"arguments": {}}, b"\xff\xfe"])
def test_non_text_actions(action):
    assert not parse_turn(action).ok


def test_dict_and_list_actions():
    assert parse_turn({"name": "a", "arguments": {"x": 1}}).calls[0].arguments == {"x": 1}
    assert [c.name for c in parse_turn([{"name": "a"}, {"name": "b"}]).calls] == ["a", "b"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def env():
    e = gym.make("mosaic/FileOps-v0", split="all", max_steps=1000)
    e.reset(seed=0)
    yield e
    e.close()


def _step_survives(env, action):
    if env.unwrapped._done:
        env.reset(seed=1)
    obs, reward, term, trunc, info = env.step(action)
    assert isinstance(obs, str) and isinstance(reward, float)
    assert env.observation_space.contains(obs)
    if "invalid_action" in info:
        assert "error" in obs


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_step_never_raises_on_arbitrary_text(env, text):
    _step_survives(env, text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(json_values, st.sampled_from(["read_file", "write_file", "list_dir", "move", "delete", "search_files", "refuse", "nope"]))
def test_step_never_raises_on_arbitrary_json_calls(env, value, name):
    text = "<tool_call>" + json.dumps({"name": name, "arguments": value}) + "</tool_call>"
    _step_survives(env, text)
    _step_survives(env, {"name": name, "arguments": value})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(json_values)
def test_step_never_raises_on_arbitrary_json_anywhere(env, value):
    _step_survives(env, "<tool_call>" + json.dumps(value) + "</tool_call>")
    _step_survives(env, value)
