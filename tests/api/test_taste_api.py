"""Your taste through the API on both stores: corrections change the very next feed, what
was forgotten leaves the model, a private session teaches nothing, and bad input says why."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

from tests.api.conftest import demo, error_of, listen, play, until
from tests.conftest import ApiClient, AuthActions
from tests.hostile import examples

AT = 1_750_000_000_000


async def feed_ids(client: ApiClient) -> list[dict[str, Any]]:
    body = await (await client.get("/api/feed?limit=100&pool=1000")).get_json()
    tracks: list[dict[str, Any]] = body["pool"]
    return tracks


def artist_of(track: dict[str, Any]) -> str:
    return str(track["artists"][0]["id"])


async def taste(client: ApiClient) -> dict[str, Any]:
    answer = await client.get("/api/me/taste")
    assert answer.status_code == 200
    body: dict[str, Any] = await answer.get_json()
    return body


async def test_block_takes_an_artist_out_of_the_next_feed_until_unblocked(
        client: ApiClient, auth: AuthActions) -> None:
    await auth.signup()
    top = (await feed_ids(client))[0]
    artist = artist_of(top)
    blocked = await client.post("/api/me/taste/block", json={"artist_id": artist})
    assert (await blocked.get_json())["correction"]["kind"] == "block"
    assert all(artist_of(t) != artist for t in await feed_ids(client))
    assert [b["id"] for b in (await taste(client))["blocked"]] == [artist]
    assert (await taste(client))["blocked"][0]["name"] == top["artists"][0]["name"]
    model = await (await client.get("/api/model")).get_json()
    assert artist in model["snapshot"]["taste"]["blocked"]  # the device's ranker sees it too
    assert (await client.delete(f"/api/me/taste/block/{artist}")).status_code == 200
    assert any(artist_of(t) == artist for t in await feed_ids(client))


async def test_forgetting_an_artist_unlearns_them_and_keeps_them_out(
        client: ApiClient, auth: AuthActions) -> None:
    await auth.signup()
    loved = [t for t in (demo(n) for n in range(640)) if artist_of(t) == artist_of(demo(0))]
    plays = [play(t, "finished", AT + i) for i, t in enumerate(loved * 3)]
    plays += [play(demo(n), "skipped", AT + 100 + n, 2000) for n in range(1, 30)
              if artist_of(demo(n)) != artist_of(demo(0))]
    await listen(client, *plays)
    before = await taste(client)
    assert artist_of(demo(0)) in [a["id"] for a in before["artists"]["up"]]
    learned = before["learned_from"]
    assert learned == len(plays)

    answer = await client.post("/api/me/taste/forget", json={"artist_id": artist_of(demo(0))})
    assert answer.status_code == 200
    assert all(artist_of(t) != artist_of(demo(0)) for t in await feed_ids(client))
    after = await taste(client)
    assert artist_of(demo(0)) not in [a["id"] for a in after["artists"]["up"]]
    assert [a["id"] for a in after["forgotten"]["artists"]] == [artist_of(demo(0))]

    async def unlearned() -> bool:  # the replay runs in the background
        return bool((await taste(client))["learned_from"] == learned - len(loved) * 3)

    await until(unlearned)
    # playing them again brings them back
    await listen(client, play(loved[0], "finished"))
    assert any(artist_of(t) == artist_of(demo(0)) for t in await feed_ids(client))


async def test_forgetting_a_track(client: ApiClient, auth: AuthActions) -> None:
    await auth.signup()
    track = (await feed_ids(client))[0]
    await client.post("/api/me/taste/forget", json={"track_id": track["id"]})
    assert track["id"] not in [t["id"] for t in await feed_ids(client)]
    assert (await taste(client))["forgotten"]["tracks"] == [{"id": track["id"],
                                                             "name": track["name"]}]


async def test_reset_forgets_everything_learned(client: ApiClient, auth: AuthActions) -> None:
    await auth.signup()
    await listen(client, *[play(demo(n), "finished", AT + n) for n in range(20)])
    assert (await taste(client))["learned_from"] == 20
    assert (await client.post("/api/me/taste/reset", json={})).status_code == 200
    after = await taste(client)
    assert after["learned_from"] == 0 and after["artists"] == {"up": [], "down": []}
    assert after["genres"] == {"up": [], "down": []}
    assert "hasn't learned anything yet" in after["summary"]
    history = await (await client.get("/api/me/history?limit=200")).get_json()
    assert len(history["plays"]) == 20  # the plays themselves are kept


async def test_a_private_session_keeps_plays_but_teaches_nothing(client: ApiClient,
                                                                 auth: AuthActions) -> None:
    await auth.signup()
    await listen(client, *[play(demo(n), "finished", int(time.time() * 1000) - 60_000 + n)
                           for n in range(5)])
    on = await client.patch("/api/me/settings", json={"learning_paused": True})
    assert (await on.get_json())["learning_paused"] is True
    assert "Private session" in (await taste(client))["summary"]
    await listen(client, *[play(demo(n), "skipped", int(time.time() * 1000) + n, 1000)
                           for n in range(10, 20)])
    assert (await taste(client))["learned_from"] == 5
    history = await (await client.get("/api/me/history?limit=50")).get_json()
    assert len(history["plays"]) == 15
    await client.patch("/api/me/settings", json={"learning_paused": False})
    await asyncio.sleep(0.01)
    await listen(client, play(demo(30), "finished", int(time.time() * 1000) + 100))
    assert (await taste(client))["learned_from"] == 6


async def test_a_replayed_correction_counts_once(client: ApiClient, auth: AuthActions) -> None:
    await auth.signup()
    body = {"artist_id": "demo-ar-001", "id": str(uuid.uuid4()), "at": AT}
    first = await (await client.post("/api/me/taste/block", json=body)).get_json()
    second = await (await client.post("/api/me/taste/block", json=body)).get_json()
    assert first["duplicate"] is False and second["duplicate"] is True
    assert first["correction"] == second["correction"] == {
        "id": body["id"], "kind": "block", "target": "demo-ar-001", "at": AT}
    query = f"?id={uuid.uuid4()}&at={AT + 1}"
    assert (await (await client.delete(f"/api/me/taste/block/demo-ar-001{query}")).get_json()
            )["correction"]["at"] == AT + 1


# Artist ids as the sources make them, behind their source's prefix: a Subsonic artist known
# only by name is named by it ("AC/DC", "Sigur Rós", "50%"), whatever characters it holds but
# control characters.
ARTIST_IDS = st.tuples(
    st.sampled_from(["subsonic-0123456789-artist-", "demo-ar-", "local-ar-"]),
    st.text(st.characters(blacklist_categories=["Cc", "Cs"]), min_size=1, max_size=40)
    | st.sampled_from(["AC/DC", "..", "a%2Fb", "../x", "/", "?a=1#b"]),
).map("".join)


async def test_any_blocked_artist_can_be_unblocked(client: ApiClient, auth: AuthActions) -> None:
    """The page unblocks with DELETE …/block/<encodeURIComponent(id)>, so an id holding a "/"
    arrives holding one; it must still name that artist."""
    await auth.signup()
    for artist in examples(ARTIST_IDS, 25):
        assert (await client.post("/api/me/taste/block", json={"artist_id": artist})
                ).status_code == 200, artist
        answer = await client.delete(f"/api/me/taste/block/{quote(artist, safe='')}")
        assert answer.status_code == 200, (artist, await answer.get_data(as_text=True))
        assert (await answer.get_json())["correction"]["target"] == artist
    assert (await taste(client))["blocked"] == []


async def test_bad_corrections_say_what_is_wrong(client: ApiClient, auth: AuthActions) -> None:
    assert (await error_of(await client.get("/api/me/taste"), 401))["code"] == "not_signed_in"
    await auth.signup()
    cases = [
        ("/api/me/taste/forget", {}, "track_id or artist_id"),
        ("/api/me/taste/forget", {"track_id": "demo-0001", "artist_id": "x"}, "either"),
        ("/api/me/taste/forget", {"track_id": ""}, "track_id"),
        ("/api/me/taste/block", {}, "artist_id"),
        ("/api/me/taste/block", {"artist_id": "a", "id": "not-a-uuid"}, "id"),
        ("/api/me/taste/block", {"artist_id": "a", "at": 5}, "at"),
        ("/api/me/taste/block", {"artist_id": "a", "at": 4_000_000_000_000}, "future"),
        ("/api/me/taste/reset", {"everything": True}, "everything"),
    ]
    for path, body, words in cases:
        error = await error_of(await client.post(path, json=body), 422)
        assert words in error["message"], (path, body, error)
    await error_of(await client.delete("/api/me/taste/block/a?at=soon"), 422)
    await error_of(await client.patch("/api/me/settings", json={"learning_paused": "yes"}), 422)
    assert (await taste(client))["blocked"] == []


async def test_the_taste_page_claims_no_more_than_the_plays_behind_it(
        client: ApiClient, auth: AuthActions) -> None:
    """One skip is not a taste: after it the page says the picks are still what Encore goes
    by, and names no sound quality; a run of finishes in a genre is called a tendency."""
    await auth.signup()
    await client.patch("/api/me/settings", json={"favorite_genres": ["jazz", "electronic"]})
    jazz = [t for t in (demo(n) for n in range(300)) if "jazz" in t["genres"]]
    other = next(t for t in (demo(n) for n in range(300))
                 if not {"jazz", "electronic"} & set(t["genres"]))
    await listen(client, play(other, "skipped", at=AT, position_ms=1_000),
                 play(jazz[8], "skipped", at=AT + 1_000, position_ms=2_000))

    async def learned(n: int) -> Any:
        return (await taste(client))["learned_from"] >= n

    await until(lambda: learned(2))
    early = await taste(client)
    assert "tend to" not in early["summary"]
    assert "too few to say what you like yet" in early["summary"]
    assert "leans on your picks: electronic and jazz" in early["summary"]
    assert early["qualities"] == {"up": [], "down": []}  # not five dislikes from one skip
    words = {g["name"]: g["words"] for g in early["genres"]["up"] + early["genres"]["down"]}
    assert words["electronic"].startswith("You picked electronic")
    assert words["jazz"] == "You picked jazz, but skipped it so far"  # not "to the end"
    assert all("tend to" not in g["words"] for g in early["genres"]["down"])

    await listen(client, *[play(t, at=AT + 60_000 * (k + 1)) for k, t in enumerate(jazz[:8])])
    await until(lambda: learned(10))
    later = await taste(client)
    words = {g["name"]: g["words"] for g in later["genres"]["up"]}
    assert words["jazz"] == "You tend to play jazz to the end"
    assert "You tend to finish" in later["summary"] and "jazz" in later["summary"]
    assert later["qualities"]["up"] or later["qualities"]["down"]


async def test_an_artist_s_words_count_songs_heard_not_likes_or_late_skips(
        client: ApiClient, auth: AuthActions) -> None:
    """One song played to the end and liked is one song played, not "2 of 2"; a song skipped
    after the skip threshold was a fair listen, not "played to the end" (walk-through)."""
    await auth.signup()
    tracks = [demo(n) for n in range(300)]
    by_artist: dict[str, list[dict[str, Any]]] = {}
    for t in tracks:
        by_artist.setdefault(artist_of(t), []).append(t)
    first, second, third = [songs for songs in by_artist.values() if len(songs) >= 2][:3]
    await listen(client,
                 play(first[0], "finished", at=AT), play(first[0], "liked", at=AT + 1,
                                                           position_ms=2_000),
                 play(second[0], "skipped", at=AT + 2, position_ms=45_000),  # past 30 s
                 play(third[0], "skipped", at=AT + 3, position_ms=2_000),
                 play(third[1], "disliked", at=AT + 4, position_ms=1_000))
    await until(lambda: _learned(client, 5))
    artists = (await taste(client))["artists"]
    words = {a["id"]: a["words"] for a in artists["up"] + artists["down"]}
    assert words[artist_of(first[0])] == "You played 1 of 1 to the end and liked it"
    assert words[artist_of(second[0])] == "You gave 1 of 1 a fair listen"
    assert words[artist_of(third[0])] == "You skipped 1 of 1 and disliked 1"
    # five things taught it, two of them a like and a dislike: not "5 of your plays"
    summary = (await taste(client))["summary"]
    assert "learned from 5 of your plays, skips and likes." in summary, summary


async def _learned(client: ApiClient, n: int) -> bool:
    return bool((await taste(client))["learned_from"] >= n)
