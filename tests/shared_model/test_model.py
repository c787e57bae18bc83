import json

import pytest

from backend.training import rebuild_model
from shared_model import UserModel, decode, encode, rank, training_examples
from tests.shared_model.synth import catalog, history

SETTINGS = {"skip_threshold_unit": "seconds", "skip_threshold_value": 30}


@pytest.fixture(scope="module")
def heavy_user() -> tuple[UserModel, list[dict], int]:
    """A user with 10,000 interactions and a trained ensemble."""
    tracks = catalog(2000)
    by_id = {t["id"]: t for t in tracks}
    interactions = history(tracks, 10_000)
    model = rebuild_model(interactions, by_id, SETTINGS)
    return model, tracks, interactions[-1]["at"]


def test_round_trip_keeps_scores_and_ranking_identical(heavy_user):
    model, tracks, last_at = heavy_user
    assert model.ensemble is not None and model.interactions == 10_000
    via_dict = UserModel.from_dict(json.loads(json.dumps(model.to_dict())))
    via_bytes = decode(encode(model))
    for track in tracks[:200]:
        assert via_dict.score(track) == model.score(track) == via_bytes.score(track)
    assert via_bytes.to_dict() == model.to_dict()
    assert rank(via_bytes, tracks, {}, 30, last_at) == rank(model, tracks, {}, 30, last_at)


def test_snapshot_of_ten_thousand_interactions_stays_small(heavy_user):
    model, _, _ = heavy_user
    assert len(encode(model)) < 350 * 1024


def test_unknown_major_version_is_rejected_minor_is_accepted():
    d = UserModel.new().to_dict()
    with pytest.raises(ValueError):
        UserModel.from_dict({**d, "schema_version": "2.0"})
    with pytest.raises(ValueError):
        UserModel.from_dict({**d, "feature_version": 999})
    assert UserModel.from_dict({**d, "schema_version": "1.7"}).applied_through == ""


def test_learning_in_two_halves_equals_learning_at_once():
    tracks = catalog(300)
    by_id = {t["id"]: t for t in tracks}
    interactions = history(tracks, 400)
    whole = UserModel.new()
    whole.learn_many(interactions, by_id, SETTINGS)
    halves = UserModel.new()
    halves.learn_many(interactions[:150], by_id, SETTINGS)
    halves = decode(encode(halves))  # e.g. a snapshot handed to the browser
    halves.learn_many(reversed(interactions), by_id, SETTINGS)  # order fixed by (at, id)
    assert halves.to_dict() == whole.to_dict()


def test_training_examples_skip_unknown_tracks_and_duplicates():
    tracks = catalog(50)
    by_id = {t["id"]: t for t in tracks}
    interactions = history(tracks, 40)
    unknown = {**interactions[0], "id": "zz", "track_id": "nope"}
    examples = training_examples(interactions + interactions[:5] + [unknown], by_id, SETTINGS)
    assert len(examples) == 40
    assert all(len(x) == len(examples[0][0]) and w > 0 for x, _, w in examples)


def test_favourite_genres_seed_the_learner():
    jazz = {"genres": ["jazz"], "features": {}}
    metal = {"genres": ["metal"], "features": {}}
    model = UserModel.new({"favorite_genres": ["jazz"]})
    assert model.score(jazz)[0] > model.score(metal)[0]


def test_recent_plays_survive_a_snapshot_and_a_1_0_snapshot_still_loads():
    tracks = catalog(30)
    model = UserModel.new()
    model.learn_many(history(tracks, 20), {t["id"]: t for t in tracks}, SETTINGS)
    assert len(model.recent_plays) == 9 and model.recent_plays[-1][1]
    assert decode(encode(model)).recent_plays == model.recent_plays
    old = {k: v for k, v in model.to_dict().items() if k != "recent_plays"}
    old["schema_version"] = "1.0"
    assert UserModel.from_dict(old).recent_plays == []
