"""A text space for LLM turns: any Unicode string up to a length, sampled from varied text.

gymnasium's ``Text`` accepts only its charset (alphanumerics by default) and stores characters
as charset indices in shared memory, so it cannot carry model output. :class:`UnicodeText`
accepts every ``str`` up to ``max_length``; batched, it is a ``Tuple`` of strings (gymnasium's
rule for custom spaces), and ``AsyncVectorEnv``'s shared memory carries it as UTF-32 code points.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Sequence
from typing import Any

import numpy as np
from gymnasium.spaces import Space
from gymnasium.vector.utils import (
    create_shared_memory,
    read_from_shared_memory,
    write_to_shared_memory,
)

_SAMPLE_PIECES = (
    "<think>", "</think>", "<safety_thoughts>", "</safety_thoughts>", "<tool_call>",
    "</tool_call>", '{"name": "read_file", "arguments": {"path": "~/notes/todo.md"}}',
    "{", "}", '"', "\n", " ", "é", "日本", "🙂", "\u200b", "~/../", "refuse",
)
_SAMPLE_CHARS = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?-_/\\'\"()[]{}<>\n\t"
    "àéîõüßçñ€£¥ΩπЖж中文日本語한국어😀🔥"
)


class UnicodeText(Space[str]):
    """Any ``str`` of at most ``max_length`` characters."""

    def __init__(self, max_length: int = 65_536, seed: int | np.random.Generator | None = None):
        if max_length < 1:
            raise ValueError("max_length must be positive")
        self.max_length = int(max_length)
        super().__init__(dtype=str, seed=seed)

    @property
    def is_np_flattenable(self) -> bool:
        return False

    def sample(self, mask: Any = None, probability: Any = None) -> str:
        """Random text mixing protocol tags, JSON, whitespace and non-ASCII characters."""
        if mask is not None or probability is not None:
            raise NotImplementedError("UnicodeText.sample takes no mask or probability")
        n = int(self.np_random.integers(0, min(self.max_length, 64) + 1))
        parts: list[str] = []
        length = 0
        while length < n:
            if self.np_random.random() < 0.3:
                piece = _SAMPLE_PIECES[int(self.np_random.integers(len(_SAMPLE_PIECES)))]
            else:
                piece = _SAMPLE_CHARS[int(self.np_random.integers(len(_SAMPLE_CHARS)))]
            parts.append(piece)
            length += len(piece)
        return "".join(parts)[: self.max_length]

    def contains(self, x: Any) -> bool:
        return isinstance(x, str) and len(x) <= self.max_length

    def __repr__(self) -> str:
        return f"UnicodeText({self.max_length})"

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, UnicodeText) and other.max_length == self.max_length

    def to_jsonable(self, sample_n: Any) -> list[str]:
        return list(sample_n)

    def from_jsonable(self, sample_n: list[str]) -> list[str]:
        return list(sample_n)


@create_shared_memory.register(UnicodeText)
def _create_shm(space: UnicodeText, n: int = 1, ctx: Any = mp) -> Any:
    shm = ctx.Array("i", n * space.max_length)
    np.frombuffer(shm.get_obj(), dtype=np.int32)[:] = -1  # every slot starts as ""
    return shm


class SharedTexts(Sequence[str]):
    """A live view of a batch of strings in shared memory (like gymnasium's array views).

    ``AsyncVectorEnv`` reads its shared buffer once and then hands out copies of that view, so
    the view decodes on access; ``copy.deepcopy`` (what the vector env does with ``copy=True``)
    gives a plain tuple of the current strings.
    """

    def __init__(self, shared_memory: Any, n: int, max_length: int) -> None:
        self._shm = shared_memory
        self._n = n
        self._size = max_length

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(self._n)))
        if not -self._n <= i < self._n:
            raise IndexError(i)
        i %= self._n
        data = np.frombuffer(self._shm.get_obj(), dtype=np.int32)
        row = data[i * self._size : (i + 1) * self._size]
        end = np.flatnonzero(row < 0)
        row = row[: end[0]] if end.size else row
        return row.astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")

    def __deepcopy__(self, memo: Any) -> tuple[str, ...]:
        return tuple(self)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __repr__(self) -> str:
        return f"SharedTexts({tuple(self)!r})"


@read_from_shared_memory.register(UnicodeText)
def _read_shm(space: UnicodeText, shared_memory: Any, n: int = 1) -> SharedTexts:
    return SharedTexts(shared_memory, n, space.max_length)


@write_to_shared_memory.register(UnicodeText)
def _write_shm(space: UnicodeText, index: int, values: str, shared_memory: Any) -> None:
    size = space.max_length
    dest = np.frombuffer(shared_memory.get_obj(), dtype=np.int32)
    codes = np.frombuffer(values[:size].encode("utf-32-le", "surrogatepass"), dtype="<u4")
    row = np.full(size, -1, dtype=np.int32)
    row[: codes.size] = codes.astype(np.int32)
    np.copyto(dest[index * size : (index + 1) * size], row)
