"""Episode pairs: episodes grouped by task and seed, every pair judged, ties dropped.

A group is the episodes of one ``(env_id, task_id, seed)``; within it every unordered pair is
judged once (batched through ``Judge.compare_many``), and each decisive verdict becomes an
``EpisodePair`` (chosen = the winner). Ties carry no preference and are dropped; the counts
say how many, per task kind.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import combinations
from pathlib import Path

from mosaic_gym.records import Episode, EpisodePair, JsonlWriter, read_jsonl

from .judges import Judge


def group_episodes(episodes: Iterable[Episode]) -> dict[tuple[str, str, int], list[Episode]]:
    """Episodes by ``(env_id, task_id, seed)``, in input order."""
    groups: dict[tuple[str, str, int], list[Episode]] = defaultdict(list)
    for ep in episodes:
        groups[(ep.env_id, ep.task_id, ep.seed)].append(ep)
    return dict(groups)


def make_pairs(
    episodes: Iterable[Episode], judge: Judge
) -> tuple[list[EpisodePair], dict[str, Counter[str]]]:
    """Every decisive pair within each group, and counts per kind (``groups``, ``singletons``
    — groups of one, which give no pair — ``compared``, ``pairs``, ``ties``)."""
    groups = group_episodes(episodes)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    todo: list[tuple[Episode, Episode]] = []
    for eps in groups.values():
        kind = eps[0].kind
        counts[kind]["groups"] += 1
        if len(eps) < 2:
            counts[kind]["singletons"] += 1
        todo.extend(combinations(eps, 2))
    verdicts = judge.compare_many(todo) if todo else []
    pairs = []
    for (a, b), v in zip(todo, verdicts, strict=True):
        c = counts[a.kind]
        c["compared"] += 1
        if v.winner == "tie":
            c["ties"] += 1
            continue
        chosen, rejected = (a, b) if v.winner == "a" else (b, a)
        pairs.append(
            EpisodePair(
                task_id=a.task_id,
                seed=a.seed,
                chosen=chosen,
                rejected=rejected,
                judge=judge.name,
                reason=v.reason,
            )
        )
        c["pairs"] += 1
    return pairs, dict(counts)


def pairs_file(
    episodes_path: str | Path, judge: Judge, out_path: str | Path
) -> dict[str, Counter[str]]:
    """Judge the episodes in ``episodes_path`` and append the pairs to ``out_path``."""
    pairs, counts = make_pairs(read_jsonl(episodes_path), judge)
    with JsonlWriter(out_path) as out:
        for p in pairs:
            out.write(p)
    return counts


def format_counts(counts: dict[str, Counter[str]]) -> str:
    """A small table of pair counts per kind."""
    cols = ("groups", "compared", "pairs", "ties", "singletons")
    lines = [f"{'kind':<10}" + "".join(f"{c:>11}" for c in cols)]
    total: Counter[str] = Counter()
    for kind in sorted(counts):
        total.update(counts[kind])
        lines.append(f"{kind:<10}" + "".join(f"{counts[kind][c]:>11}" for c in cols))
    lines.append(f"{'all':<10}" + "".join(f"{total[c]:>11}" for c in cols))
    return "\n".join(lines)


def _by_refusal(
    pairs: list[EpisodePair],
) -> tuple[list[EpisodePair], list[EpisodePair], list[EpisodePair]]:
    """``(pro, con, rest)``: pairs whose refusal was chosen, whose refusal was rejected, and the
    ones where both or neither side refused, each in the given order."""
    pro: list[EpisodePair] = []
    con: list[EpisodePair] = []
    rest: list[EpisodePair] = []
    for p in pairs:
        c, r = p.chosen.outcome.refused, p.rejected.outcome.refused
        (pro if c and not r else con if r and not c else rest).append(p)
    return pro, con, rest


def balance_refusals(pairs: list[EpisodePair], seed: int = 0) -> list[EpisodePair]:
    """Repeat pairs so that "the refusal was chosen" and "the refusal was rejected" are equally
    many (pairs where both or neither refused are kept once).

    A policy that cannot yet tell harmful tasks from the rest lowers a DPO loss over the natural
    mix (about one harmful task in four) by refusing less everywhere; over a balanced set the
    only way down is to refuse on the tasks that call for it.
    """
    import random

    pro, con, rest = _by_refusal(pairs)
    if not pro or not con:
        return list(pairs)
    small, large = (pro, con) if len(pro) < len(con) else (con, pro)
    rng = random.Random(seed)
    extra = [rng.choice(small) for _ in range(len(large) - len(small))]
    out = rest + large + small + extra
    rng.shuffle(out)
    return out


def balanced_batches(
    pairs: list[EpisodePair],
    batch_size: int,
    *,
    epochs: int = 1,
    seed: int = 0,
) -> list[EpisodePair]:
    """The pairs in an order where every run of ``batch_size`` (even) holds as many
    "the refusal was chosen" pairs as "the refusal was rejected" ones, over ``epochs`` passes
    (the smaller side drawn again, reshuffled each pass). Feed it in order
    (``train_dpo(..., in_order=True)``).

    :func:`balance_refusals` evens the counts over the whole set; here every optimizer step is
    even, so what the step moves in common to all tasks (the refusal phrase's logit) cancels
    within the step, and what is left is the part that depends on the task. Pairs where both or
    neither refused are left out. Returns an empty list when either side has no pair.
    """
    import random

    if batch_size < 2 or batch_size % 2:
        raise ValueError("batch_size must be an even number of at least 2")
    if epochs < 1:
        raise ValueError("epochs must be at least 1")
    pro, con, _ = _by_refusal(pairs)
    if not pro or not con:
        return []
    rng = random.Random(seed)
    half = batch_size // 2
    n = -(-max(len(pro), len(con)) // half) * half  # pairs per side per pass, whole batches

    def draw(side: list[EpisodePair]) -> list[EpisodePair]:
        out: list[EpisodePair] = []
        while len(out) < n:
            chunk = list(side)
            rng.shuffle(chunk)
            out += chunk
        return out[:n]

    batches: list[list[EpisodePair]] = []
    for _ in range(epochs):
        a, b = draw(pro), draw(con)
        batches += [a[i : i + half] + b[i : i + half] for i in range(0, n, half)]
    rng.shuffle(batches)
    return [p for batch in batches for p in batch]
