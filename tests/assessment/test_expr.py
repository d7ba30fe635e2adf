"""The formula language: exact arithmetic, half-up rounding, and nothing but arithmetic."""
from decimal import Decimal
from fractions import Fraction

import pytest

from hotline.assessment.expr import ExprError, evaluate, names, parse, round_half_up, to_decimal, to_fraction


def ev(text: str, **env: object) -> Fraction:
    return evaluate(parse(text), {k: to_fraction(v) for k, v in env.items()})


def test_precedence_parentheses_and_unary_minus():
    assert ev("1 + 2 * 3") == 7
    assert ev("(1 + 2) * 3") == 9
    assert ev("-2 - -3") == 1
    assert ev("10 - 4 - 3") == 3 and ev("12 / 3 / 2") == 2


def test_unicode_operators_are_accepted():
    assert ev("3 × 4 ÷ 2 − 1") == 5
    assert ev("0.3·x", x=10) == 3


def test_arithmetic_is_exact_no_binary_floats():
    assert ev("0.1 + 0.2") == Fraction(3, 10)
    assert ev("1 / 3 * 3") == 1


def test_half_up_rounding_of_halves():
    assert to_decimal(Fraction("7.685"), 2) == Decimal("7.69")
    assert to_decimal(Fraction("2.5"), 0) == Decimal("3")
    assert to_decimal(Fraction("-2.5"), 0) == Decimal("-3")
    assert to_decimal(Fraction(2, 3), 1) == Decimal("0.7")
    assert round_half_up(Fraction("98.145"), 1) == Fraction("98.1")


def test_functions():
    assert ev("min(3, 1, 2)") == 1 and ev("max(3, 1, 2)") == 3
    assert ev("clamp(30, 0, 25)") == 25 and ev("clamp(-1, 0, 25)") == 0
    assert ev("round(19.635, 2)") == Fraction("19.64")
    assert ev("div(5, 0, 7)") == 7 and ev("div(6, 3, 0)") == 2
    assert ev("mean(55.072464, 80)") == Fraction("67.536232")
    assert ev("abs(-4)") == 4


def test_names_are_looked_up_and_listed():
    node = parse("0.3 * done_rate + max(0, rate - 15)")
    assert names(node) == {"done_rate", "rate"}
    with pytest.raises(ExprError, match="unknown name 'rate'"):
        evaluate(node, {"done_rate": Fraction(1)})


def test_division_by_zero_is_an_error_not_infinity():
    with pytest.raises(ExprError, match="division by zero"):
        ev("1 / x", x=0)


@pytest.mark.parametrize("text", [
    "__import__('os').system('true')",  # quotes are not part of the language
    "x.real",  # no attribute access
    "x ** 2",  # no power
    "open(1)",  # no arbitrary functions
    "1 +",
    "(1 + 2",
    "",
    "1 2",
])
def test_anything_but_arithmetic_is_rejected(text):
    with pytest.raises(ExprError):
        parse(text)


def test_wrong_arity_is_rejected():
    with pytest.raises(ExprError, match="clamp"):
        parse("clamp(1, 2)")


def test_json_floats_become_their_decimal_text():
    assert to_fraction(0.2) == Fraction(1, 5)
    assert to_fraction("55.072464") == Fraction("55.072464")
    with pytest.raises(ExprError):
        to_fraction(True)
