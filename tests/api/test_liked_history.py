"""Liked songs and listening history through the API, on both stores."""

from __future__ import annotations

import time
import uuid

from hypothesis import strategies as st

from backend.subsonic.ids import server_key, track_id
from tests.api.conftest import demo, error_of, listen, play
from tests.conftest import ApiClient, AuthActions
from tests.hostile import examples

AT = 1_750_000_000_000


async def test_liked_songs_newest_first_with_their_tracks(client: ApiClient,
                                                          auth: AuthActions) -> None:
    await auth.signup()
    a, b, c = demo(0), demo(1), demo(2)
    await listen(client, play(a, "finished", AT), play(a, "liked", AT + 1),
                 play(b, "skipped", AT + 2, 3000), play(c, "liked", AT + 3))
    first = await (await client.get("/api/me/liked?limit=1")).get_json()
    assert [t["id"] for t in first["tracks"]] == [c["id"]]
    assert first["tracks"][0]["name"] == c["name"] and first["tracks"][0]["liked_at"] == AT + 3
    second = await (await client.get(f"/api/me/liked?limit=1&cursor={first['next_cursor']}")
                    ).get_json()
    assert [t["id"] for t in second["tracks"]] == [a["id"]] and second["next_cursor"] is None
    contains = await client.get(f"/api/me/liked/contains?ids={a['id']},{b['id']},{c['id']}")
    assert (await contains.get_json())["liked"] == [a["id"], c["id"]]


async def test_a_replayed_like_is_one_like_and_unlike_removes_it(client: ApiClient,
                                                                 auth: AuthActions) -> None:
    await auth.signup()
    like = play(demo(5), "liked", AT)
    await listen(client, like)
    await listen(client, like)  # the outbox sent it twice
    liked = await (await client.get("/api/me/liked")).get_json()
    assert [t["id"] for t in liked["tracks"]] == [demo(5)["id"]]
    assert (await client.delete(f"/api/me/liked/{demo(5)['id']}")).status_code == 204
    assert (await client.delete(f"/api/me/liked/{demo(5)['id']}")).status_code == 204
    assert (await (await client.get("/api/me/liked")).get_json())["tracks"] == []


async def test_history_shows_how_each_play_ended(client: ApiClient, auth: AuthActions) -> None:
    await auth.signup()
    await listen(client, play(demo(0), "finished", AT), play(demo(1), "skipped", AT + 1, 12_000),
                 play(demo(2), "liked", AT + 2), play(demo(3), "disliked", AT + 3, 4000))
    page = await (await client.get("/api/me/history?limit=3")).get_json()
    assert [(p["track"]["id"], p["type"], p["position_ms"]) for p in page["plays"]] == [
        (demo(3)["id"], "disliked", 4000), (demo(2)["id"], "liked", demo(2)["duration_ms"]),
        (demo(1)["id"], "skipped", 12_000)]
    assert page["plays"][2]["track"]["artists"] == demo(1)["artists"]
    rest = await (await client.get(f"/api/me/history?cursor={page['next_cursor']}")).get_json()
    assert [p["track"]["id"] for p in rest["plays"]] == [demo(0)["id"]]
    assert rest["next_cursor"] is None


async def test_lists_belong_to_their_listener(client: ApiClient, auth: AuthActions) -> None:
    await auth.signup("ada")
    await listen(client, play(demo(0), "liked", AT))
    await auth.logout()
    await auth.signup("bob")
    assert (await (await client.get("/api/me/liked")).get_json())["tracks"] == []
    assert (await (await client.get("/api/me/history")).get_json())["plays"] == []


async def test_bad_paging_and_signed_out_requests(client: ApiClient, auth: AuthActions) -> None:
    assert (await error_of(await client.get("/api/me/liked"), 401))["code"] == "not_signed_in"
    assert (await error_of(await client.get("/api/me/history"), 401))["code"] == "not_signed_in"
    await auth.signup()
    for path in ("/api/me/liked", "/api/me/history"):
        for query in ("limit=0", "limit=201", "limit=ten", "cursor=", "cursor=bogus",
                      "colour=blue"):
            error = await error_of(await client.get(f"{path}?{query}"), 422)
            assert error["code"] == "invalid_request", (path, query)
    error = await error_of(await client.get("/api/me/liked/contains"), 422)
    assert "ids" in error["message"]
    error = await error_of(await client.get("/api/me/liked/contains?ids=" + ",".join(
        f"demo-{i:04d}" for i in range(1, 102))), 422)
    assert "100" in error["message"]


async def test_contains_answers_for_every_track_id_a_source_makes(client: ApiClient,
                                                                  auth: AuthActions) -> None:
    """A Subsonic song whose server id is not plain (a path, spaces: `subsonic-<key>-~<base64>`)
    is liked like any other, and `contains` says so (it refused the "~": a 422 for the batch)."""
    await auth.signup()
    key = server_key("https://music.example.org")
    made = (track_id(key, song_id) for song_id in examples(st.text(min_size=1, max_size=40), 30))
    ids = list(dict.fromkeys(i for i in made if i is not None))
    assert any("~" in i for i in ids)
    now = int(time.time() * 1000)
    await listen(client, *({"id": str(uuid.uuid4()), "track_id": i, "type": "liked",
                            "position_ms": 0, "duration_ms": 60_000, "at": now} for i in ids))
    answer = await client.get("/api/me/liked/contains", query_string={"ids": ",".join(ids)})
    assert answer.status_code == 200, await answer.get_data(as_text=True)
    assert sorted((await answer.get_json())["liked"]) == sorted(ids)
    # 100 ids of a server whose song ids are UUIDs (Supysonic): 5,700 characters
    many = ",".join(track_id(key, str(uuid.uuid4())) or "" for _ in range(100))
    answer = await client.get("/api/me/liked/contains", query_string={"ids": many})
    assert answer.status_code == 200, await answer.get_data(as_text=True)
