import random

from shared_model.features import FEATURE_INDEX, FEATURE_NAMES, N_FEATURES, vectorize
from tests.shared_model.synth import make_track


def test_fixed_length_and_order_for_full_and_empty_tracks():
    full = make_track(1, random.Random(1))
    assert len(vectorize(full)) == N_FEATURES == len(FEATURE_NAMES)
    assert len(vectorize({})) == N_FEATURES
    assert len(set(FEATURE_NAMES)) == N_FEATURES


def test_missing_audio_is_flagged_and_neutral_not_zero():
    track = make_track(1, random.Random(1), audio=False)
    x = vectorize(track)
    assert x[FEATURE_INDEX["audio_present"]] == 0.0
    assert 0.0 < x[FEATURE_INDEX["energy"]] < 1.0  # neutral fill, not a fake "zero energy"
    with_audio = vectorize(make_track(1, random.Random(1)))
    assert with_audio[FEATURE_INDEX["audio_present"]] == 1.0


def test_missing_metadata_groups_each_have_a_flag():
    x = vectorize({"id": "x", "features": {"energy": 0.9}})
    for flag in ("popularity_present", "year_present", "duration_present",
                 "explicit_present", "genres_present"):
        assert x[FEATURE_INDEX[flag]] == 0.0, flag
    y = vectorize({"popularity": 80, "release_year": 1999, "duration_ms": 200000,
                   "explicit": False, "genres": ["jazz"]})
    for flag in ("popularity_present", "year_present", "duration_present",
                 "explicit_present", "genres_present"):
        assert y[FEATURE_INDEX[flag]] == 1.0, flag
    assert y[FEATURE_INDEX["popularity"]] == 0.8


def test_values_are_scaled_and_garbage_is_treated_as_missing():
    x = vectorize({"features": {"tempo": 400, "loudness": -90, "energy": "loud",
                                "valence": True, "danceability": float("nan")},
                   "popularity": 250})
    assert all(0.0 <= v <= 1.0 for v in x)
    assert x[FEATURE_INDEX["tempo"]] == 1.0 and x[FEATURE_INDEX["loudness"]] == 0.0
    endless = vectorize({"features": {"energy": float("inf"), "tempo": float("-inf"),
                                      "loudness": 10**400, "valence": 0.25}})
    unknown = vectorize({"features": {"valence": 0.25}})
    assert endless == unknown  # an infinite or overflowing number is no measurement


def test_tempo_bumps_express_a_window():
    at_120 = vectorize({"features": {"tempo": 120.0}})
    at_70 = vectorize({"features": {"tempo": 70.0}})
    assert at_120[FEATURE_INDEX["tempo_120"]] == 1.0 and at_70[FEATURE_INDEX["tempo_120"]] == 0.0


def test_spotify_genres_map_to_families_and_unknown_ones_hash_stably():
    x = vectorize({"genres": ["indie pop", "deep house"]})
    assert x[FEATURE_INDEX["genre_indie"]] == 1.0
    assert x[FEATURE_INDEX["genre_pop"]] == 1.0
    assert x[FEATURE_INDEX["genre_electronic"]] == 1.0
    polka = vectorize({"genres": ["polka"]})
    buckets = [i for i, n in enumerate(FEATURE_NAMES) if n.startswith("genre_other")]
    assert sum(polka[i] for i in buckets) == 1.0
    # crc32, not the salted hash(): a known bucket on every run and machine
    assert FEATURE_NAMES[[i for i in buckets if polka[i]][0]] == "genre_other_4"


def test_album_release_date_is_used_when_no_year():
    x = vectorize({"album": {"release_date": "1987-05-01"}})
    assert x[FEATURE_INDEX["year_present"]] == 1.0


def test_memoised_vectors_follow_every_field_they_read():
    from shared_model.features import _vectorize

    track = {"id": "t1", "features": {"energy": 0.9, "tempo": 120}, "genres": ["rock"],
             "popularity": 40, "explicit": True, "duration_ms": 200000}
    first = vectorize(track)
    assert first == _vectorize(track)
    first[0] = 99.0  # a caller changing its copy does not change the next answer
    assert vectorize(track)[0] == 1.0
    for changed in (
        {**track, "explicit": 1},  # not a bool: "unknown", unlike True
        {**track, "features": {"energy": 0.1, "tempo": 120}},
        {**track, "genres": ["jazz"]},
        {**track, "album": {"release_date": "1971-01-01"}},
    ):
        assert vectorize(changed) == _vectorize(changed) != _vectorize(track)
    odd = {**track, "features": {"energy": [0.5]}}  # unhashable input: computed, not memoised
    assert vectorize(odd) == _vectorize(odd)


def test_audio_analysis_group_has_a_presence_flag_and_neutral_fills():
    analysed = {"features": {"tempo": 92.0, "key": 7.0, "mode": 1.0, "brightness": 0.9,
                             "rhythm_strength": 0.1, "timbre_1": -1.0, "timbre_8": 1.0}}
    v = vectorize(analysed)
    at = FEATURE_INDEX
    assert v[at["analysis_present"]] == 1.0 and v[at["audio_present"]] == 1.0
    assert v[at["brightness"]] == 0.9 and v[at["brightness_high"]] > v[at["brightness_low"]]
    assert v[at["rhythm_low"]] > v[at["rhythm_high"]]
    assert (v[at["timbre_1"]], v[at["timbre_2"]], v[at["timbre_8"]]) == (0.0, 0.5, 1.0)
    # G sits next to C on the circle of fifths, F# opposite it
    c = vectorize({"features": {"key": 0.0, "brightness": 0.5}})
    fsharp = vectorize({"features": {"key": 6.0, "brightness": 0.5}})
    def dist(a, b):
        return abs(a[at["key_x"]] - b[at["key_x"]]) + abs(a[at["key_y"]] - b[at["key_y"]])
    assert dist(c, v) < dist(c, fsharp)
    spotify_only = vectorize({"features": {"energy": 0.5, "tempo": 120.0}})
    assert spotify_only[at["analysis_present"]] == 0.0
    assert spotify_only[at["key_x"]] == spotify_only[at["key_y"]] == 0.5
    bad = vectorize({"features": {"key": 12.5, "brightness": float("nan")}})
    assert bad[at["key_x"]] == 0.5 and bad[at["analysis_present"]] == 0.0
