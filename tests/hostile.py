"""Hostile values for property tests: what a careless client or an attacker can put in any
field of a JSON body or a query string. One vocabulary for every such test, so each class of
bad input (lone surrogates, NUL and other control characters, numbers with thousands of digits,
non-ASCII digits, deep nesting, huge and odd floats) reaches every field."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
CONTROLS = st.characters(categories=["Cc"])
ODD_DIGITS = st.sampled_from("²³¹٣٤۵६७০১๑๒፩١٢０５𝟎𝟗")  # isdigit() yes, plain 0-9 no


def _splice(base: st.SearchStrategy[str], bad: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(base, bad, base).map(lambda t: t[0] + t[1] + t[2])


HOSTILE_TEXT = st.one_of(
    _splice(st.text(max_size=8), SURROGATES),
    _splice(st.text(max_size=8), CONTROLS),
    _splice(st.text(max_size=8), st.just("\x00")),
    st.text(ODD_DIGITS, min_size=1, max_size=6),
    st.sampled_from([19, 4301, 5000]).map(lambda n: "9" * n),  # 4,300 digits: int() refuses
    st.sampled_from(["", " ", "-1", "+5", "1_0", "1e3", "0x10", "NaN", "-0", "１２"]),
    st.text(min_size=257, max_size=300),  # past a file name's 255 bytes
)
HOSTILE_NUMBERS = st.one_of(
    st.sampled_from([10**18, 10**19, 10**309, 10**400, -(10**309)]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, -1, 2**63, -(2**63) - 1, 1e308, -1e308, 5e-324]),
)
HOSTILE_SCALARS = st.one_of(HOSTILE_TEXT, HOSTILE_NUMBERS, st.booleans(), st.none())


def hostile_json(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """Any JSON value, biased to hostile leaves, shallow nesting of lists and objects."""
    return st.recursive(
        HOSTILE_SCALARS | st.text(max_size=10),
        lambda inner: st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8) | HOSTILE_TEXT, inner, max_size=4),
        max_leaves=max_leaves,
    )


def nested(depth: int, leaf: Any = 1) -> Any:
    """A list nested `depth` levels deep (deep input exhausts a recursive parser)."""
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def deep_json_text(depth: int) -> bytes:
    """`depth` levels of arrays as JSON text (built without recursion)."""
    return ("[" * depth + "1" + "]" * depth).encode()


def dumps(value: Any) -> bytes:
    """JSON text of `value`, lone surrogates kept as \\u escapes and huge ints written out."""
    return json.dumps(value, ensure_ascii=True, allow_nan=True).encode()
