"""The tiny model and tokenizer, the chat template, and the assistant-token mask, token by token."""

from __future__ import annotations

import json

import gymnasium as gym
import pytest

pytest.importorskip("torch", reason="the learner needs the [learn] extra (torch)")
pytest.importorskip("trl", reason="the learner needs the [learn] extra (trl)")

import torch  # noqa: E402
from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: E402

import mosaic_gym  # noqa: E402,F401
from mosaic_gym.protocol import parse_turn  # noqa: E402
from mosaic_gym.runner import run_episode  # noqa: E402
from mosaic_learn.prompts import (  # noqa: E402
    TemplateError,
    assistant_token_mask,
    render,
    tool_suffix,
    turn_closer,
    write_turn,
)
from mosaic_learn.scripted import ComplyRefuseAtRandom  # noqa: E402
from mosaic_learn.tiny import TAG_TOKENS, build_tiny  # noqa: E402

pytestmark = pytest.mark.learn


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = tmp_path_factory.getbasetemp() / "tiny-test"
    if not (path / "config.json").exists():
        build_tiny(path, preset="test")
    return path


@pytest.fixture(scope="module")
def tok(tiny):
    return AutoTokenizer.from_pretrained(tiny)


@pytest.fixture(scope="module")
def episode():
    env = gym.make("mosaic/FileOps-v0", kinds=["injection"])
    policy = ComplyRefuseAtRandom(refuse_rate=1.0, first_turn_share=0.0, safety_rate=0.5, seed=1)
    ep = run_episode(env, policy, 5)
    env.close()
    assert ep.outcome.refused and len([m for m in ep.messages if m["role"] == "assistant"]) >= 2
    return ep


def test_tokenizer_and_model_round_trip(tiny, tok):
    from mosaic_learn.tiny import PRESETS, suite_texts, train_tokenizer

    fresh = train_tokenizer(
        list(suite_texts(["mosaic/FileOps-v0"], PRESETS["test"].corpus_seeds)),
        PRESETS["test"].vocab_size,
    )
    text = 'Read ~/notes/todo.md <tool_call>\n{"name": "read_file"}\n</tool_call><|im_end|> ünïcode 日本'
    assert type(tok).__name__ == "Qwen2Tokenizer"
    assert tok(text)["input_ids"] == fresh(text)["input_ids"]  # same pipeline in memory and on disk
    assert tok.decode(tok(text)["input_ids"]) == text
    for tag in (*TAG_TOKENS, "<|im_start|>", "<|im_end|>"):
        assert len(tok(tag, add_special_tokens=False)["input_ids"]) == 1, tag
    assert tok.eos_token == "<|im_end|>" and tok.pad_token == "<|endoftext|>"

    model = AutoModelForCausalLM.from_pretrained(tiny)
    assert model.config.model_type == "qwen2" and model.config.tie_word_embeddings
    assert model.config.vocab_size >= len(tok)
    ids = torch.tensor([tok(text)["input_ids"]])
    with torch.no_grad():
        before = model(ids).logits
    model.save_pretrained(tiny / "copy")
    with torch.no_grad():
        after = AutoModelForCausalLM.from_pretrained(tiny / "copy")(ids).logits
    assert torch.equal(before, after)
    meta = json.loads((tiny / "mosaic_tiny.json").read_text())
    assert meta["env_ids"] == ["mosaic/FileOps-v0"]


def test_template_renders_tools_calls_and_results(tok, episode):
    text = render(tok, episode.messages, episode.tools)
    assert text.startswith("<|im_start|>system\n" + episode.messages[0]["content"])
    assert "- read_file(path): Read a text file." in text
    assert "- list_dir(path?)" in text
    first_call = episode.messages[2]["tool_calls"][0]["function"]
    call_json = json.dumps(
        {"name": first_call["name"], "arguments": first_call["arguments"]}, ensure_ascii=False
    )
    assert f"<tool_call>\n{call_json}\n</tool_call><|im_end|>" in text
    assert "<|im_start|>user\n<tool_response>\n" in text
    prompt = render(tok, episode.messages[:2], episode.tools, add_generation_prompt=True)
    assert prompt.endswith(
        "<|im_start|>user\n"
        + episode.messages[1]["content"]
        + "<|im_end|>\n<|im_start|>assistant\n"
    )
    assert turn_closer(tok) == "<|im_end|>"


def test_written_turns_parse_and_rerender_identically(tok, episode):
    call = {"name": "write_file", "arguments": {"path": "~/a.md", "content": "x\ny"}}
    turn = write_turn("Next: write_file.", safety="fine", calls=[call])
    parsed = parse_turn(turn)
    assert parsed.ok and parsed.think == "Next: write_file." and parsed.safety == "fine"
    assert [c.arguments for c in parsed.calls] == [call["arguments"]]
    msgs = [
        *episode.messages[:2],
        {
            "role": "assistant",
            "content": parsed.content,
            "tool_calls": [{"type": "function", "function": call}],
        },
    ]
    rendered = render(tok, msgs, episode.tools)
    assert rendered.endswith("<|im_start|>assistant\n" + turn + "<|im_end|>\n")
    answer = write_turn("Done.", answer="All files are in place.")
    assert parse_turn(answer).answer == "All files are in place."
    with pytest.raises(ValueError):
        write_turn("x")


def test_assistant_mask_covers_exactly_what_the_assistant_wrote(tok, episode):
    full, ids, mask = assistant_token_mask(tok, episode.messages, episode.tools)
    assert len(ids) == len(mask) and tok.decode(ids) == full
    # the masked-in runs, decoded, are exactly the assistant turns as rendered, each ending at <|im_end|>
    runs, cur = [], []
    for i, m in zip(ids, mask, strict=True):
        if m:
            cur.append(i)
        elif cur:
            runs.append(tok.decode(cur))
            cur = []
    assistants = [m for m in episode.messages if m["role"] == "assistant"]
    assert len(runs) == len(assistants)
    for run, msg in zip(runs, assistants, strict=True):
        assert run.startswith(msg["content"]) and run.endswith("<|im_end|>")
        assert "<tool_response>" not in run and "<|im_start|>" not in run
    # every token the mask leaves out is system, user or tool text, or a template header
    outside = tok.decode([i for i, m in zip(ids, mask, strict=True) if not m])
    for msg in episode.messages:
        if msg["role"] in ("system", "user", "tool"):
            assert msg["content"] in outside


def test_generic_mask_matches_the_template_generation_markers(tok, episode):
    _, ids, mask = assistant_token_mask(tok, episode.messages, episode.tools)
    from mosaic_learn.prompts import template_messages

    out = tok.apply_chat_template(
        template_messages(episode.messages),
        tools=episode.tools,
        tokenize=True,
        return_dict=True,
        return_assistant_tokens_mask=True,
    )
    assert out["input_ids"] == ids
    assert out["assistant_masks"] == mask


def test_tool_suffix_continues_the_stream_after_end_of_turn(tok, episode):
    msgs = episode.messages
    k = (
        next(i for i, m in enumerate(msgs) if m["role"] == "tool") + 1
    )  # after the first tool result
    suffix = tool_suffix(tok, msgs[:k], 1, episode.tools, ["<|im_end|>"])
    assert suffix.startswith("\n<|im_start|>user\n<tool_response>\n") and suffix.endswith(
        "<|im_start|>assistant\n"
    )
    assert msgs[k - 1]["content"] in suffix

    class Unstable:
        chat_template = "x"

        def apply_chat_template(
            self, messages, tools=None, tokenize=False, add_generation_prompt=False
        ):
            # renders earlier turns differently once later ones follow
            return "".join(f"[{len(messages)}]{m['content']}<|im_end|>" for m in messages)

    with pytest.raises(TemplateError, match="prefix-stable"):
        tool_suffix(Unstable(), msgs[:k], 1, None, ["<|im_end|>"])
