"""The model service answers a repeated feed ranking from memory: always exactly what ranking
afresh gives, and afresh as soon as anything it depends on changes (an interaction, the
settings, the candidates, or a skip leaving the day window)."""

from __future__ import annotations

import time

import shared_model
from backend.catalog.demo import demo_tracks
from backend.user_settings import settings_of
from shared_model import device
from tests.plays import plays

DAY_MS = 86_400_000


async def _afresh(app, candidates, limit, now):
    entry = await app.models.local.subscribe("ada")
    settings = settings_of(await app.store.get_user("ada"))
    ranked = device.rank_feed(entry.model, candidates, settings, limit, now)
    return [t["id"] for t in ranked], [t["score"] for t in ranked], [t["reason"] for t in ranked]


def _triple(answer):
    return answer["track_ids"], answer["scores"], answer["reasons"]


async def test_a_remembered_ranking_equals_ranking_afresh(app, client, auth):
    await auth.signup()
    service = app.models.local
    candidates = demo_tracks()
    now = int(time.time() * 1000)
    first = await service.suggest("ada", candidates, 200, now)
    memo = service._cache["ada"].ranking
    second = await service.suggest("ada", list(candidates), 200, now + 1000)
    assert service._cache["ada"].ranking is memo  # answered from memory
    assert _triple(first) == _triple(second) == await _afresh(app, candidates, 200, now)

    skipped = [t for t in candidates if t["id"] == first["track_ids"][0]]
    await client.post("/api/interactions", json={"interactions": plays(skipped, "skipped",
                                                                        start_ms=now)})
    await service.subscribe("ada", fresh=True)
    after = await service.suggest("ada", candidates, 200, now + 2000)
    assert after["track_ids"][0] != first["track_ids"][0]
    assert _triple(after) == await _afresh(app, candidates, 200, now + 2000)

    fewer = candidates[:300]  # other candidates: ranked afresh
    assert _triple(await service.suggest("ada", fewer, 200, now + 3000)) == await _afresh(
        app, fewer, 200, now + 3000)
    assert (await client.patch("/api/me/settings", json={"exploration": 0.9})).status_code == 200
    changed = await service.suggest("ada", fewer, 200, now + 4000)
    assert _triple(changed) == await _afresh(app, fewer, 200, now + 4000)

    # A day after the skip the skipped track comes back: not the remembered answer.
    everything = await service.suggest("ada", candidates, 1000, now + 5000)
    assert skipped[0]["id"] not in everything["track_ids"]
    later = now + DAY_MS + 1
    back = await service.suggest("ada", candidates, 1000, later)
    assert _triple(back) == await _afresh(app, candidates, 1000, later)
    # offered again (the item-to-item memory of the quick skip may rank it last, where artist
    # spacing can cut a 1,000-long list short: ask for it alone)
    assert (await service.suggest("ada", skipped, 10, now + 6000))["track_ids"] == []
    assert (await service.suggest("ada", skipped, 10, later))["track_ids"] == [skipped[0]["id"]]


async def test_a_new_forest_changes_the_remembered_ranking(app, client, auth):
    await auth.signup()
    service = app.models.local
    candidates = demo_tracks()
    now = int(time.time() * 1000)
    before = await service.suggest("ada", candidates, 100, now)
    entry = service._cache["ada"]
    liked = [t for t in candidates if t["features"]["energy"] > 0.6][:20]
    other = [t for t in candidates if t["features"]["energy"] < 0.3][:20]
    history = plays(liked, start_ms=now - 100_000) + plays(other, "skipped", start_ms=now - 50_000)
    tracks = {t["id"]: t for t in candidates}
    examples = shared_model.training_examples(history, tracks, shared_model.DEFAULT_SETTINGS)
    from backend.training import train_ensemble

    entry.model.set_ensemble(train_ensemble(examples), len(examples))  # in place, same version
    after = await service.suggest("ada", candidates, 100, now)
    assert _triple(after) == await _afresh(app, candidates, 100, now)
    assert _triple(after) != _triple(before)


async def test_new_listeners_alike_share_their_first_ranking_until_they_act(app, client, auth,
                                                                           monkeypatch):
    """The first feed of a listener who has done nothing yet is the same for everyone with the
    same settings: ranked once, not once per new listener; a play or other settings make it
    theirs again."""
    for name in ("ada", "bob", "cyd"):
        assert (await auth.signup(name)).status_code == 201
    service = app.models.local
    ranked_afresh = []
    rank_feed = device.rank_feed
    monkeypatch.setattr(device, "rank_feed", lambda *a: ranked_afresh.append(1) or rank_feed(*a))
    candidates = demo_tracks()
    now = int(time.time() * 1000)

    async def afresh(name, when):
        model = (await service.subscribe(name)).model
        ranked = rank_feed(model, candidates, settings_of(await app.store.get_user(name)), 200,
                           when)
        return _triple({"track_ids": [t["id"] for t in ranked],
                        "scores": [t["score"] for t in ranked],
                        "reasons": [t["reason"] for t in ranked]})

    ada = await service.suggest("ada", candidates, 200, now)
    bob = await service.suggest("bob", list(candidates), 200, now + 1000)
    assert len(ranked_afresh) == 1  # bob's was ada's
    assert _triple(bob) == _triple(ada) == await afresh("bob", now + 1000)

    # cyd (the client's session) picks jazz: other settings, another ranking
    picked = await client.patch("/api/me/settings", json={"favorite_genres": ["jazz"]})
    assert picked.status_code == 200
    cyd = await service.suggest("cyd", candidates, 200, now + 2000)
    assert len(ranked_afresh) == 2 and _triple(cyd) == await afresh("cyd", now + 2000)
    assert _triple(cyd) != _triple(ada)

    # cyd skips the top track: her ranking is hers from now on, and ada's is not touched
    skipped = [t for t in candidates if t["id"] == cyd["track_ids"][0]]
    await client.post("/api/interactions", json={"interactions": plays(skipped, "skipped",
                                                                        start_ms=now)})
    await service.subscribe("cyd", fresh=True)
    after = await service.suggest("cyd", candidates, 200, now + 3000)
    assert after["track_ids"][0] != skipped[0]["id"]
    assert _triple(after) == await afresh("cyd", now + 3000)
    assert _triple(await service.suggest("ada", candidates, 200, now + 4000)) == _triple(ada)
