"""Pure scoring functions, checked against values worked out by hand."""

import random

import pytest

from exams.scoring import apportion, is_correct, scaled_score, spread


def test_apportion_mls_c01():
    assert apportion(65, [20, 24, 36, 20]) == [13, 16, 23, 13]


def test_apportion_mla_c01_and_mini_mock():
    assert apportion(65, [28, 26, 22, 24]) == [18, 17, 14, 16]
    assert apportion(20, [20, 24, 36, 20]) == [4, 5, 7, 4]  # 4.0 / 4.8 / 7.2 / 4.0


@pytest.mark.parametrize("total", [1, 7, 20, 50, 65, 100, 257])
def test_apportion_always_adds_up(total):
    assert sum(apportion(total, [20, 24, 36, 20])) == total


def test_apportion_respects_capacity_and_redistributes():
    assert apportion(10, [1, 1], capacity=[2, 100]) == [2, 8]


def test_spread_gives_every_group_one_then_shares_by_size():
    assert spread(5, [10, 10, 10]) == [2, 2, 1]
    assert spread(3, [1, 50, 50]) == [1, 1, 1]
    assert spread(13, [30, 10, 0]) == [10, 3, 0]  # 9.75 / 3.25
    assert spread(23, [40, 40, 40, 40, 2]) == [6, 6, 5, 5, 1]  # the small one still gets its one
    assert spread(2, [5, 5, 5]).count(0) == 1  # fewer picks than groups: no group gets two


def test_spread_sends_the_remainders_where_unseen_items_are_left():
    # Shares 4/6/4 of 16 (66 held); 2, 10 and 1 unseen: each takes what is unseen there (at least
    # one), and the 7 left go to the middle group until its unseen run out, then at random.
    shares = spread(16, [20, 26, 20], unseen=[2, 10, 1], rng=random.Random(1))
    assert sum(shares) == 16 and shares[1] >= 10 and shares[0] >= 2 and shares[2] >= 1
    assert spread(16, [20, 26, 20], unseen=[20, 26, 20]) == spread(16, [20, 26, 20])
    # A group with nothing unseen still gets its one; never more than a group holds.
    assert spread(6, [3, 3, 3], unseen=[0, 3, 3], rng=random.Random(2)) in ([1, 3, 2], [1, 2, 3])
    assert max(spread(9, [3, 3, 3], unseen=[0, 0, 9], rng=random.Random(3))) == 3


def test_multiple_response_is_all_or_nothing():
    assert is_correct([1, 3], [3, 1])
    assert not is_correct([1], [1, 3])
    assert not is_correct([1, 2, 3], [1, 3])
    assert not is_correct([], [])  # unanswered is wrong


@pytest.mark.parametrize(
    ("percent", "expected"),
    [(0, 100), (72, 750), (100, 1000), (36, 425), (86, 875), (71.99, 749)],
)
def test_scaled_score_mapping(percent, expected):
    assert scaled_score(percent, score_min=100, score_max=1000, passing=750, cut_percent=72) == expected
