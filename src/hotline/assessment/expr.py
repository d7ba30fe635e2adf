"""A tiny, safe arithmetic language for scheme formulas.

Formulas are data written by administrators, so they are never handed to Python's `eval`.
This module tokenises and parses them into a small tree and evaluates that tree over
exact rational numbers (`fractions.Fraction`): a weighted sum of rates such as
0.3·done/due + … is carried without any intermediate rounding, and rounding happens only
where the scheme says so (`round(x, n)`, a part's or the score's `round`), always half-up.
Results leave this module as `decimal.Decimal` via `to_decimal` (ROUND_HALF_UP).

Grammar::

    expr   := term (("+" | "-") term)*
    term   := unary (("*" | "/") unary)*
    unary  := "-" unary | atom
    atom   := NUMBER | NAME | NAME "(" expr ("," expr)* ")" | "(" expr ")"

"×", "÷", "−" and "·" are accepted for "*", "/", "-" and "*". Functions: min, max,
clamp(x, lo, hi), round(x, digits) (half-up), div(a, b, fallback) (a / b, or fallback
when b is 0), mean(a, b, …), abs(x).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Callable, Mapping, Union


class ExprError(ValueError):
    """A formula that cannot be parsed or evaluated."""


Number = Fraction

_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[-+*/(),×÷−·]))")
_OP_ALIASES = {"×": "*", "·": "*", "÷": "/", "−": "-"}


def to_fraction(value: object) -> Fraction:
    """An exact rational from an int, a decimal string, a Decimal or a JSON float (via its shortest repr)."""
    if isinstance(value, bool) or value is None:
        raise ExprError(f"not a number: {value!r}")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, (int, Decimal)):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(repr(value))
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"-?\d+(\.\d+)?", text):
            raise ExprError(f"not a number: {value!r}")
        return Fraction(text)
    raise ExprError(f"not a number: {value!r}")


def round_half_up(value: Fraction, digits: int) -> Fraction:
    """Round to `digits` decimals, halves away from zero (Decimal's ROUND_HALF_UP), exactly."""
    scale = Fraction(10) ** digits
    scaled = abs(value) * scale
    whole = (scaled + Fraction(1, 2)).__floor__()
    rounded = Fraction(whole) / scale
    return -rounded if value < 0 else rounded


def to_decimal(value: Fraction, digits: int) -> Decimal:
    """The value rounded half-up to `digits` decimals, as a Decimal with exactly that many places."""
    rounded = round_half_up(value, digits)
    scaled = rounded * Fraction(10) ** digits
    assert scaled.denominator == 1
    return Decimal(scaled.numerator).scaleb(-digits)


# --- the tree ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Num:
    value: Fraction


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Neg:
    operand: "Node"


@dataclass(frozen=True)
class BinOp:
    op: str
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple["Node", ...]


Node = Union[Num, Name, Neg, BinOp, Call]


def _clamp(x: Fraction, lo: Fraction, hi: Fraction) -> Fraction:
    if lo > hi:
        raise ExprError("clamp: lower bound above upper bound")
    return min(max(x, lo), hi)


def _round(x: Fraction, digits: Fraction) -> Fraction:
    if digits.denominator != 1 or not 0 <= digits <= 12:
        raise ExprError("round: digits must be a whole number 0-12")
    return round_half_up(x, int(digits))


def _div(a: Fraction, b: Fraction, fallback: Fraction) -> Fraction:
    return fallback if b == 0 else a / b


def _mean(*xs: Fraction) -> Fraction:
    return sum(xs, Fraction(0)) / len(xs)


# name -> (function, minimum arity, maximum arity or None for any)
FUNCTIONS: dict[str, tuple[Callable[..., Fraction], int, int | None]] = {
    "min": (lambda *xs: min(xs), 1, None),
    "max": (lambda *xs: max(xs), 1, None),
    "clamp": (_clamp, 3, 3),
    "round": (_round, 2, 2),
    "div": (_div, 3, 3),
    "mean": (_mean, 1, None),
    "abs": (lambda x: abs(x), 1, 1),
}


# --- parsing -----------------------------------------------------------------------------------

def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ExprError(f"unexpected character {text[pos:].strip()[0]!r} at position {pos + 1}")
        kind = match.lastgroup
        assert kind is not None
        value = match.group(kind)
        tokens.append((kind, _OP_ALIASES.get(value, value)))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ExprError(f"unexpected end of formula {self.text!r}")
        if expected is not None and token[1] != expected:
            raise ExprError(f"expected {expected!r} but found {token[1]!r} in {self.text!r}")
        self.pos += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise ExprError("empty formula")
        node = self.expr()
        if self.peek() is not None:
            raise ExprError(f"unexpected {self.peek()[1]!r} in {self.text!r}")  # type: ignore[index]
        return node

    def expr(self) -> Node:
        node = self.term()
        while (tok := self.peek()) is not None and tok[1] in ("+", "-"):
            self.take()
            node = BinOp(tok[1], node, self.term())
        return node

    def term(self) -> Node:
        node = self.unary()
        while (tok := self.peek()) is not None and tok[1] in ("*", "/"):
            self.take()
            node = BinOp(tok[1], node, self.unary())
        return node

    def unary(self) -> Node:
        tok = self.peek()
        if tok is not None and tok[1] == "-":
            self.take()
            return Neg(self.unary())
        return self.atom()

    def atom(self) -> Node:
        kind, value = self.take()
        if kind == "num":
            return Num(Fraction(value))
        if kind == "name":
            nxt = self.peek()
            if nxt is not None and nxt[1] == "(":
                return self.call(value)
            return Name(value)
        if value == "(":
            node = self.expr()
            self.take(")")
            return node
        raise ExprError(f"unexpected {value!r} in {self.text!r}")

    def call(self, func: str) -> Node:
        if func not in FUNCTIONS:
            raise ExprError(f"unknown function {func!r}")
        self.take("(")
        args = [self.expr()]
        while (tok := self.peek()) is not None and tok[1] == ",":
            self.take()
            args.append(self.expr())
        self.take(")")
        _, lo, hi = FUNCTIONS[func]
        if len(args) < lo or (hi is not None and len(args) > hi):
            raise ExprError(f"{func}() takes {lo}{'' if hi == lo else '+' if hi is None else f'-{hi}'} arguments")
        return Call(func, tuple(args))


def parse(text: str) -> Node:
    if not isinstance(text, str):
        raise ExprError(f"a formula must be text, not {type(text).__name__}")
    return _Parser(text).parse()


def names(node: Node) -> set[str]:
    """Every name a formula refers to."""
    if isinstance(node, Name):
        return {node.name}
    if isinstance(node, Neg):
        return names(node.operand)
    if isinstance(node, BinOp):
        return names(node.left) | names(node.right)
    if isinstance(node, Call):
        return set().union(*(names(a) for a in node.args))
    return set()


def evaluate(node: Node, env: Mapping[str, Fraction]) -> Fraction:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Name):
        if node.name not in env:
            raise ExprError(f"unknown name {node.name!r}")
        return env[node.name]
    if isinstance(node, Neg):
        return -evaluate(node.operand, env)
    if isinstance(node, BinOp):
        left, right = evaluate(node.left, env), evaluate(node.right, env)
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        if right == 0:
            raise ExprError("division by zero")
        return left / right
    func, _, _ = FUNCTIONS[node.func]
    return func(*(evaluate(a, env) for a in node.args))
