"""A tiny Qwen2-architecture model and tokenizer built from the suite's own text.

No model hub is reachable where mosaic is tested, so tests and the CPU demo build their model
here: a byte-level BPE tokenizer trained on the suite's text (system prompt, tool schemas, task
prompts, tool outputs and scripted trajectories of the *train* split), a ChatML chat template
with tool calls and ``{% generation %}`` markers, and a randomly initialised ``Qwen2ForCausalLM``
sized to train on two CPU cores. Everything is saved with ``save_pretrained`` and loaded back
with ``AutoTokenizer`` / ``AutoModelForCausalLM.from_pretrained``, the path a real checkpoint
takes.

The tokenizer's pipeline (NFC, Qwen2's split regex, ByteLevel without its own regex) is exactly
the one ``Qwen2Tokenizer`` rebuilds on load, so the tokenizer in memory and the one reloaded from
disk encode alike (a test checks it).
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ._deps import require_learn

log = logging.getLogger(__name__)

SPECIAL_TOKENS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")
# Protocol tags as single (non-special) tokens, as Qwen2.5 does for its tool tags: they decode
# as text, and a tag is never split differently depending on what surrounds it.
TAG_TOKENS = (
    "<tool_call>",
    "</tool_call>",
    "<tool_response>",
    "</tool_response>",
    "<think>",
    "</think>",
    "<safety_thoughts>",
    "</safety_thoughts>",
)
# Qwen2's pre-tokenizer regex (what Qwen2Tokenizer rebuilds on load).
_SPLIT_REGEX = (
    r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"""
    r"""|\s*[\r\n]+|\s+(?!\S)|\s+"""
)

CHAT_TEMPLATE = r"""{#- mosaic tiny-model chat template: ChatML turns; tools listed as one-line signatures
    (short prompts for a small context); tool calls as <tool_call> JSON; tool results grouped in
    one user turn; {% generation %} around what the assistant writes. -#}
{%- set ns = namespace(first=0) -%}
{%- if messages and messages[0].role == 'system' -%}
    {%- set ns.first = 1 -%}
    {{- '<|im_start|>system\n' + messages[0].content -}}
{%- elif tools -%}
    {{- '<|im_start|>system\n' -}}
{%- endif -%}
{%- if tools -%}
    {{- '\n\n# Tools\nCall a tool with <tool_call>{"name": <tool>, "arguments": {<argument>: <value>}}</tool_call>. Tools (? marks an optional argument):' -}}
    {%- for tool in tools -%}
        {%- set fn = tool.function if tool.function is defined else tool -%}
        {%- set props = fn.parameters.properties if fn.parameters is defined and fn.parameters.properties is defined else {} -%}
        {%- set required = fn.parameters.required if fn.parameters is defined and fn.parameters.required is defined else [] -%}
        {{- '\n- ' + fn.name + '(' -}}
        {%- for pname in props -%}
            {{- pname + ('' if pname in required else '?') + (', ' if not loop.last else '') -}}
        {%- endfor -%}
        {{- '): ' + (fn.description or '') -}}
    {%- endfor -%}
{%- endif -%}
{%- if ns.first == 1 or tools -%}
    {{- '<|im_end|>\n' -}}
{%- endif -%}
{%- for message in messages[ns.first:] -%}
    {%- if message.role == 'user' or message.role == 'system' -%}
        {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>\n' -}}
    {%- elif message.role == 'assistant' -%}
        {{- '<|im_start|>assistant\n' -}}
        {%- generation -%}
        {{- message.content or '' -}}
        {%- for call in (message.tool_calls or []) -%}
            {%- set fn = call.function if call.function is defined else call -%}
            {%- if loop.first and not message.content -%}
                {{- '<tool_call>\n' -}}
            {%- else -%}
                {{- '\n<tool_call>\n' -}}
            {%- endif -%}
            {{- '{"name": ' + (fn.name | tojson) + ', "arguments": ' -}}
            {%- if fn.arguments is string -%}
                {{- fn.arguments -}}
            {%- else -%}
                {{- fn.arguments | tojson -}}
            {%- endif -%}
            {{- '}\n</tool_call>' -}}
        {%- endfor -%}
        {{- '<|im_end|>' -}}
        {%- endgeneration -%}
        {{- '\n' -}}
    {%- elif message.role == 'tool' -%}
        {%- if loop.first or loop.previtem.role != 'tool' -%}
            {{- '<|im_start|>user\n' -}}
        {%- else -%}
            {{- '\n' -}}
        {%- endif -%}
        {{- '<tool_response>\n' + message.content + '\n</tool_response>' -}}
        {%- if loop.last or loop.nextitem.role != 'tool' -%}
            {{- '<|im_end|>\n' -}}
        {%- endif -%}
    {%- endif -%}
{%- endfor -%}
{%- if add_generation_prompt -%}
    {{- '<|im_start|>assistant\n' -}}
{%- endif -%}"""


@dataclass(frozen=True)
class TinySpec:
    """Sizes of the tiny model and its tokenizer."""

    vocab_size: int = 2048
    hidden_size: int = 128
    intermediate_size: int = 384
    num_hidden_layers: int = 4
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    max_position_embeddings: int = 8192
    corpus_seeds: int = 6


PRESETS = {
    # for unit tests: builds in seconds, trains a step in well under a second
    "test": TinySpec(
        vocab_size=1024, hidden_size=64, intermediate_size=128, num_hidden_layers=2, corpus_seeds=2
    ),
    # for the CPU demo
    "demo": TinySpec(),
}


def suite_texts(
    env_ids: Sequence[str],
    seeds: int,
    split: str = "train",
    env_kwargs: dict[str, Any] | None = None,
) -> Iterator[str]:
    """Text the suite shows a model, rendered with :data:`CHAT_TEMPLATE` as the model sees it:
    for every family of ``split`` and seeds ``0..seeds-1``, the whole conversation (system
    prompt, tool schemas, task, turns, tool outputs) of its scripted trajectories (oracle,
    comply, and the demo's comply-or-refuse teacher). Whole renderings, not loose pieces, so the
    BPE statistics weigh the text the way every prompt repeats it."""
    import gymnasium as gym
    from transformers.utils.chat_template_utils import render_jinja_template

    import mosaic_gym  # noqa: F401 - registers the ids
    from mosaic_gym.policies import make_policy
    from mosaic_gym.runner import run_episode

    from .prompts import template_messages
    from .scripted import ComplyRefuseAtRandom, demo_phrases

    yield from demo_phrases()
    policies = [make_policy("oracle"), make_policy("comply"), ComplyRefuseAtRandom(0.5, 0.5)]
    for env_id in env_ids:
        env = gym.make(env_id, **{**(env_kwargs or {}), "split": split})
        try:
            for fam in env.unwrapped.families:
                for seed in range(seeds):
                    for policy in policies:
                        ep = run_episode(env, policy, seed, {"task_id": fam.id})
                        rendered, _ = render_jinja_template(
                            [template_messages(ep.messages)],
                            tools=ep.tools,
                            chat_template=CHAT_TEMPLATE,
                        )
                        yield rendered[0]
        finally:
            env.close()


def train_tokenizer(texts: Iterable[str], vocab_size: int) -> Any:
    """A byte-level BPE ``Qwen2Tokenizer`` trained on ``texts``, with the chat template set."""
    require_learn()
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    from transformers import Qwen2Tokenizer

    bpe = Tokenizer(models.BPE())
    bpe.normalizer = normalizers.NFC()
    bpe.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(_SPLIT_REGEX), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=2,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )

    def without_tags() -> Iterator[str]:
        # tags and turn markers become whole tokens; keeping them out of the statistics saves merges
        for t in texts:
            for tag in (*TAG_TOKENS, *SPECIAL_TOKENS):
                t = t.replace(tag, " ")
            yield t

    bpe.train_from_iterator(without_tags(), trainer=trainer)
    model = json.loads(bpe.to_str())["model"]
    merges = [tuple(m.split(" ", 1)) if isinstance(m, str) else tuple(m) for m in model["merges"]]
    tok = Qwen2Tokenizer(
        vocab=model["vocab"],
        merges=merges,
        unk_token=None,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        extra_special_tokens=["<|im_start|>", "<|im_end|>"],
    )
    tok.add_tokens(list(TAG_TOKENS))
    tok.chat_template = CHAT_TEMPLATE
    tok.padding_side = "left"
    return tok


def build_model(tokenizer: Any, spec: TinySpec, seed: int = 0) -> Any:
    """A freshly initialised ``Qwen2ForCausalLM`` for ``tokenizer``."""
    require_learn()
    import torch
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(seed)
    eos = [
        tokenizer.convert_tokens_to_ids("<|im_end|>"),
        tokenizer.convert_tokens_to_ids("<|endoftext|>"),
    ]
    config = Qwen2Config(
        vocab_size=-(-len(tokenizer) // 64) * 64,  # rounded up: faster matmuls, room for tokens
        hidden_size=spec.hidden_size,
        intermediate_size=spec.intermediate_size,
        num_hidden_layers=spec.num_hidden_layers,
        num_attention_heads=spec.num_attention_heads,
        num_key_value_heads=spec.num_key_value_heads,
        max_position_embeddings=spec.max_position_embeddings,
        tie_word_embeddings=True,
        bos_token_id=None,
        eos_token_id=eos[0],
        pad_token_id=tokenizer.pad_token_id,
    )
    model = Qwen2ForCausalLM(config)
    model.generation_config = GenerationConfig(
        eos_token_id=eos,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=None,
        do_sample=True,
        temperature=1.0,
        max_new_tokens=256,
    )
    return model


def build_tiny(
    out_dir: str | Path,
    *,
    preset: str = "demo",
    env_ids: Sequence[str] = ("mosaic/FileOps-v0",),
    seed: int = 0,
    spec: TinySpec | None = None,
    env_kwargs: dict[str, Any] | None = None,
) -> Path:
    """Build the tiny tokenizer and model and save both to ``out_dir``; returns the path.

    ``preset`` is ``"test"`` (seconds to build, for unit tests) or ``"demo"``; ``spec`` overrides
    it. The tokenizer is trained on the train split of ``env_ids`` only, so the test split's
    templates stay unseen even at the vocabulary level; ``env_kwargs`` go to ``gym.make`` (e.g.
    the ``system_prompt`` the model will be shown).
    """
    require_learn()
    if spec is None:
        if preset not in PRESETS:
            raise ValueError(f"unknown preset {preset!r}; use one of {', '.join(PRESETS)}")
        spec = PRESETS[preset]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    texts = list(suite_texts(env_ids, spec.corpus_seeds, env_kwargs=env_kwargs))
    random.Random(seed).shuffle(texts)
    tokenizer = train_tokenizer(texts, spec.vocab_size)
    model = build_model(tokenizer, spec, seed)
    tokenizer.save_pretrained(out)
    model.save_pretrained(out)
    (out / "mosaic_tiny.json").write_text(
        json.dumps({"spec": asdict(spec), "env_ids": list(env_ids), "seed": seed}, indent=2) + "\n"
    )
    n = sum(p.numel() for p in model.parameters())
    log.info("tiny model: %d parameters, vocabulary %d, saved to %s", n, len(tokenizer), out)
    return out
