"""Playlists through the API on both stores: create, read with ETag, rename, reorder with
If-Match (412 with the current version when another device got there first), append, delete,
and the error bodies of bad requests."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import demo, error_of
from tests.conftest import ApiClient, AuthActions


def ids(*numbers: int) -> list[str]:
    return [demo(n)["id"] for n in numbers]


async def create(client: ApiClient, name: str = "Road trip", tracks: list[str] | None = None
                 ) -> Any:
    answer = await client.post("/api/playlists", json={"name": name, "track_ids": tracks or []})
    assert answer.status_code == 201, await answer.get_data(as_text=True)
    return answer


async def put_tracks(client: ApiClient, pid: str, tracks: list[str], etag: str | None) -> Any:
    headers = {"If-Match": etag} if etag is not None else {}
    return await client.put(f"/api/playlists/{pid}/tracks", json={"track_ids": tracks},
                            headers=headers)


async def test_create_read_and_list(client: ApiClient, auth: AuthActions) -> None:
    await auth.signup()
    made = await create(client, "  Road   trip ", ids(3, 1))
    body = await made.get_json()
    assert body["name"] == "Road trip" and body["version"] == 1
    assert [t["id"] for t in body["tracks"]] == ids(3, 1)
    assert body["tracks"][0]["name"] == demo(3)["name"]
    assert made.headers["ETag"] == '"1"'
    assert made.headers["Location"] == f"/api/playlists/{body['id']}"
    await create(client, "Empty")
    listed = (await (await client.get("/api/playlists")).get_json())["playlists"]
    assert [(p["name"], p["track_count"]) for p in listed] == [("Road trip", 2), ("Empty", 0)]
    assert listed[0]["cover"] == demo(3)["album"]["images"][0]["url"] and listed[1]["cover"] is None
    read = await client.get(f"/api/playlists/{body['id']}")
    assert read.headers["ETag"] == '"1"' and (await read.get_json())["tracks"] == body["tracks"]
    again = await client.get(f"/api/playlists/{body['id']}", headers={"If-None-Match": '"1"'})
    assert again.status_code == 304


async def test_reorder_with_if_match_and_the_two_device_conflict(client: ApiClient,
                                                                 auth: AuthActions) -> None:
    await auth.signup()
    pid = (await (await create(client, "Mix", ids(1, 2, 3))).get_json())["id"]
    phone = await put_tracks(client, pid, ids(3, 1, 2), '"1"')
    assert phone.status_code == 200 and phone.headers["ETag"] == '"2"'
    assert [t["id"] for t in (await phone.get_json())["tracks"]] == ids(3, 1, 2)
    laptop = await put_tracks(client, pid, ids(2), '"1"')  # edited the version-1 list
    body = await laptop.get_json()
    assert laptop.status_code == 412 and body["error"]["code"] == "playlist_changed"
    assert body["current"] == {"version": 2, "name": "Mix", "track_ids": ids(3, 1, 2)}
    assert laptop.headers["ETag"] == '"2"'
    merged = await put_tracks(client, pid, ids(3, 1), '"2"')  # merged, then sent again
    assert merged.status_code == 200 and merged.headers["ETag"] == '"3"'
    read = await (await client.get(f"/api/playlists/{pid}")).get_json()
    assert [t["id"] for t in read["tracks"]] == ids(3, 1) and read["version"] == 3


async def test_rename_append_and_delete(client: ApiClient, auth: AuthActions) -> None:
    await auth.signup()
    pid = (await (await create(client, "Mix", ids(1))).get_json())["id"]
    renamed = await client.patch(f"/api/playlists/{pid}", json={"name": "Morning"})
    assert (await renamed.get_json())["name"] == "Morning" and renamed.headers["ETag"] == '"2"'
    stale = await client.patch(f"/api/playlists/{pid}", json={"name": "X"},
                               headers={"If-Match": '"1"'})
    assert (await error_of(stale, 412))["code"] == "playlist_changed"
    added = await client.post(f"/api/playlists/{pid}/tracks", json={"track_ids": ids(4, 5)})
    assert [t["id"] for t in (await added.get_json())["tracks"]] == ids(1, 4, 5)
    assert (await client.delete(f"/api/playlists/{pid}")).status_code == 204
    assert (await error_of(await client.get(f"/api/playlists/{pid}"), 404))["code"] == \
        "playlist_not_found"
    assert (await error_of(await client.delete(f"/api/playlists/{pid}"), 404))["code"] == \
        "playlist_not_found"


async def test_an_add_sent_again_adds_nothing_the_second_time(client: ApiClient,
                                                              auth: AuthActions) -> None:
    """A device whose "add to playlist" reached the server but whose answer never came back (the
    page closed, the connection dropped) sends it again: the song must be in the list once."""
    await auth.signup()
    pid = (await (await create(client, "Mix", ids(1))).get_json())["id"]
    first = {"track_ids": ids(4), "edit_id": "edit-a"}
    assert (await client.post(f"/api/playlists/{pid}/tracks", json=first)).status_code == 200
    renamed = await client.patch(f"/api/playlists/{pid}", json={"name": "Morning"})
    assert renamed.status_code == 200  # a save in between keeps the ids of earlier edits
    again = await client.post(f"/api/playlists/{pid}/tracks", json=first)
    assert again.status_code == 200
    assert [t["id"] for t in (await again.get_json())["tracks"]] == ids(1, 4)
    other = await client.post(f"/api/playlists/{pid}/tracks",  # another edit of the same song
                              json={"track_ids": ids(4), "edit_id": "edit-b"})
    assert [t["id"] for t in (await other.get_json())["tracks"]] == ids(1, 4, 4)
    read = await (await client.get(f"/api/playlists/{pid}")).get_json()
    assert [t["id"] for t in read["tracks"]] == ids(1, 4, 4) and read["version"] == 4
    assert read["name"] == "Morning"
    bad = await client.post(f"/api/playlists/{pid}/tracks",
                            json={"track_ids": ids(5), "edit_id": "no spaces"})
    assert (await error_of(bad, 422))["code"] == "invalid_request"


async def test_someone_elses_playlist_is_not_found(client: ApiClient, auth: AuthActions) -> None:
    await auth.signup("ada")
    pid = (await (await create(client, "Mine", ids(1))).get_json())["id"]
    await auth.logout()
    await auth.signup("bob")
    assert (await error_of(await client.get(f"/api/playlists/{pid}"), 404))["code"] == \
        "playlist_not_found"
    await error_of(await put_tracks(client, pid, ids(2), '"1"'), 404)
    await error_of(await client.delete(f"/api/playlists/{pid}"), 404)
    assert (await (await client.get("/api/playlists")).get_json())["playlists"] == []


async def test_bad_playlist_requests_say_what_is_wrong(client: ApiClient,
                                                       auth: AuthActions) -> None:
    assert (await error_of(await client.get("/api/playlists"), 401))["code"] == "not_signed_in"
    await auth.signup()
    for body, words in (({"name": ""}, "name"), ({"name": "x" * 101}, "name"),
                        ({"name": "a\u0007b"}, "control"), ({}, "name"),
                        ({"name": "ok", "track_ids": ["no-such-track"]}, "unknown track"),
                        ({"name": "ok", "track_ids": "demo-0001"}, "track_ids"),
                        ({"name": "ok", "extra": 1}, "extra")):
        error = await error_of(await client.post("/api/playlists", json=body), 422)
        assert words in error["message"], (body, error)
    pid = (await (await create(client, "Mix", ids(1))).get_json())["id"]
    missing = await error_of(await put_tracks(client, pid, ids(2), None), 428)
    assert missing["code"] == "if_match_required"
    assert (await error_of(await put_tracks(client, pid, ids(2), "yesterday"), 400))["code"] == \
        "bad_request"
    unknown = await error_of(await put_tracks(client, pid, [*ids(2), "nope"], '"1"'), 422)
    assert "track_ids.1" in unknown["message"]
    too_many = await error_of(await put_tracks(client, pid, ids(2) * 5001, '"1"'), 422)
    assert "track_ids" in too_many["message"]
    empty_add = await client.post(f"/api/playlists/{pid}/tracks", json={"track_ids": []})
    await error_of(empty_add, 422)
    await error_of(await client.get("/api/playlists/../etc"), 404)
    read = await (await client.get(f"/api/playlists/{pid}")).get_json()
    assert [t["id"] for t in read["tracks"]] == ids(1) and read["version"] == 1
