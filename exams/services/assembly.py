"""Drawing the questions of an attempt from the published bank."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass

from questions.models import Domain, Question, QuestionVersion, SubDomain

from ..errors import AssemblyError
from ..models import ExamBlueprint, SeenQuestion
from ..scoring import apportion, spread


@dataclass(frozen=True)
class Draw:
    """One question drawn: what its AttemptItem holds (the field names are the item's)."""

    question_id: int
    version_id: int
    sub_domain_id: int
    domain_id: int
    choice_count: int
    select_count: int
    option_order: tuple[int, ...]  # matching: the prompts' order, then the responses'

    def item_fields(self) -> dict:
        return {**asdict(self), "option_order": list(self.option_order)}


@dataclass
class Pool:
    """The questions a blueprint may draw, read and grouped once for every try of a draw.

    A question is its pk, and what a draw needs of it is looked up here, in dicts and lists of
    integers rather than an object per question: on a 10,000-question bank, building one (a
    frozen dataclass) per question cost as much as the query, and ten thousand of them alive
    through the draw brought on the garbage collector's full collection, which walks every
    object of the process, every few draws (the slow tail; docs/performance.md).
    """

    version: dict[int, int]  # question -> its current version
    sub: dict[int, int]  # question -> its task statement
    by_sub: dict[int, list[int]]  # task statement -> its questions
    singles: list[int]  # the questions of no case study
    case_of: dict[int, int]  # question of a case study -> the case study
    cases: list[list[int]]  # each case study's questions, in their order
    enemies: dict[int, set[int]]  # question -> its enemies among all questions


def _pool(blueprint: ExamBlueprint, question_ids=None) -> Pool:
    """Every question the blueprint may draw, and each one's enemies among all questions.

    A few integers per row and no join to the versions: on a 10,000-question bank the join and
    the wider rows were half of the draw's time (docs/performance.md). The enemies come in the
    same query (a left join on the small enemies table: a question with two enemies is two rows).
    What the drawn versions hold is read for those alone (``_versions``).
    """
    version: dict[int, int] = {}
    sub: dict[int, int] = {}
    by_sub: dict[int, list[int]] = defaultdict(list)
    singles: list[int] = []
    case_of: dict[int, int] = {}
    case_units: dict[int, list[tuple[int, int]]] = defaultdict(list)
    enemies: dict[int, set[int]] = defaultdict(set)
    for pk, version_id, sub_id, case_id, case_order, enemy in pool_query(blueprint, question_ids):
        if enemy is not None:
            enemies[pk].add(enemy)
        if pk in sub:
            continue  # the same question again, with another enemy
        version[pk] = version_id
        sub[pk] = sub_id
        by_sub[sub_id].append(pk)
        if case_id is None:
            singles.append(pk)
        else:
            case_of[pk] = case_id
            case_units[case_id].append((case_order or 0, pk))
    cases = [[pk for _, pk in sorted(unit)] for _, unit in sorted(case_units.items())]
    return Pool(version, sub, by_sub, singles, case_of, cases, enemies)


def pool_query(blueprint: ExamBlueprint, question_ids=None):
    """The one query of ``_pool`` (``bench/assembly_bench.py`` explains its plan)."""
    qs = Question.objects.filter(
        status=Question.Status.PUBLISHED,
        sub_domain__domain__guide_id=blueprint.guide_id,
        current_version__isnull=False,
    )
    if blueprint.domain_id:
        qs = qs.filter(sub_domain__domain_id=blueprint.domain_id)
    if blueprint.sub_domain_id:
        qs = qs.filter(sub_domain_id=blueprint.sub_domain_id)
    if question_ids is not None:
        qs = qs.filter(pk__in=question_ids)
    return qs.order_by("pk").values_list(
        "pk", "current_version_id", "sub_domain_id", "case_study_id", "case_order", "enemies"
    )


def _versions(version_ids: list[int]) -> dict[int, tuple[str, int, int]]:
    # order_by(): no order wanted, and the default one joins and sorts the questions table.
    rows = QuestionVersion.objects.filter(pk__in=version_ids).order_by()
    return {pk: (t, c, s) for pk, t, c, s in rows.values_list("pk", "type", "choice_count", "select_count")}


def _seen(user, guide_id: int) -> dict[int, tuple]:
    """Per question this candidate has been shown, its rank in a draw (lower comes first): how
    often it was shown, then answered wrongly last time before right or unmarked, then seen
    longest ago. One row per question of the guide at most, whatever the candidate's history
    (``SeenQuestion``, kept by ``services.seen``)."""
    if user is None or user.pk is None:
        return {}
    rows = SeenQuestion.objects.filter(user_id=user.pk, guide_id=guide_id).order_by()
    values = rows.values_list("question_id", "times", "last_wrong", "last_seen_at")
    return {pk: (times, not wrong, seen_at) for pk, times, wrong, seen_at in values}


UNSEEN = (0, 0)  # the rank of an unseen question without enemies


def _ranks(enemies: dict[int, set[int]], seen: dict[int, tuple]) -> dict[int, tuple]:
    """The rank in a draw (lower is drawn first) of each question seen or with enemies; any
    other question ranks ``UNSEEN``. A seen one's is from ``_seen``; an unseen one ranks ahead
    of them, those with more unseen enemies first. Taking one of two unseen enemies early leaves
    the other free for a later form: left to the last unseen form together, one of them would
    have to give way to a repeat."""
    ranks = dict(seen)
    for pk, mates in enemies.items():
        if pk not in seen:
            ranks[pk] = (0, -sum(1 for e in mates if e not in seen))
    return ranks


class _Selection:
    """What a draw has taken so far: questions per task statement still needed, the questions
    taken, the enemies of those (never to be taken), and the units (a question, or a case
    study's questions in their order) in the order they were taken."""

    def __init__(self, need: dict[int, int], pool: Pool, max_cases: int | None):
        self.need = need
        self.pool = pool
        self.max_cases = max_cases
        self.cases = 0
        self.taken: set[int] = set()
        self.blocked: set[int] = set()
        self.units: list[list[int]] = []

    def fits(self, unit: list[int]) -> bool:
        if any(pk in self.blocked or pk in self.taken for pk in unit):
            return False
        if any(self.pool.enemies.get(pk, set()) & set(unit) for pk in unit):
            return False
        per_sub = Counter(self.pool.sub[pk] for pk in unit)
        if any(self.need.get(sub, 0) < n for sub, n in per_sub.items()):
            return False
        is_case = unit[0] in self.pool.case_of
        return not (is_case and self.max_cases is not None and self.cases >= self.max_cases)

    def take(self, unit: list[int]) -> None:
        self.units.append(unit)
        self.cases += unit[0] in self.pool.case_of
        for pk in unit:
            self.need[self.pool.sub[pk]] -= 1
            self.taken.add(pk)
            self.blocked |= self.pool.enemies.get(pk, set())

    def wanting(self) -> bool:
        """Whether a task statement still needs questions."""
        return any(n > 0 for n in self.need.values())

    def fill(self, questions: Iterable[int]) -> None:
        """Take single questions, in the order given, wherever they are still needed; stop once
        none is, so that an order drawn as it is read (``_least_seen_first``) is drawn no
        further than the draw takes."""
        for pk in questions:
            if self.need.get(self.pool.sub[pk], 0) > 0 and self.fits([pk]):
                self.take([pk])
                if not self.wanting():
                    return


def _least_seen_first(items: list, rank_of, rng: random.Random) -> Iterator:
    """``items``, the lowest rank first (``_ranks``: unseen with unseen enemies, unseen, then as
    ``_seen`` says), in random order among equals.

    Most of a large bank ranks ``UNSEEN`` (unseen, no enemies), and a draw reads a few hundred
    of those at most: they are shuffled as they are read, a step of Fisher-Yates each, so that
    the order costs what the draw reads rather than a sort of the whole bank. The others (seen,
    or with enemies) are sorted, with a random number each to order equals."""
    unseen, ahead, behind = [], [], []
    for n, item in enumerate(items):
        rank = rank_of(item)
        if rank == UNSEEN:
            unseen.append(item)
        else:
            (ahead if rank < UNSEEN else behind).append((rank, rng.random(), n, item))
    yield from (item for *_, item in sorted(ahead))
    for end in range(len(unseen) - 1, -1, -1):
        pick = rng.randrange(end + 1)
        unseen[pick], unseen[end] = unseen[end], unseen[pick]
        yield unseen[end]
    yield from (item for *_, item in sorted(behind))


def _select(
    pool: Pool,
    need: dict[int, int],
    ranks: dict[int, tuple],
    fresh,
    fresh_singles: Counter,
    rng,
    max_cases,
) -> _Selection:
    """Choose the units that fill ``need`` (questions per task statement).

    ``fresh(pk)`` says whether a question is at its domain's lowest "times shown" (unseen, until
    the candidate has seen the whole domain); ``fresh_singles`` counts such single questions per
    task statement. A case study is a unit: all of its drawable questions, in their order, each
    counted against its own task statement. A fresh one is taken first where a task statement's
    fresh single questions cannot fill what it needs, then at about the rate its task
    statements are drawn (so a form holds case studies as often as the bank does), at most
    ``max_cases``. Single questions fill the rest, lowest rank first.
    Enemies never share a draw: a question whose enemy is taken is not taken. When a task
    statement cannot be filled that way, further case studies that fit are taken.
    """
    selection = _Selection(need, pool, max_cases)

    def rank(pk: int) -> tuple:
        return ranks.get(pk, UNSEEN)

    cases = list(_least_seen_first(pool.cases, lambda unit: max(map(rank, unit)), rng))
    fresh_cases = [unit for unit in cases if all(map(fresh, unit))]
    for unit in fresh_cases:
        unit_subs = [pool.sub[pk] for pk in unit]
        if any(need.get(sub, 0) > fresh_singles[sub] for sub in unit_subs) and selection.fits(unit):
            selection.take(unit)
    for unit in fresh_cases:
        if unit[0] in selection.taken:
            continue
        unit_subs = [pool.sub[pk] for pk in unit]
        rate = sum(need.get(sub, 0) / len(pool.by_sub[sub]) for sub in unit_subs) / len(unit)
        if rng.random() < rate and selection.fits(unit):
            selection.take(unit)
    # A task statement once filled stays filled, and a question that did not fit never will:
    # the singles are read once, and what they leave short only a case study can fill.
    selection.fill(_least_seen_first(pool.singles, rank, rng))
    if selection.wanting():
        for unit in cases:
            if any(selection.need.get(pool.sub[pk], 0) > 0 for pk in unit) and selection.fits(unit):
                selection.take(unit)
    return selection


def assemble(*, blueprint: ExamBlueprint, user, rng: random.Random, question_ids=None) -> list[Draw]:
    """Draw ``blueprint.question_count`` questions.

    Per-domain counts follow the guide's weights (largest remainder); each domain's count is
    spread over its task statements (each at least once where the bank allows, the remainders
    where the candidate's unseen questions are), and within a task statement the questions this
    candidate has been shown least come first, so that they see the whole bank before a repeat
    (docs/scoring.md). A case study's questions are drawn together and stay together, in their
    order; enemies never share a draw. The same ``rng`` seed gives the same draw.
    ``question_ids`` limits the draw to a given set (practice sets). Five queries whatever the
    size of the bank and the candidate's history.
    """
    domains = list(Domain.objects.filter(guide_id=blueprint.guide_id).order_by("number"))
    subs = {
        pk: (code, domain_id)
        for pk, code, domain_id in SubDomain.objects.filter(domain__guide_id=blueprint.guide_id)
        .order_by()
        .values_list("pk", "code", "domain_id")
    }
    if blueprint.domain_id or blueprint.sub_domain_id or question_ids is not None:
        wanted_domains = None  # a focused set draws from what it has, not by the guide's weights
    else:
        wanted_domains = domains
    pool = _pool(blueprint, question_ids)
    by_domain: dict[int, dict[str, list[int]]] = defaultdict(dict)  # domain -> code -> questions
    for sub_id, questions in pool.by_sub.items():
        code, domain_id = subs[sub_id]
        by_domain[domain_id][code] = questions
    seen = _seen(user, blueprint.guide_id)
    ranks = _ranks(pool.enemies, seen)
    total = blueprint.question_count

    if wanted_domains is None:
        present = [d for d in domains if by_domain.get(d.pk)]
        available = [sum(len(v) for v in by_domain[d.pk].values()) for d in present]
        if sum(available) < total and question_ids is None:
            raise AssemblyError(
                f"This set needs {total} published questions but the bank holds {sum(available)}: "
                f"{total - sum(available)} short."
            )
        quotas = apportion(min(total, sum(available)), available, available)
        plan = list(zip(present, quotas, strict=True))
    else:
        quotas = apportion(total, [d.weight for d in domains])
        short = []
        for domain, quota in zip(domains, quotas, strict=True):
            have = sum(len(v) for v in by_domain[domain.pk].values())
            if have < quota:
                short.append(
                    f"Domain {domain.number} ({domain.title}) needs {quota} published questions "
                    f"but the bank holds {have}: {quota - have} short."
                )
        if short:
            raise AssemblyError(" ".join(short))
        plan = list(zip(domains, quotas, strict=True))

    # Per domain, the questions at its lowest "times shown" (the unseen ones while there are):
    # the task statements' shares follow them, so that none runs dry before the domain does.
    def times(pk: int) -> int:
        return seen[pk][0] if pk in seen else 0

    lowest: dict[int, int] = {}  # per task statement, its domain's lowest "times shown"
    fresh_singles: Counter = Counter()  # per task statement, its single questions at that
    need: dict[int, int] = {}
    for domain, quota in plan:
        groups = by_domain[domain.pk]
        codes = sorted(groups)
        everything = [pk for code in codes for pk in groups[code]]
        least = 0 if any(pk not in seen for pk in everything) else min(map(times, everything))
        unseen = []
        for code in codes:
            group, sub_id = groups[code], pool.sub[groups[code][0]]
            if least == 0:  # the usual case, kept cheap: a set look-up per question
                at_least = [pk for pk in group if pk not in seen]
            else:
                at_least = [pk for pk in group if times(pk) == least]
            unseen.append(len(at_least))
            fresh_singles[sub_id] = sum(1 for pk in at_least if pk not in pool.case_of)
            lowest[sub_id] = least
        counts = spread(quota, [len(groups[c]) for c in codes], unseen, rng)
        for code, count in zip(codes, counts, strict=True):
            need[pool.sub[groups[code][0]]] = count

    def fresh(pk: int) -> bool:
        return times(pk) == lowest.get(pool.sub[pk], 0)

    # Enemies and case studies may leave a task statement short on one choice and not on
    # another: a few more tries (from the same seed) before refusing, the ranks loosened as
    # they go (``_loosened``) so that a candidate's history cannot fix every try on one choice.
    for attempt in range(SELECTION_TRIES):
        selection = _select(
            pool,
            dict(need),
            _loosened(ranks, attempt),
            fresh,
            fresh_singles,
            rng,
            blueprint.max_case_studies,
        )
        if question_ids is not None:
            break
        try:
            _make_up_shortfalls(selection, pool, subs, ranks, rng, total)
            break
        except AssemblyError:
            if attempt == SELECTION_TRIES - 1:
                raise
    return _draws(selection, pool, subs, rng)


SELECTION_TRIES = 25


def _loosened(ranks: dict[int, tuple], attempt: int) -> dict[int, tuple]:
    """The ranks a try draws by. Seen questions' full ranks are all different (seen at different
    times), which leaves the order of a draw nothing to chance: were the first try short, every
    try would be. So the first third of the tries rank by everything, the next by times shown
    alone (least shown still first, at random among equals), the last at random."""
    third = SELECTION_TRIES // 3
    if attempt < third:
        return ranks
    if attempt < 2 * third:
        return {pk: (rank[0], 0) for pk, rank in ranks.items()}
    return {}


def _make_up_shortfalls(selection: _Selection, pool: Pool, subs: dict, ranks, rng, total: int) -> None:
    """Enemies, or case studies too big for what a task statement needs, may leave it short:
    take other single questions of the same domain instead, or refuse the draw by name."""
    short: Counter = Counter()
    for sub, n in selection.need.items():
        if n > 0:
            short[subs[sub][1]] += n
    for domain_id, count in short.items():
        singles = [pk for pk in pool.singles if subs[pool.sub[pk]][1] == domain_id]
        for pk in _least_seen_first(singles, lambda pk: ranks.get(pk, UNSEEN), rng):
            if count == 0:
                break
            if pk not in selection.taken and pk not in selection.blocked:
                sub = pool.sub[pk]
                selection.need[sub] = selection.need.get(sub, 0) + 1
                selection.take([pk])
                count -= 1
        if count:
            drawn = sum(len(u) for u in selection.units)
            raise AssemblyError(
                f"This set needs {total} questions but only {drawn} can be drawn together: enemies "
                "(questions never drawn in the same exam) or case studies leave too few in a domain."
            )


def shuffled_order(qtype: str, choice_count: int, rng: random.Random) -> list[int]:
    """An item's ``option_order``: its options (or steps, or prompts) in an order of their own,
    and for a matching item its responses after them in another."""
    order = list(range(choice_count))
    rng.shuffle(order)
    if qtype == "matching":
        responses = list(range(choice_count))
        rng.shuffle(responses)
        order += responses
    return order


def _draws(selection: _Selection, pool: Pool, subs: dict, rng: random.Random) -> list[Draw]:
    """The selected questions as drawn: units in random order, a case study's questions together
    in their order; each question's options (a matching item's prompts and its responses apart)
    in an order of their own."""
    questions = [pk for unit in selection.units for pk in unit]
    versions = _versions([pool.version[pk] for pk in questions])
    drawn: dict[int, Draw] = {}
    for pk in questions:
        version_id, sub_id = pool.version[pk], pool.sub[pk]
        qtype, choice_count, select_count = versions[version_id]
        order = shuffled_order(qtype, choice_count, rng)
        drawn[pk] = Draw(pk, version_id, sub_id, subs[sub_id][1], choice_count, select_count, tuple(order))
    units = list(selection.units)
    rng.shuffle(units)
    return [drawn[pk] for unit in units for pk in unit]
