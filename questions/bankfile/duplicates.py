"""Near-duplicate stems: pairs of questions whose stems share most of their word 3-grams."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from .questions import QuestionSpec

NEAR_DUPLICATE_THRESHOLD = 0.6


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i : i + 3]) for i in range(max(1, len(words) - 2))}


def near_duplicates(questions: list[QuestionSpec], threshold: float = NEAR_DUPLICATE_THRESHOLD):
    """Pairs of questions whose stems share most of their word 3-grams (Jaccard similarity)."""
    shingles = [_shingles(q.stem) for q in questions]
    index: dict[tuple, list[int]] = defaultdict(list)
    for i, grams in enumerate(shingles):
        for gram in grams:
            index[gram].append(i)
    shared: Counter = Counter()
    for members in index.values():
        if len(members) < 50:  # a 3-gram in 50+ stems says nothing about any pair
            for a in range(len(members)):
                for b in range(a + 1, len(members)):
                    shared[(members[a], members[b])] += 1
    for (a, b), common in shared.items():
        union = len(shingles[a]) + len(shingles[b]) - common
        if union and common / union >= threshold:
            yield questions[a], questions[b], common / union
