"""A tiny, safe expression language for the validation rules, which are data a province edits.

An expression is parsed by Python's `ast` and accepted only if every node is on a whitelist:
comparisons (`<`, `<=`, `==`, `!=`, `>`, `>=`, `in`, `not in`, and `is None` / `is not None`), `and`,
`or`, `not`, `+ - * / %`, unary `-`, names of the return's figures (and `year`, and `value` in a rule
that checks each of its fields in turn), `prev.<figure>` (last year's return), `org.<fact>` (kind,
law, sector …), constants (numbers, strings, True, False, None), tuples and lists of those, and calls
to `abs`, `min` and `max`. Nothing is ever passed to `eval`: the tree is walked by `evaluate` below.

Blank figures are unknown (None) and propagate: arithmetic with an unknown gives unknown, a comparison
with an unknown gives unknown, and `and` / `or` / `not` follow three-valued logic. A rule whose
condition is unknown does not apply; a check that is unknown passes (a rule cannot complain about a
figure nobody entered). `x is None` tests whether a figure was entered. `min` and `max` ignore unknown
arguments, as SQL aggregates do, so `max(x, 0)` reads a blank figure as 0.
"""

from __future__ import annotations

import ast
import decimal
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

MAX_LENGTH = 1000
MAX_STRING = 100
FUNCTIONS = frozenset({"abs", "min", "max"})
OBJECTS = frozenset({"prev", "org"})

_COMPARE = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_ARITHMETIC = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Mod: lambda a, b: a % b,
}


class ExpressionError(ValueError):
    """The text is not an expression of the language, or could not be evaluated."""


@dataclass(frozen=True, eq=False)  # hashed by identity: one vocabulary per module, a cache key
class Vocabulary:
    """What an expression may name: plain names, and the attributes of `prev` and `org`."""

    names: frozenset[str]
    attributes: Mapping[str, frozenset[str]]


@dataclass(frozen=True)
class Expression:
    text: str
    tree: ast.expr
    names: frozenset[str]  # the plain names it reads (so that a rule knows whether it uses `value`)

    def evaluate(self, env: Mapping[str, Any], objects: Mapping[str, Mapping[str, Any]]) -> Any:
        return _evaluate(self.tree, env, objects)


def compile_expression(text: str, vocabulary: Vocabulary) -> Expression:
    """Parse and check `text`; raise ExpressionError naming what is not allowed."""
    text = (text or "").strip()
    if not text:
        raise ExpressionError("The expression is empty.")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"The expression is longer than {MAX_LENGTH} characters.")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as err:
        raise ExpressionError(f"Not a valid expression: {err}") from None
    names: set[str] = set()
    try:
        _check(tree.body, vocabulary, names)
    except RecursionError:
        raise ExpressionError("The expression is nested too deeply.") from None
    return Expression(text, tree.body, frozenset(names))


@functools.lru_cache(maxsize=1024)
def _cached(text: str, vocabulary: Vocabulary) -> Expression:
    return compile_expression(text, vocabulary)


def cached_expression(text: str, vocabulary: Vocabulary) -> Expression:
    """compile_expression, remembered: rules are evaluated for every return with the same texts."""
    return _cached(text, vocabulary)


def _refuse(node: ast.AST, what: str) -> ExpressionError:
    col = getattr(node, "col_offset", None)
    where = f" (at character {col + 1})" if col is not None else ""
    return ExpressionError(f"{what} is not allowed in a rule{where}.")


def _check(node: ast.AST, vocab: Vocabulary, names: set[str]) -> None:
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, str):
            if len(value) > MAX_STRING:
                raise _refuse(node, f"A string longer than {MAX_STRING} characters")
        elif value is not None and not isinstance(value, bool | int | float):
            raise _refuse(node, f"The constant {value!r}")
        return
    if isinstance(node, ast.Name):
        if node.id in OBJECTS:
            raise _refuse(node, f"“{node.id}” alone (write {node.id}.<name>)")
        if node.id not in vocab.names:
            raise ExpressionError(f"Unknown name “{node.id}”.")
        names.add(node.id)
        return
    if isinstance(node, ast.Attribute):
        base = node.value
        if not (isinstance(base, ast.Name) and base.id in OBJECTS):
            raise _refuse(node, "An attribute of anything but prev or org")
        if node.attr not in vocab.attributes.get(base.id, frozenset()):
            raise ExpressionError(f"Unknown name “{base.id}.{node.attr}”.")
        return
    if isinstance(node, ast.Compare):
        _check(node.left, vocab, names)
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.Is | ast.IsNot):
                if not (isinstance(right, ast.Constant) and right.value is None):
                    raise _refuse(op, "“is” with anything but None")
            elif type(op) not in _COMPARE:
                raise _refuse(op, f"The comparison {type(op).__name__}")
            _check(right, vocab, names)
        return
    if isinstance(node, ast.BoolOp):
        if not isinstance(node.op, ast.And | ast.Or):
            raise _refuse(node, type(node.op).__name__)
        for value in node.values:
            _check(value, vocab, names)
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _ARITHMETIC:
            raise _refuse(node, f"The operator {type(node.op).__name__}")
        _check(node.left, vocab, names)
        _check(node.right, vocab, names)
        return
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.Not | ast.USub | ast.UAdd):
            raise _refuse(node, f"The operator {type(node.op).__name__}")
        _check(node.operand, vocab, names)
        return
    if isinstance(node, ast.Call):
        if not (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS):
            raise _refuse(node, "A call to anything but abs, min or max")
        if node.keywords or not node.args or any(isinstance(a, ast.Starred) for a in node.args):
            raise _refuse(node, f"This call of {node.func.id}")
        for arg in node.args:
            _check(arg, vocab, names)
        return
    if isinstance(node, ast.Tuple | ast.List):
        for elt in node.elts:
            if isinstance(elt, ast.Starred):
                raise _refuse(elt, "Unpacking")
            _check(elt, vocab, names)
        return
    raise _refuse(node, type(node).__name__)


# Three-valued logic: True, False, or None for unknown.
def _truth(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _number(value: Any, node: ast.AST) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ExpressionError(
            f"Arithmetic on {value!r}, which is not a number (at character {node.col_offset + 1})."
        )
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _comparable(value: Any) -> Any:
    # Figures are int or Decimal, constants int or float: compare them all as Decimal.
    if isinstance(value, float):
        return Decimal(str(value))
    return value


def _evaluate(node: ast.AST, env: Mapping[str, Any], objects: Mapping[str, Mapping[str, Any]]) -> Any:
    if isinstance(node, ast.Constant):
        return _comparable(node.value)
    if isinstance(node, ast.Name):
        return _comparable(env.get(node.id))
    if isinstance(node, ast.Attribute):
        return _comparable((objects.get(node.value.id) or {}).get(node.attr))  # type: ignore[union-attr]
    if isinstance(node, ast.Tuple | ast.List):
        return tuple(_evaluate(e, env, objects) for e in node.elts)
    if isinstance(node, ast.BoolOp):
        unknown = False
        for value_node in node.values:
            truth = _truth(_evaluate(value_node, env, objects))
            if truth is None:
                unknown = True
            elif truth is isinstance(node.op, ast.Or):
                return truth  # True decides an `or`, False an `and`
        return None if unknown else isinstance(node.op, ast.And)
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, env, objects)
        if isinstance(node.op, ast.Not):
            truth = _truth(operand)
            return None if truth is None else not truth
        if operand is None:
            return None
        number = _number(operand, node)
        return -number if isinstance(node.op, ast.USub) else number
    if isinstance(node, ast.BinOp):
        left = _evaluate(node.left, env, objects)
        right = _evaluate(node.right, env, objects)
        if left is None or right is None:
            return None
        try:
            return _ARITHMETIC[type(node.op)](_number(left, node), _number(right, node))
        except (ZeroDivisionError, decimal.InvalidOperation, decimal.DivisionByZero):
            return None  # a ratio to zero is unknown, not an error of the rule
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, env, objects)
        result: bool | None = True
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _evaluate(right_node, env, objects)
            if isinstance(op, ast.Is):
                outcome: bool | None = left is None
            elif isinstance(op, ast.IsNot):
                outcome = left is not None
            elif left is None or right is None:
                outcome = None
            else:
                try:
                    outcome = bool(_COMPARE[type(op)](left, right))
                except TypeError:
                    raise ExpressionError(
                        f"Cannot compare {left!r} with {right!r} (at character {node.col_offset + 1})."
                    ) from None
            if outcome is False:
                return False
            if outcome is None:
                result = None
            left = right
        return result
    if isinstance(node, ast.Call):
        args: list[Any] = []
        for arg in node.args:
            value = _evaluate(arg, env, objects)
            args.extend(value if isinstance(value, tuple) else (value,))
        known = [_number(a, node) for a in args if a is not None]
        name = node.func.id  # type: ignore[attr-defined]
        if name == "abs":
            if len(args) != 1:
                raise ExpressionError("abs takes one argument.")
            return abs(known[0]) if known else None
        if not known:
            return None
        return min(known) if name == "min" else max(known)
    raise ExpressionError(f"{type(node).__name__} cannot be evaluated.")  # _check refused it already
