"""Text from outside is made storable: no NUL or other control, no lone surrogate, at most
500 characters."""

from __future__ import annotations

from order_cancellation.domain.text import MAX_STORED_TEXT, REPLACEMENT, storable


def test_printable_text_is_kept_as_it_is() -> None:
    text = "Klarna: «Capture not allowed» (code 'CAPTURE_NOT_ALLOWED') ☃"
    assert storable(text) == text


def test_a_nul_and_other_controls_are_replaced_where_they_were() -> None:
    assert storable("a\x00b\x1bc\x7fd") == f"a{REPLACEMENT}b{REPLACEMENT}c{REPLACEMENT}d"


def test_line_breaks_and_tabs_become_spaces() -> None:
    assert storable("first line\r\nsecond\tcolumn") == "first line  second column"


def test_a_lone_surrogate_is_replaced() -> None:
    assert storable("bad \ud800 half") == f"bad {REPLACEMENT} half"


def test_a_megabyte_of_text_is_cut_to_its_first_500_characters() -> None:
    kept = storable("x" * 1_000_000 + "\x00")
    assert kept == "x" * MAX_STORED_TEXT


def test_the_limit_may_be_given() -> None:
    assert storable("abcdef", limit=3) == "abc"
