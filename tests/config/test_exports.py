"""Text that a spreadsheet would run as a formula is neutralised; everything else passes unchanged."""

from __future__ import annotations

import pytest

from config.spreadsheet import cell_safe


@pytest.mark.parametrize("text", ["=SUM(A1:A9)", "+86 10 1234", "-1+1", "@cmd", "\t=1", "\r=1", '=HYPERLINK("x")'])
def test_formula_looking_text_gets_a_leading_quote(text: str) -> None:
    assert cell_safe(text) == "'" + text


@pytest.mark.parametrize("value", ["城关派出所", "QH-01", "a=b", "", 12, -3.5, None, True])
def test_other_values_are_unchanged(value: object) -> None:
    assert cell_safe(value) == value  # numbers, even negative ones, stay numbers
