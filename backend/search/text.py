"""How search reads text: folded (no accents, no case), in words and trigrams, and how well a
query matches a document, typos included. Both indexes (SQLite FTS5 and the per-node one) only
find candidates; this scorer decides, so both stores answer the same."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

EXACT, PREFIX, INSIDE, FUZZY = 3.0, 2.0, 1.2, 1.0
FIELD_WEIGHTS = {"name": 1.0, "artists": 0.9, "album": 0.6}


def fold(text: str) -> str:
    """"Beyoncé  KNOWLES-Carter" -> "beyonce knowles carter": accents and case gone, anything
    that is not a letter or a digit a space."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = []
    for ch in decomposed:
        if unicodedata.combining(ch):
            continue
        kept.append(ch.casefold() if ch.isalnum() else " ")
    return " ".join("".join(kept).split())


def words(text: str) -> list[str]:
    return fold(text).split()


def trigrams(word: str) -> set[str]:
    """The word's trigrams (a word under 3 letters has none)."""
    return {word[i:i + 3] for i in range(len(word) - 2)}


def distance(a: str, b: str, cap: int = 3) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, at most `cap`."""
    if abs(len(a) - len(b)) >= cap:
        return cap
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        if min(row) >= cap:
            return cap
        prev2, prev = prev, row
    return min(prev[-1], cap)


def allowed_typos(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


def match_level(query_word: str, doc_words: list[str], last: bool) -> float:
    """How one query word matches a field: the whole word, the start of one (as you type the
    last word), inside one, or within a typo or two of one (or of its start)."""
    best = 0.0
    typos = allowed_typos(query_word)
    for word in doc_words:
        if word == query_word:
            return EXACT
        if word.startswith(query_word):
            best = max(best, PREFIX if last or len(query_word) >= 3 else INSIDE)
        elif len(query_word) >= 3 and query_word in word:
            best = max(best, INSIDE)
        elif typos and best < FUZZY:
            if distance(query_word, word, typos + 1) <= typos or (
                    len(word) > len(query_word)
                    and distance(query_word, word[:len(query_word)], typos + 1) <= typos):
                best = FUZZY
    return best


def score(query: list[str], fields: dict[str, str]) -> float:
    """0 when some query word matches no field, else the sum of each word's best match
    weighted by the field it matched in."""
    split = {name: text.split() for name, text in fields.items()}
    total = 0.0
    for index, query_word in enumerate(query):
        last = index == len(query) - 1
        best = max((match_level(query_word, split[name], last) * FIELD_WEIGHTS.get(name, 0.5)
                    for name in split), default=0.0)
        if best == 0.0:
            return 0.0
        total += best
    return total


def track_fields(track: dict[str, Any]) -> dict[str, str]:
    """A track's searchable text, folded: its name, its artists, its album."""
    artists = " ".join(str(a.get("name") or "") for a in track.get("artists") or [])
    return {"name": fold(str(track.get("name") or "")), "artists": fold(artists),
            "album": fold(str((track.get("album") or {}).get("name") or ""))}


def query_trigrams(query: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for word in query:
        found |= trigrams(word)
    return found
