"""The search text rules and the per-node index at the size it must hold (50,000 tracks)."""

from __future__ import annotations

import random
from typing import Any

from backend.search import text
from backend.search.index import Entry, MemoryIndex, entry_of
from backend.search.query import _ranked

SYLLABLES = ["ka", "lo", "mi", "ra", "tu", "ve", "so", "ni", "da", "pe", "zu", "ho", "li", "ma"]


def _name(rng: random.Random, words: int) -> str:
    return " ".join("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).title()
                    for _ in range(words))


def _track(n: int, name: str, artist: str, album: str) -> dict[str, Any]:
    return {"id": f"local-{n:08d}", "name": name, "artists": [{"id": f"ar-{artist}",
                                                               "name": artist}],
            "album": {"id": f"al-{album}", "name": album, "images": []}}


def test_folding_and_distances() -> None:
    assert text.fold("Beyoncé  KNOWLES-Carter") == "beyonce knowles carter"
    assert text.fold("Sigur Rós — Ágætis byrjun!") == "sigur ros agætis byrjun"  # æ stays
    assert text.distance("nocturen", "nocturne") == 1  # a transposition is one typo
    assert text.distance("kitten", "sitting") == 3
    assert text.distance("abc", "abc") == 0


def test_scores_rank_exact_over_prefix_over_typo() -> None:
    query = text.words("halo")
    exact = text.score(query, {"name": "halo", "artists": "", "album": ""})
    prefix = text.score(query, {"name": "halogen", "artists": "", "album": ""})
    typo = text.score(query, {"name": "hallo", "artists": "", "album": ""})
    assert exact > prefix > typo > 0
    assert text.score(text.words("halo beyonce"), {"name": "halo", "artists": "beyonce",
                                                   "album": ""}) > exact
    assert text.score(query, {"name": "yellow", "artists": "", "album": ""}) == 0


def test_the_memory_index_finds_the_needle_among_50000_tracks() -> None:
    rng = random.Random(7)
    entries: list[Entry] = [entry_of(_track(n, _name(rng, 3), _name(rng, 2), _name(rng, 2)))
                            for n in range(50_000)]
    entries.append(entry_of(_track(50_000, "Hoppípolla", "Sigur Rós", "Takk...")))
    entries.append(entry_of(_track(50_001, "Glósóli", "Sigur Rós", "Takk...")))
    index = MemoryIndex(entries)
    for typed in ("sigur ros", "hoppipolla", "hopipolla", "sigur", "takk glosoli"):
        query = text.words(typed)
        candidates = index.candidates(sorted(text.query_trigrams(query)), [], 400)
        best = _ranked(query, candidates)
        assert best, typed
        assert best[0][1].meta["artists"][0][1] == "Sigur Rós", typed
    postings = sum(a.itemsize * len(a) for a in index.postings.values())
    assert postings < 40 * 1024 * 1024  # the postings of 50,000 tracks fit in tens of MB
    short = index.candidates([], ["ho"], 400)  # a word too short for trigrams
    assert short and all(" ho" in " " + " ".join(e.fields.values()) for e in short)
