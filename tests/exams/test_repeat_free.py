"""A candidate who sits mock after mock sees the whole bank before any repeat (issue 24).

On every bundled guide, for the full mock, the mini mock and the drills: as many forms as the
bank can fill without a repeat contain none, over many candidates and seeds, and the next form
repeats no more than it must. Both numbers are computed here from the bank (its domains, task
statements, case studies and enemies), not written down, so a bank edit cannot make this test
pass by accident nor fail for no reason.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from exams.models import AttemptItem, ExamBlueprint, SeenQuestion
from exams.scoring import apportion
from exams.services.attempts import attempt_save_answer, attempt_start, attempt_submit
from exams.services.practice import blueprint_for_drill
from questions.models import Domain, ExamGuide, Question, SubDomain
from tests.factories import UserFactory, correct_positions

GUIDES = ("MLS-C01", "MLA-C01", "AIF-C01")
CANDIDATES = {"full": 6, "mini": 3, "drill": 2}  # per blueprint, each with seeds of their own
_users = count()


@dataclass
class Bank:
    """What a guide's published bank holds, as the draw sees it."""

    domain: dict[int, int]  # question -> domain number
    sub: dict[int, int]  # question -> task statement id
    subs_of: dict[int, set[int]]  # domain number -> its task statements
    units: list[frozenset[int]]  # a case study's questions, or one question
    enemies: dict[int, set[int]]

    @classmethod
    def of(cls, blueprint: ExamBlueprint) -> "Bank":
        """What ``blueprint`` draws from: its guide's published questions, or its domain's or
        task statement's."""
        questions = Question.objects.filter(
            status=Question.Status.PUBLISHED, sub_domain__domain__guide=blueprint.guide_id
        )
        if blueprint.domain_id:
            questions = questions.filter(sub_domain__domain=blueprint.domain_id)
        if blueprint.sub_domain_id:
            questions = questions.filter(sub_domain=blueprint.sub_domain_id)
        rows = list(
            questions.values_list("pk", "sub_domain_id", "sub_domain__domain__number", "case_study_id")
        )
        cases = defaultdict(set)
        bank = cls({}, {}, defaultdict(set), [], defaultdict(set))
        for pk, sub, number, case in rows:
            bank.domain[pk], bank.sub[pk] = number, sub
            bank.subs_of[number].add(sub)
            if case is None:
                bank.units.append(frozenset([pk]))
            else:
                cases[case].add(pk)
        bank.units += [frozenset(c) for c in cases.values()]
        for a, b in Question.enemies.through.objects.values_list("from_question_id", "to_question_id"):
            if a in bank.domain and b in bank.domain:
                bank.enemies[a].add(b)
                bank.enemies[b].add(a)
        return bank

    def quotas(self, blueprint: ExamBlueprint) -> dict[int, int]:
        """The domain quotas of one form (the guide's weights; a drill's one domain: its count)."""
        if blueprint.domain_id or blueprint.sub_domain_id:
            return {next(iter(self.subs_of)): blueprint.question_count}
        domains = list(Domain.objects.filter(guide=blueprint.guide).order_by("number"))
        shares = apportion(blueprint.question_count, [d.weight for d in domains])
        return {d.number: q for d, q in zip(domains, shares, strict=True)}

    def fits(self, unit: frozenset[int], quotas: dict[int, int]) -> bool:
        return all(n <= quotas.get(d, 0) for d, n in Counter(self.domain[q] for q in unit).items())

    def repeat_free_forms(self, quotas: dict[int, int]) -> int:
        """How many forms the bank fills without a repeat: per domain, the questions of the units
        that fit one form, over the domain's quota, the fewest of those. Enemies are never in
        one form: with k forms, a question whose enemies already take all k (a greedy colouring
        of the enemies with k colours, most enemies first) is left out of the count."""
        held = Counter(self.domain[q] for u in self.units if self.fits(u, quotas) for q in u)
        k = min(held[d] // quota for d, quota in quotas.items())
        while k > 0:
            colour: dict[int, int] = {}
            lost = Counter()
            for q in sorted(self.enemies, key=lambda q: (-len(self.enemies[q]), q)):
                taken = {colour.get(e) for e in self.enemies[q]}
                free = [c for c in range(k) if c not in taken]
                if free:
                    colour[q] = free[0]
                else:
                    lost[self.domain[q]] += 1
            if all(held[d] - lost[d] >= k * quota for d, quota in quotas.items()):
                return k
            k -= 1
        return 0

    def fewest_repeats(self, quotas: dict[int, int], unseen: set[int]) -> int:
        """The fewest repeats the next form can hold: its size less the most unseen questions it
        can take, which are whole units, no two enemies, per domain no more than its quota less
        one for each task statement left without an unseen question (every task statement is
        drawn). Units with an unseen enemy are tried both ways; the others simply fill up."""
        room = {
            d: quota - sum(1 for s in self.subs_of[d] if not any(self.sub[q] == s for q in unseen))
            for d, quota in quotas.items()
        }
        units = [u for u in self.units if u <= unseen and self.fits(u, quotas)]
        rivals = {u: {e for q in u for e in self.enemies[q]} & unseen for u in units}
        free = Counter(self.domain[q] for u in units if not rivals[u] for q in u)
        torn = [u for u in units if rivals[u]]
        assert len(torn) <= 24, "too many enemies left unseen to try every way"

        def best(i: int, taken: Counter, blocked: frozenset[int]) -> int:
            if i == len(torn):
                return sum(min(room[d], free[d] + taken[d]) for d in room)
            unit, result = torn[i], best(i + 1, taken, blocked)
            if not unit & blocked:
                more = taken + Counter(self.domain[q] for q in unit)
                result = max(result, best(i + 1, more, blocked | rivals[unit]))
            return result

        return sum(quotas.values()) - best(0, Counter(), frozenset())


def sit(user, blueprint: ExamBlueprint, seed: int) -> list[int]:
    """Start and submit one form (nothing answered); the questions it drew."""
    attempt = attempt_start(user=user, blueprint=blueprint, seed=seed)
    drawn = list(AttemptItem.objects.filter(attempt=attempt).values_list("question_id", flat=True))
    attempt_submit(user=user, attempt_id=attempt.pk)
    return drawn


def check_forms(blueprint: ExamBlueprint, candidates: int) -> int:
    """Each candidate sits as many forms as the bank fills without a repeat, then one more;
    the number of those forms."""
    bank = Bank.of(blueprint)
    quotas = bank.quotas(blueprint)
    forms = bank.repeat_free_forms(quotas)
    assert forms >= 1
    for c in range(candidates):
        user = UserFactory(username=f"rf-{next(_users)}")
        seen: set[int] = set()
        for n in range(forms):
            drawn = sit(user, blueprint, seed=1000 * c + n)
            assert len(drawn) == len(set(drawn)) == sum(quotas.values())
            again = seen & set(drawn)
            assert not again, f"{blueprint}: form {n + 1} of {forms} repeats {len(again)} (candidate {c})"
            seen |= set(drawn)
        must = bank.fewest_repeats(quotas, set(bank.domain) - seen)
        drawn = sit(user, blueprint, seed=1000 * c + forms)
        again = len(seen & set(drawn))
        assert again == must, f"{blueprint}: form {forms + 1} repeats {again}, where {must} must be"
    return forms


def load(tmp_path, code: str) -> None:
    """Load one bundled guide (the three together take three times as long)."""
    (tmp_path / code.lower()).symlink_to(Path(settings.QUESTION_BANK_DIR) / code.lower())
    call_command("load_bank", str(tmp_path), verbosity=0)


@pytest.mark.parametrize("code", GUIDES)
def test_every_form_shows_the_whole_bank_before_a_repeat(db, tmp_path, code):
    """The full and mini mocks, a drill of every domain (10 and 20 questions) and of every task
    statement (10)."""
    load(tmp_path, code)
    blueprints = ExamBlueprint.objects.filter(guide__code=code)
    forms = {slug: check_forms(blueprints.get(slug=slug), CANDIDATES[slug]) for slug in ("full", "mini")}
    row = f"| {code} | {forms['full']} | {forms['mini']} |"
    assert row in (Path(settings.BASE_DIR) / "docs" / "scoring.md").read_text(), f"docs/scoring.md: {row}"
    guide = ExamGuide.objects.get(code=code)
    for domain in Domain.objects.filter(guide=guide).order_by("number"):
        for size in (10, 20):
            check_forms(
                blueprint_for_drill(guide=guide, count=size, study=True, domain=domain), CANDIDATES["drill"]
            )
    for sub in SubDomain.objects.filter(domain__guide=guide).order_by("code"):
        check_forms(blueprint_for_drill(guide=guide, count=10, study=False, sub_domain=sub), 1)


def test_repeats_come_from_the_questions_seen_longest_ago_and_answered_wrongly(db, tmp_path, candidate):
    """Once the bank is seen, the next form takes, within each task statement, the questions
    last answered wrongly before those answered right, and the older before the newer."""
    load(tmp_path, "MLS-C01")
    blueprint = ExamBlueprint.objects.get(guide__code="MLS-C01", slug="full")
    bank = Bank.of(blueprint)
    forms = bank.repeat_free_forms(bank.quotas(blueprint))
    for n in range(forms + 1):
        sit(candidate, blueprint, seed=n)
    # Everything has been seen once or twice now; the answers marked right and wrong in turn.
    rows = SeenQuestion.objects.filter(user=candidate)
    assert rows.count() == len(bank.domain)
    twice = (forms + 1) * 65 - len(bank.domain)
    assert Counter(rows.values_list("times", flat=True)) == {1: len(bank.domain) - twice, 2: twice}
    for row in rows:
        row.last_wrong = bool(row.question_id % 2)
        row.save(update_fields=["last_wrong"])
    before = {r.question_id: (r.times, not r.last_wrong, r.last_seen_at) for r in rows}
    drawn = set(sit(candidate, blueprint, seed=99))
    by_sub = defaultdict(list)
    for q, sub in bank.sub.items():
        by_sub[sub].append(q)
    for questions in by_sub.values():
        taken = [before[q] for q in questions if q in drawn]
        # passed over only for an enemy in the form
        left = [before[q] for q in questions if q not in drawn and not bank.enemies[q] & drawn]
        if taken and left:
            assert max(taken) <= min(left), "a question was drawn before one ranked ahead of it"


def test_a_submit_records_how_each_marked_question_was_answered(db, tmp_path, candidate):
    load(tmp_path, "MLS-C01")
    blueprint = ExamBlueprint.objects.get(guide__code="MLS-C01", slug="full")
    attempt = attempt_start(user=candidate, blueprint=blueprint, seed=1)
    first = attempt.items.select_related("version").order_by("position").first()
    attempt_save_answer(
        user=candidate, attempt_id=attempt.pk, position=1, selected=correct_positions(first),
        flagged=False, base_revision=0,
    )  # fmt: skip
    rows = SeenQuestion.objects.filter(user=candidate)
    assert rows.count() == 65 and not rows.exclude(times=1).exists()
    assert not rows.exclude(last_wrong=None).exists()  # shown, not yet marked
    attempt_submit(user=candidate, attempt_id=attempt.pk)
    wrong = dict(rows.values_list("question_id", "last_wrong"))
    assert wrong.pop(first.question_id) is False
    assert set(wrong.values()) == {True}  # unanswered is wrong
