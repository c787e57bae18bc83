"""Hostile values for property tests: what a careless client or an attacker can put in any
field of a JSON body or a query string. One vocabulary for every such test, so each class of
bad input (lone surrogates, NUL and other control characters, numbers with thousands of digits,
non-ASCII digits, deep nesting, huge and odd floats) reaches every field."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from hypothesis import given, settings
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
# Ids that go into a URL path segment (percent-encoded): the classes above, and what a path
# reads as more than a name: "/", "..", "%2F" itself, a query, a fragment.
HOSTILE_IDS = st.one_of(
    HOSTILE_TEXT,
    st.sampled_from(["/", ".", "..", "a/b", "../../rest/ping.view", "%2F", "%2e%2e", "?x=1",
                     "#top", " ", "0", "-1", "al-1", "1" * 30]),
    st.text(max_size=30),
)
HOSTILE_NUMBERS = st.one_of(
    st.sampled_from([10**18, 10**19, 10**309, 10**400, -(10**309)]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, -1, 2**63, -(2**63) - 1, 1e308, -1e308, 5e-324]),
)
HOSTILE_SCALARS = st.one_of(HOSTILE_TEXT, HOSTILE_NUMBERS, st.booleans(), st.none())

# Ids a key-value store cannot look up: DynamoDB refuses an empty key and one over 2,048 bytes
# (hash key) or 1,024 bytes (range key) of UTF-8; SQLite just finds nothing. Sizes around both
# limits, in characters of one to four bytes, behind each source's id prefix.
ID_PREFIXES = st.sampled_from(["", "local-", "demo-", "spotify-", "subsonic-", "x"])
OUTSIZED_IDS = st.one_of(
    st.just(""),
    st.builds(lambda prefix, char, count: prefix + char * count, ID_PREFIXES,
              st.sampled_from("aé€𝄞"), st.integers(250, 2100)),
)

# Host header values that are no host name (werkzeug's routing refuses them): labels over 63
# characters, empty labels, characters IDNA cannot encode, odd ports. Only bytes HTTP/1.1
# allows in a header value (visible ASCII and Latin-1), so Hypercorn passes them on.
_HOST_CHARS = "abcxyz019-_~!$&'()*+,;=%@[]éüÿ"
_LABELS = st.one_of(st.text(_HOST_CHARS, max_size=12),
                    st.builds(lambda char, count: char * count, st.sampled_from("aé-_"),
                              st.integers(0, 300)))
HOSTILE_HOSTS = st.builds(
    lambda labels, port: ".".join(labels) + port,
    st.lists(_LABELS, min_size=1, max_size=5),
    st.sampled_from(["", ":", ":80", ":99999999999999999999", ":abc", ":-1", ":²"]),
).filter(lambda host: host.strip(" \t") == host and host != "")

# Dates in the conditional headers (If-Modified-Since, If-Unmodified-Since, If-Range): each of
# HTTP's three date formats with any number in any field (a year of 20 digits overflows a C
# long), and text that is no date at all.
_NUMBERS = st.one_of(st.integers(0, 99), st.integers(0, 10**30),
                     st.integers(1, 30).map(lambda digits: 10**digits - 1))
_WEEKDAYS = st.sampled_from(["Sun", "Mon", "Sunday", "Xyz", ""])
_MONTHS = st.sampled_from(["Jan", "Nov", "Dec", "Feb", "Foo", ""])
HOSTILE_DATES = st.one_of(
    st.builds(lambda w, d, m, y, hh, mm, ss, zone: f"{w}, {d} {m} {y} {hh}:{mm}:{ss} {zone}",
              _WEEKDAYS, _NUMBERS, _MONTHS, _NUMBERS, _NUMBERS, _NUMBERS, _NUMBERS,
              st.sampled_from(["GMT", "UTC", "+9999", "-0000", "", "EST"])),
    st.builds(lambda w, d, m, y, hh: f"{w}, {d}-{m}-{y} {hh}:00:00 GMT",  # RFC 850
              _WEEKDAYS, _NUMBERS, _MONTHS, _NUMBERS, _NUMBERS),
    st.builds(lambda w, m, d, hh, y: f"{w} {m} {d} {hh}:00:00 {y}",  # asctime
              _WEEKDAYS, _MONTHS, _NUMBERS, _NUMBERS, _NUMBERS),
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0xFF), max_size=40),
)

# Entity tags in If-Match / If-None-Match: the star, strong and weak tags, lists, and junk.
_TAG = st.text(st.characters(min_codepoint=0x23, max_codepoint=0x7E), max_size=20)
_ETAG = st.builds(lambda weak, tag: f'{weak}"{tag}"', st.sampled_from(["", "W/"]), _TAG)
HOSTILE_ETAGS = st.one_of(
    st.sampled_from(["*", " *", "*, *", '"a", *']),
    _ETAG,
    st.lists(_ETAG, min_size=2, max_size=4).map(", ".join),
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0xFF), max_size=40),
)


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


def examples(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    """`count` values hypothesis draws (derandomized: the same every run), for a test that
    sends them through an async client, which hypothesis's own runner cannot await."""
    drawn: list[Any] = []

    @settings(max_examples=count, deadline=None, derandomize=True, database=None)
    @given(value=strategy)
    def draw(value: Any) -> None:
        drawn.append(value)

    draw()
    return drawn


def url_segment(value: str) -> str:
    """`value` as one percent-encoded path segment or query value (a lone surrogate as its
    UTF-8 bytes, which a URL can carry and a str cannot encode)."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")
