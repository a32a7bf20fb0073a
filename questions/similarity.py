"""Words, terms and TF-IDF similarity for the bank audit (pure Python; no ORM, no Django).

``similar_pairs`` finds candidate same-concept pairs: questions in different task statements
whose scenario and answer say the same thing in other words, which the validator's 3-gram stem
check (bankfile.near_duplicates) cannot see. It is a reviewer's list, not a verdict: a pair
above another only shares more rare words.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

WORD = re.compile(r"[a-z][a-z0-9]*(?:['-][a-z0-9]+)*")
# Function words, and the exam's own scaffolding ("which solution meets these requirements"),
# which every stem shares and which would otherwise pair everything with everything.
STOP_WORDS = frozenset(
    WORD.findall(
        """a about above after again against all also an and any are as at be because been before
    being below between both but by can could did do does doing down during each either few for
    from further had has have having he her here how i if in into is it its itself just least
    less many may might more most must no nor not of off on once one only or other our out over
    own same should so some such than that the their them then there these they this those
    through to too under until up very was we were what when where which while who whom why will
    with would you your company team uses use using used needs need wants want meets meet
    requirements requirement solution solutions approach option options following should"""
    )
)


def words(text: str) -> list[str]:
    """Lower-case words of ``text`` (hyphenated and apostrophe words kept whole)."""
    return WORD.findall(text.lower())


def term_counts(text: str) -> Counter:
    """Content unigrams and bigrams of ``text``: stop words removed first, then adjacent pairs."""
    content = [w for w in words(text) if w not in STOP_WORDS]
    return Counter(content) + Counter(f"{a} {b}" for a, b in itertools.pairwise(content))


def terms(text: str) -> set[str]:
    return set(term_counts(text))


@dataclass(frozen=True)
class Pair:
    a: object  # QuestionSpec
    b: object
    score: float
    shared: tuple[str, ...]  # the terms that weigh most in the score, heaviest first


def _text(question) -> str:
    """The stem and the keyed options: what the question is about and what it asserts."""
    keys = [c.text for c in getattr(question, "choices", None) or () if getattr(c, "correct", False)]
    return "\n".join([question.stem, *keys])


def _enemy_pairs(questions) -> set[frozenset[str]]:
    """Declared enemies (``enemies:``, both directions implied); absent until the field lands."""
    return {
        frozenset((q.external_id, other)) for q in questions for other in getattr(q, "enemies", None) or ()
    }


def similar_pairs(questions, top: int = 25) -> list[Pair]:
    """The ``top`` most similar pairs in different task statements, not declared enemies.

    Each question is a TF-IDF vector over the content terms of its stem and keys: term count
    damped as 1 + ln(count), times the smoothed inverse document frequency
    ln((1 + N) / (1 + df)) + 1 over these questions, scaled to unit length; the score is the
    cosine of the two vectors (0 = nothing shared, 1 = the same terms in the same proportions).
    """
    questions = list(questions)
    counts = [term_counts(_text(q)) for q in questions]
    df = Counter(t for c in counts for t in c)
    n = len(questions)
    vectors = []
    for c in counts:
        v = {t: (1 + math.log(k)) * (math.log((1 + n) / (1 + df[t])) + 1) for t, k in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vectors.append({t: x / norm for t, x in v.items()})
    index: dict[str, list[int]] = defaultdict(list)
    for i, v in enumerate(vectors):
        for t in v:
            index[t].append(i)
    dots: dict[tuple[int, int], float] = defaultdict(float)
    for t, members in index.items():
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                dots[(i, j)] += vectors[i][t] * vectors[j][t]
    enemies = _enemy_pairs(questions)
    candidates = [
        (score, i, j)
        for (i, j), score in dots.items()
        if questions[i].sub_domain != questions[j].sub_domain
        and frozenset((questions[i].external_id, questions[j].external_id)) not in enemies
    ]
    candidates.sort(key=lambda c: (-c[0], questions[c[1]].external_id, questions[c[2]].external_id))
    pairs = []
    for score, i, j in candidates[:top]:
        common = sorted(set(vectors[i]) & set(vectors[j]), key=lambda t: (-vectors[i][t] * vectors[j][t], t))
        pairs.append(Pair(questions[i], questions[j], round(score, 3), tuple(common[:6])))
    return pairs
