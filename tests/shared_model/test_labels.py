from shared_model.labels import label


def _skip(position_ms: int, duration_ms: int = 200_000) -> dict:
    return {"id": "i", "track_id": "t", "type": "skipped", "position_ms": position_ms,
            "duration_ms": duration_ms, "at": 1}


def test_finished_liked_disliked():
    finished = label({"type": "finished"}, {})
    liked = label({"type": "liked"}, {})
    disliked = label({"type": "disliked"}, {})
    assert finished[0] == 1.0 and liked[0] == 1.0 and disliked[0] == 0.0
    assert liked[1] > finished[1] and disliked[1] > finished[1]


def test_early_skip_says_more_than_a_later_one():
    early_t, early_w = label(_skip(5_000), {})
    later_t, later_w = label(_skip(25_000), {})
    assert early_t == later_t == 0.0
    assert early_w > later_w > 0.0


def test_skip_after_the_seconds_threshold_is_a_weak_positive():
    target, weight = label(_skip(40_000), {"skip_threshold_unit": "seconds",
                                           "skip_threshold_value": 30})
    assert target == 1.0 and 0.0 < weight < label({"type": "finished"}, {})[1]


def test_percent_threshold_uses_track_length():
    settings = {"skip_threshold_unit": "percent", "skip_threshold_value": 50}
    assert label(_skip(90_000, 200_000), settings)[0] == 0.0  # 45 %: a rejection
    assert label(_skip(110_000, 200_000), settings)[0] == 1.0  # 55 %: listened enough
    # 80 % of the way is not a rejection with the default 30 s threshold either
    assert label(_skip(160_000, 200_000), {})[0] == 1.0


def test_unknown_type_teaches_nothing():
    assert label({"type": "paused"}, {})[1] == 0.0
