"""Model policies: a Hugging Face causal LM (:class:`HFPolicy`) and an OpenAI-compatible server
(:class:`EndpointPolicy`).

Both play the MOSAIC protocol with the env's system prompt and tool schemas, written through
the model's own chat template (HF) or the server's (endpoint). Both also satisfy mosaic_gym's
``Policy`` protocol (``reset``/``act``), so ``mosaic_gym.runner.run_episode`` can drive them one
env at a time; the batched path is :mod:`mosaic_learn.rollout`.

:class:`HFPolicy` generates for a batch of token streams at once: left padding, sampling
settings from :class:`Sampling`, stopping at the end-of-turn token, returning each turn's token
ids and their log-probabilities under the sampling distribution (after temperature, top-k and
top-p), which is what the trainers need.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ._deps import require_learn
from .prompts import end_of_turn, render, template_messages, tool_suffix, turn_closer


class Sampling(BaseModel):
    """How a policy samples one turn."""

    model_config = ConfigDict(extra="forbid")

    temperature: float = Field(1.0, ge=0.0, description="0 means greedy")
    top_p: float = Field(1.0, gt=0.0, le=1.0)
    top_k: int = Field(0, ge=0, description="0 disables top-k")
    max_new_tokens: int = Field(256, ge=1, description="per turn")

    @property
    def greedy(self) -> bool:
        return self.temperature == 0.0


@dataclass
class Generation:
    """One generated turn: token ids (with the end-of-turn token when the model produced it),
    their sampling log-probabilities, the decoded text, and whether the turn ended properly."""

    ids: list[int]
    logprobs: list[float]
    text: str
    finished: bool


class HFPolicy:
    """A Hugging Face causal LM as a mosaic policy.

    ``model`` is a local path or a loaded ``PreTrainedModel``; ``tokenizer`` defaults to the one
    saved with the model. Nothing is downloaded: with a path, loading is local only.
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any = None,
        *,
        sampling: Sampling | None = None,
        name: str | None = None,
        device: str | None = None,
    ) -> None:
        require_learn()
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if isinstance(model, str | Path):
            path = Path(model)
            if not (path / "config.json").exists():
                raise FileNotFoundError(
                    f"{path} is not a saved model (no config.json); pass a directory written by "
                    "save_pretrained, e.g. one made by `mosaic-learn demo` or `mosaic_learn.tiny.build_tiny`"
                )
            name = name or path.name
            model = AutoModelForCausalLM.from_pretrained(
                path, local_files_only=True, dtype=torch.float32
            )
            if tokenizer is None:
                tokenizer = path
        if isinstance(tokenizer, str | Path):
            tokenizer = AutoTokenizer.from_pretrained(tokenizer, local_files_only=True)
        if tokenizer is None:
            raise ValueError("pass a tokenizer (or a model path that has one saved beside it)")
        if device is not None:
            model = model.to(device)
        self.model = model
        self.tokenizer = tokenizer
        self.sampling = sampling or Sampling()
        self.name = name or type(model).__name__
        self.end_of_turn = end_of_turn(tokenizer)
        self.stop_ids = sorted({tokenizer.convert_tokens_to_ids(t) for t in self.end_of_turn})
        # closes a turn cut off by max_new_tokens, as the template would have
        self.turn_end_id = tokenizer.convert_tokens_to_ids(turn_closer(tokenizer))
        pad = tokenizer.pad_token_id
        self.pad_id = pad if pad is not None else self.stop_ids[0]
        self._messages: list[dict[str, Any]] = []

    # -- token streams ---------------------------------------------------------------------------
    def encode(self, text: str) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def prompt_ids(
        self, messages: Sequence[dict[str, Any]], tools: Sequence[dict[str, Any]] | None
    ) -> list[int]:
        """Token ids of the conversation so far, ending with the generation prompt."""
        return self.encode(render(self.tokenizer, messages, tools, add_generation_prompt=True))

    def suffix_ids(
        self, messages: Sequence[dict[str, Any]], n_new: int, tools: Sequence[dict[str, Any]] | None
    ) -> list[int]:
        """Token ids of what follows the model's turn once the env answered (see
        :func:`mosaic_learn.prompts.tool_suffix`)."""
        return self.encode(tool_suffix(self.tokenizer, messages, n_new, tools, self.end_of_turn))

    def generate(
        self, batch: Sequence[Sequence[int]], max_new_tokens: Sequence[int] | int | None = None
    ) -> list[Generation]:
        """Generate one turn for each token stream in ``batch``, all in one padded batch.

        ``max_new_tokens`` (one value, or one per stream) caps each turn; a stream's turn stops
        at its first end-of-turn token.
        """
        import torch
        from transformers import GenerationConfig

        if not batch:
            return []
        caps = (
            [max_new_tokens or self.sampling.max_new_tokens] * len(batch)
            if not isinstance(max_new_tokens, Sequence)
            else list(max_new_tokens)
        )
        if len(caps) != len(batch) or min(caps) < 1:
            raise ValueError("max_new_tokens needs one positive value per stream")
        device = next(self.model.parameters()).device
        width = max(len(x) for x in batch)
        ids = torch.full((len(batch), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for i, row in enumerate(batch):
            if row:
                ids[i, width - len(row) :] = torch.tensor(list(row), dtype=torch.long)
                mask[i, width - len(row) :] = 1
        s = self.sampling
        config = GenerationConfig(
            max_new_tokens=max(caps),
            do_sample=not s.greedy,
            temperature=s.temperature if not s.greedy else None,
            top_p=s.top_p if not s.greedy else None,
            top_k=s.top_k if not s.greedy else None,
            eos_token_id=self.stop_ids,
            pad_token_id=self.pad_id,
            bos_token_id=None,
            return_dict_in_generate=True,
            output_scores=True,
        )
        was_training = self.model.training
        self.model.eval()
        try:
            with torch.no_grad():
                out = self.model.generate(
                    input_ids=ids.to(device),
                    attention_mask=mask.to(device),
                    generation_config=config,
                )
        finally:
            if was_training:
                self.model.train()
        new = out.sequences[:, width:].cpu()
        scores = torch.stack(out.scores, dim=1).float().cpu() if out.scores else None
        results = []
        stop = set(self.stop_ids)
        for i in range(len(batch)):
            row = new[i].tolist()
            n = min(len(row), caps[i])
            end = next((j for j in range(n) if row[j] in stop), None)
            keep = row[: end + 1] if end is not None else row[:n]
            if scores is not None and keep:
                lp = torch.log_softmax(scores[i, : len(keep)], dim=-1)
                logprobs = lp.gather(1, torch.tensor(keep).unsqueeze(1)).squeeze(1).tolist()
            else:
                logprobs = [0.0] * len(keep)
            text = self.tokenizer.decode(keep, skip_special_tokens=True)
            results.append(
                Generation(ids=keep, logprobs=logprobs, text=text, finished=end is not None)
            )
        return results

    # -- mosaic_gym Policy protocol (one env, re-rendered every turn) -----------------------------
    def reset(self, env: Any, observation: str, info: dict[str, Any]) -> None:
        self._tools = info.get("tools")

    def act(self, observation: str, info: dict[str, Any]) -> str:
        return self.generate([self.prompt_ids(info["messages"], info.get("tools"))])[0].text

    # -- plain completion (for judges) ------------------------------------------------------------
    def complete(
        self, conversations: Sequence[Sequence[dict[str, Any]]], max_new_tokens: int | None = None
    ) -> list[str]:
        """The model's reply to each conversation (no tools), in one batch."""
        streams = [self.prompt_ids(c, None) for c in conversations]
        return [g.text for g in self.generate(streams, max_new_tokens)]


@dataclass
class EndpointPolicy:
    """A model served behind an OpenAI-compatible ``/v1/chat/completions`` (vLLM, llama.cpp,
    TGI ...), as a mosaic policy.

    The server applies its own chat template and tool-call parser; returned tool calls are written
    back into the protocol's ``<tool_call>`` form. Requests for several envs run concurrently.
    """

    base_url: str
    model: str
    api_key: str | None = None
    sampling: Sampling = field(default_factory=Sampling)
    timeout_s: float = 120.0
    concurrency: int = 8
    name: str = ""

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {self.base_url!r}")
        self.base_url = self.base_url.rstrip("/")
        if not self.base_url.endswith("/v1"):
            self.base_url += "/v1"
        self.name = self.name or self.model

    def _post(self, payload: dict[str, Any]) -> dict[str, Any]:
        req = urllib.request.Request(
            self.base_url + "/chat/completions",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"}
            | ({"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}),
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
                return json.loads(resp.read().decode())
        except urllib.error.HTTPError as e:
            body = e.read().decode(errors="replace")[:500]
            raise RuntimeError(f"{self.base_url} answered HTTP {e.code}: {body}") from None
        except urllib.error.URLError as e:
            raise RuntimeError(f"cannot reach {self.base_url}: {e.reason}") from None

    def respond(
        self,
        conversations: Sequence[tuple[Sequence[dict[str, Any]], Sequence[dict[str, Any]] | None]],
    ) -> list[str]:
        """One protocol turn for each ``(messages, tools)``, requested concurrently."""
        with ThreadPoolExecutor(max_workers=max(1, self.concurrency)) as pool:
            return list(pool.map(lambda mt: self._turn(*mt), conversations))

    def _turn(
        self, messages: Sequence[dict[str, Any]], tools: Sequence[dict[str, Any]] | None
    ) -> str:
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": _openai_messages(messages),
            "temperature": self.sampling.temperature,
            "top_p": self.sampling.top_p,
            "max_tokens": self.sampling.max_new_tokens,
        }
        if tools:
            payload["tools"] = list(tools)
        data = self._post(payload)
        try:
            msg = data["choices"][0]["message"]
        except (KeyError, IndexError, TypeError):
            raise RuntimeError(f"{self.base_url} returned no choices: {str(data)[:300]}") from None
        text = msg.get("content") or ""
        for call in msg.get("tool_calls") or []:
            fn = call.get("function", {})
            args = fn.get("arguments", "{}")
            try:
                args = json.loads(args) if isinstance(args, str) else args
            except json.JSONDecodeError:
                pass  # left as the raw string: the env reports it as an invalid action
            text += (
                "\n<tool_call>"
                + json.dumps({"name": fn.get("name"), "arguments": args})
                + "</tool_call>"
            )
        return text

    def reset(self, env: Any, observation: str, info: dict[str, Any]) -> None:
        pass

    def act(self, observation: str, info: dict[str, Any]) -> str:
        return self._turn(info["messages"], info.get("tools"))

    def complete(
        self, conversations: Sequence[Sequence[dict[str, Any]]], max_new_tokens: int | None = None
    ) -> list[str]:
        return self.respond([(c, None) for c in conversations])


def _openai_messages(messages: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Env messages in the OpenAI wire format (call ids paired with tool results, JSON-string
    arguments)."""
    out: list[dict[str, Any]] = []
    pending: list[str] = []
    n = 0
    for m in template_messages(messages):
        if m["role"] == "assistant" and m.get("tool_calls"):
            calls = []
            pending = []
            for c in m["tool_calls"]:
                n += 1
                cid = f"call_{n}"
                pending.append(cid)
                fn = c["function"]
                calls.append(
                    {
                        "id": cid,
                        "type": "function",
                        "function": {"name": fn["name"], "arguments": json.dumps(fn["arguments"])},
                    }
                )
            out.append({"role": "assistant", "content": m["content"], "tool_calls": calls})
        elif m["role"] == "tool" and pending:
            out.append({"role": "tool", "tool_call_id": pending.pop(0), "content": m["content"]})
        elif m["role"] == "tool":  # the env's answer to a malformed turn: no call to pair it with
            out.append({"role": "user", "content": m["content"]})
        else:
            out.append({"role": m["role"], "content": m["content"]})
    return out
