"""One listener's Subsonic server is theirs: another listener of the same Encore who names its
ids (a playlist, a like, a play, the artist and album pages, audio, covers) reads nothing of it,
though this node met those songs for the first listener. On a real server (Supysonic)."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from tests.conftest import ApiClient, AuthActions

from ..conftest import search


async def test_another_listener_reads_nothing_of_adas_server(app: Any, listener: Any) -> None:
    track = next(t for t in (await search(listener, "rock song"))["tracks"]
                 if t["name"] == "Rock Song 2")
    secrets = ("Rock Song", "Ada Holm", "Rock Album")  # what only Ada's server says
    bob = ApiClient(app.test_client())
    assert (await AuthActions(bob).signup("bob", "bob password")).status_code == 201
    play = {"id": str(uuid.uuid4()), "track_id": track["id"], "type": "liked",
            "position_ms": 0, "duration_ms": track["duration_ms"],
            "at": int(time.time() * 1000)}
    assert (await bob.post("/api/interactions", json={"interactions": [play]})).status_code == 200
    made = await bob.post("/api/playlists", json={"name": "Mine", "track_ids": [track["id"]]})
    assert made.status_code == 201
    playlist = await made.get_json()
    assert playlist["tracks"][0]["unavailable"] is True
    answers = [playlist]
    for path in ("/api/me/liked", "/api/me/history", f"/api/playlists/{playlist['id']}",
                 "/api/me/export", "/api/me/taste"):
        answer = await bob.get(path)
        assert answer.status_code == 200, path
        answers.append(await answer.get_json())
    for path in (f"/api/artists/{track['artists'][0]['id']}",
                 f"/api/albums/{track['album']['id']}", track["audio_url"],
                 track["album"]["images"][0]["url"]):
        answer = await bob.get(path)
        assert answer.status_code == 404, path
        answers.append(await answer.get_json())
    said = json.dumps(answers)
    assert not [s for s in secrets if s in said], said
    # Ada herself still sees her song in a playlist of hers
    hers = await listener.post("/api/playlists", json={"name": "Hers", "track_ids": [track["id"]]})
    assert [t["name"] for t in (await hers.get_json())["tracks"]] == ["Rock Song 2"]
