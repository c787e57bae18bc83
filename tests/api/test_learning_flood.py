"""A flood of single plays from one listener: every play is answered once stored, and the model
learns each exactly once, in order, through far fewer learning tasks than requests; plays of
tracks no source wants to hear of start no background task for the sources."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.api.conftest import demo, play

PLAYS = 40


async def test_a_flood_is_learned_once_each_in_order_while_the_model_is_busy(app, client, auth):
    await auth.signup()
    start = int(time.time() * 1000) - 3_600_000
    items = [play(demo(i), "skipped" if i % 3 == 2 else "finished", at=start + i * 1000)
             for i in range(PLAYS)]
    service = app.models.local
    learn, busy, calls = service.receive_info, asyncio.Event(), []

    async def held_first(username: str, interactions: list[dict[str, Any]]) -> Any:
        calls.append([i["track_id"] for i in interactions])
        if len(calls) == 1:
            await busy.wait()  # the model is still learning the first play
        return await learn(username, interactions)

    service.receive_info = held_first
    told: list[Any] = []
    app.sources.listened = lambda *args: told.append(args)  # would scrobble to a Subsonic server
    first = await client.post("/api/interactions", json={"interactions": items[:1]})
    assert first.status_code == 200
    answers = await asyncio.gather(*(
        client.post("/api/interactions", json={"interactions": [item]}) for item in items[1:]))
    # every request was answered (stored) while the first play was still being learned
    assert [a.status_code for a in answers] == [200] * (PLAYS - 1)
    busy.set()

    deadline = time.monotonic() + 30
    while (await service.snapshot("ada"))[1]["interactions"] < PLAYS:
        assert time.monotonic() < deadline, "the flood was not learned"
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)  # anything learned twice would show by now
    _, model = await service.snapshot("ada")
    assert model["interactions"] == PLAYS  # each play learned once, none twice
    # in the order they happened: the skips and the last plays as the listener made them
    assert [t for t, _ in model["recent_skips"]] == [i["track_id"] for i in items
                                                     if i["type"] == "skipped"]
    assert [t for t, _, _ in model["recent_plays"]] == [i["track_id"] for i in items[-9:]]
    # the 39 plays that arrived while the model was busy went to it together, not one by one
    assert len(calls) == 2 and calls[0] == [items[0]["track_id"]]
    assert sorted(calls[1]) == sorted(i["track_id"] for i in items[1:])
    assert told == []  # demo tracks: no source is told, no task was started for it
