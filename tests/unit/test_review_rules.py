"""Review rules: ratings 1–5 only, plain text, and the exact average in tenths shown as "4.5"."""

from __future__ import annotations

import pytest

from creatorly.services.reviews import rules
from creatorly.services.reviews.errors import EmptyReply, InvalidRating, ReviewTextTooLong


@pytest.mark.parametrize(("raw", "expected"), [(1, 1), (5, 5), ("3", 3), (" 4 ", 4)])
def test_whole_ratings_from_one_to_five_are_taken(raw: object, expected: int) -> None:
    assert rules.checked_rating(raw) == expected


@pytest.mark.parametrize("raw", [0, 6, -1, "4.5", "", "five", None, 4.0])
def test_other_ratings_are_refused(raw: object) -> None:
    with pytest.raises(InvalidRating):
        rules.checked_rating(raw)


@pytest.mark.parametrize(
    ("rating_sum", "count", "tenths", "label"),
    [
        (9, 2, 45, "4.5"),
        (4, 1, 40, "4.0"),
        (33, 12, 28, "2.8"),
        (14, 3, 47, "4.7"),
        (13, 3, 43, "4.3"),
        (0, 0, 0, "0.0"),
    ],
)
def test_the_average_is_rounded_half_up_from_exact_integers(
    rating_sum: int, count: int, tenths: int, label: str
) -> None:
    assert rules.average_tenths(rating_sum, count) == tenths
    assert rules.rating_label(tenths) == label


def test_the_summary_sentence_reads_naturally() -> None:
    assert rules.summary_text(45, 12) == "Rated 4.5 out of 5 from 12 reviews"
    assert rules.summary_text(50, 1) == "Rated 5.0 out of 5 from 1 review"
    assert rules.summary_text(0, 0) == "No reviews yet"


def test_text_keeps_no_markup_and_no_control_characters() -> None:
    assert rules.checked_text("<script>alert(1)</script>Hi <b>there</b>\x00\x1b &lt;3") == "Hi there <3"
    assert rules.checked_text("  one\r\n\r\n\r\n\r\ntwo  ") == "one\n\ntwo"


def test_text_over_the_limit_and_an_empty_reply_are_refused() -> None:
    assert rules.checked_text("x" * rules.MAX_REVIEW_TEXT) == "x" * rules.MAX_REVIEW_TEXT
    with pytest.raises(ReviewTextTooLong):
        rules.checked_text("x" * (rules.MAX_REVIEW_TEXT + 1))
    with pytest.raises(EmptyReply):
        rules.checked_reply("<b></b>  ")


def test_unknown_sorts_fall_back_to_newest() -> None:
    assert [rules.checked_sort(raw) for raw in ("helpful", "newest", "oldest", "")] == [
        "helpful",
        "newest",
        "newest",
        "newest",
    ]
