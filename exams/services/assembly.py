"""Drawing the questions of an attempt from the published bank."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
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


@dataclass(frozen=True)
class Row:
    """A question the blueprint may draw."""

    pk: int
    version_id: int
    sub_domain_id: int
    case_study_id: int | None
    case_order: int | None


def _pool(blueprint: ExamBlueprint, question_ids=None) -> tuple[list[Row], dict[int, set[int]]]:
    """Every question the blueprint may draw, and each one's enemies among all questions.

    A few integers per row and no join to the versions: on a 10,000-question bank the join and
    the wider rows were half of the draw's time (docs/performance.md). The enemies come in the
    same query (a left join on the small enemies table: a question with two enemies is two rows).
    What the drawn versions hold is read for those alone (``_versions``).
    """
    rows: dict[int, Row] = {}
    enemies: dict[int, set[int]] = defaultdict(set)
    for pk, version_id, sub_id, case_id, case_order, enemy in pool_query(blueprint, question_ids):
        rows.setdefault(pk, Row(pk, version_id, sub_id, case_id, case_order))
        if enemy is not None:
            enemies[pk].add(enemy)
    return list(rows.values()), enemies


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

    def __init__(self, need: dict[int, int], enemies: dict[int, set[int]], max_cases: int | None):
        self.need = need
        self.enemies = enemies
        self.max_cases = max_cases
        self.cases = 0
        self.taken: set[int] = set()
        self.blocked: set[int] = set()
        self.units: list[list[Row]] = []

    def fits(self, unit: list[Row]) -> bool:
        if any(row.pk in self.blocked or row.pk in self.taken for row in unit):
            return False
        if any(self.enemies.get(a.pk, set()) & {b.pk for b in unit} for a in unit):
            return False
        per_sub = Counter(row.sub_domain_id for row in unit)
        if any(self.need.get(sub, 0) < n for sub, n in per_sub.items()):
            return False
        is_case = unit[0].case_study_id is not None
        return not (is_case and self.max_cases is not None and self.cases >= self.max_cases)

    def take(self, unit: list[Row]) -> None:
        self.units.append(unit)
        self.cases += unit[0].case_study_id is not None
        for row in unit:
            self.need[row.sub_domain_id] -= 1
            self.taken.add(row.pk)
            self.blocked |= self.enemies.get(row.pk, set())

    def fill(self, rows: list[Row]) -> None:
        """Take single questions, in the order given, wherever they are still needed."""
        for row in rows:
            if self.need.get(row.sub_domain_id, 0) > 0 and self.fits([row]):
                self.take([row])


def _least_seen_first(items: list, rank_of, rng: random.Random) -> list:
    """``items``, the lowest rank first (``_seen``: least shown, answered wrongly, seen longest
    ago), in random order among equals."""
    keyed = [(rank_of(item), rng.random(), n) for n, item in enumerate(items)]
    return [items[n] for _, _, n in sorted(keyed)]


def _select(
    rows: list[Row],
    need: dict[int, int],
    enemies,
    ranks: dict[int, tuple],
    fresh,
    fresh_singles: Counter,
    rng,
    max_cases,
) -> _Selection:
    """Choose the units that fill ``need`` (questions per task statement).

    ``fresh(row)`` says whether a question is at its domain's lowest "times shown" (unseen, until
    the candidate has seen the whole domain); ``fresh_singles`` counts such single questions per
    task statement. A case study is a unit: all of its drawable questions, in their order, each
    counted against its own task statement. A fresh one is taken first where a task statement's
    fresh single questions cannot fill what it needs, then at about the rate its task
    statements are drawn (so a form holds case studies as often as the bank does), at most
    ``max_cases``. Single questions fill the rest, lowest rank first.
    Enemies never share a draw: a question whose enemy is taken is not taken. When a task
    statement cannot be filled that way, further case studies that fit are taken.
    """
    selection = _Selection(need, enemies, max_cases)
    available = Counter(row.sub_domain_id for row in rows)
    case_units: dict[int, list[Row]] = defaultdict(list)
    singles: list[Row] = []
    for row in rows:
        if row.case_study_id is None:
            singles.append(row)
        else:
            case_units[row.case_study_id].append(row)

    def rank(row: Row) -> tuple:
        return ranks.get(row.pk, UNSEEN)

    cases = [sorted(unit, key=lambda r: (r.case_order or 0, r.pk)) for _, unit in sorted(case_units.items())]
    cases = _least_seen_first(cases, lambda unit: max(rank(r) for r in unit), rng)
    fresh_cases = [unit for unit in cases if all(fresh(r) for r in unit)]
    for unit in fresh_cases:
        if any(
            need.get(r.sub_domain_id, 0) > fresh_singles[r.sub_domain_id] for r in unit
        ) and selection.fits(unit):
            selection.take(unit)
    for unit in fresh_cases:
        if unit[0].pk in selection.taken:
            continue
        rate = sum(need.get(r.sub_domain_id, 0) / available[r.sub_domain_id] for r in unit) / len(unit)
        if rng.random() < rate and selection.fits(unit):
            selection.take(unit)
    singles = _least_seen_first(singles, rank, rng)
    selection.fill(singles)
    if any(n > 0 for n in selection.need.values()):
        for unit in cases:
            if any(selection.need.get(r.sub_domain_id, 0) > 0 for r in unit) and selection.fits(unit):
                selection.take(unit)
        selection.fill(singles)
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
    rows, enemies = _pool(blueprint, question_ids)
    by_domain: dict[int, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        code, domain_id = subs[row.sub_domain_id]
        by_domain[domain_id][code].append(row)
    seen = _seen(user, blueprint.guide_id)
    ranks = _ranks(enemies, seen)
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
    def times(row: Row) -> int:
        return seen[row.pk][0] if row.pk in seen else 0

    lowest: dict[int, int] = {}  # per task statement, its domain's lowest "times shown"
    fresh_singles: Counter = Counter()  # per task statement, its single questions at that
    need: dict[int, int] = {}
    for domain, quota in plan:
        groups = by_domain[domain.pk]
        codes = sorted(groups)
        everything = [r for code in codes for r in groups[code]]
        least = 0 if any(r.pk not in seen for r in everything) else min(map(times, everything))
        unseen = []
        for code in codes:
            group, sub_id = groups[code], groups[code][0].sub_domain_id
            if least == 0:  # the usual case, kept cheap: a set look-up per question
                at_least = [r for r in group if r.pk not in seen]
            else:
                at_least = [r for r in group if times(r) == least]
            unseen.append(len(at_least))
            fresh_singles[sub_id] = sum(1 for r in at_least if r.case_study_id is None)
            lowest[sub_id] = least
        counts = spread(quota, [len(groups[c]) for c in codes], unseen, rng)
        for code, count in zip(codes, counts, strict=True):
            need[groups[code][0].sub_domain_id] = count

    def fresh(row: Row) -> bool:
        return times(row) == lowest.get(row.sub_domain_id, 0)

    # Enemies and case studies may leave a task statement short on one choice and not on
    # another: a few more tries (from the same seed) before refusing, the ranks loosened as
    # they go (``_loosened``) so that a candidate's history cannot fix every try on one choice.
    for attempt in range(SELECTION_TRIES):
        selection = _select(
            rows,
            dict(need),
            enemies,
            _loosened(ranks, attempt),
            fresh,
            fresh_singles,
            rng,
            blueprint.max_case_studies,
        )
        if question_ids is not None:
            break
        try:
            _make_up_shortfalls(selection, rows, subs, ranks, rng, total)
            break
        except AssemblyError:
            if attempt == SELECTION_TRIES - 1:
                raise
    return _draws(selection, subs, rng)


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


def _make_up_shortfalls(selection: _Selection, rows: list[Row], subs: dict, ranks, rng, total: int) -> None:
    """Enemies, or case studies too big for what a task statement needs, may leave it short:
    take other single questions of the same domain instead, or refuse the draw by name."""
    short: Counter = Counter()
    for sub, n in selection.need.items():
        if n > 0:
            short[subs[sub][1]] += n
    for domain_id, count in short.items():
        singles = [r for r in rows if r.case_study_id is None and subs[r.sub_domain_id][1] == domain_id]
        for row in _least_seen_first(singles, lambda r: ranks.get(r.pk, UNSEEN), rng):
            if count == 0:
                break
            if row.pk not in selection.taken and row.pk not in selection.blocked:
                selection.need[row.sub_domain_id] = selection.need.get(row.sub_domain_id, 0) + 1
                selection.take([row])
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


def _draws(selection: _Selection, subs: dict, rng: random.Random) -> list[Draw]:
    """The selected questions as drawn: units in random order, a case study's questions together
    in their order; each question's options (a matching item's prompts and its responses apart)
    in an order of their own."""
    rows = [row for unit in selection.units for row in unit]
    versions = _versions([row.version_id for row in rows])
    drawn: dict[int, Draw] = {}
    for row in rows:
        qtype, choice_count, select_count = versions[row.version_id]
        order = shuffled_order(qtype, choice_count, rng)
        drawn[row.pk] = Draw(
            row.pk,
            row.version_id,
            row.sub_domain_id,
            subs[row.sub_domain_id][1],
            choice_count,
            select_count,
            tuple(order),
        )
    units = list(selection.units)
    rng.shuffle(units)
    return [drawn[row.pk] for unit in units for row in unit]
