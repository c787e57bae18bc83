"""shared_model ranks any JSON it is given without raising: a candidate of the wrong shape is
left out or read as "unknown", never a crash (a malformed candidate on /model/suggest used to
raise TypeError). Also what the browser's worker relies on with whatever its cache holds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shared_model import UserModel, rank
from tests.hostile import HOSTILE_NUMBERS, HOSTILE_TEXT, hostile_json
from tests.shared_model.synth import catalog

NOW = 1_700_000_000_000
FIELDS = ["id", "artists", "album", "genres", "explicit", "popularity", "release_year",
          "duration_ms", "features"]
SETTINGS = settings(max_examples=100, deadline=None, derandomize=True, database=None)


@st.composite
def spoiled_track(draw: st.DrawFn) -> dict:
    """A real track with some fields replaced by hostile JSON of any shape."""
    track = dict(draw(st.sampled_from(catalog(20))))
    for name in draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=4, unique=True)):
        track[name] = draw(hostile_json())
    if draw(st.booleans()):
        track["features"] = draw(st.dictionaries(
            st.sampled_from(["energy", "tempo", "loudness", "mode"]),
            HOSTILE_NUMBERS | HOSTILE_TEXT, max_size=3))
    return track


@SETTINGS
@given(candidates=st.lists(spoiled_track() | hostile_json(), max_size=8))
def test_rank_takes_any_json_and_returns_only_tracks_with_string_ids(candidates):
    good = catalog(10)
    ranked = rank(UserModel.new(), good + candidates, {}, 40, NOW)
    offered = {t["id"] for t in good + candidates
               if isinstance(t, dict) and isinstance(t.get("id"), str) and t["id"]}
    ids = [t["id"] for t in ranked]
    assert set(ids) <= offered and len(set(ids)) == len(ids)
    assert len(ids) >= 5  # the sound tracks still rank (artist spacing may hold some back)
