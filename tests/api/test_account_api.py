"""The account as a whole through the API on both stores: a password change ends every other
session, the export holds everything stored about the listener, and deleting the account
leaves no row of theirs in any table."""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
import time
from typing import Any

from backend.app_types import EncoreApp
from backend.store import Session
from tests.api.conftest import demo, error_of, listen, play, until
from tests.backend.test_store_account import every_row
from tests.conftest import ApiClient, AuthActions

AT = 1_750_000_000_000


async def who(app: EncoreApp, cookie_value: str) -> int | str:
    """Who a bare cookie value signs in as, through Quart and the interactions door: a
    username, or the status when nobody."""
    headers = {"Cookie": f"encore_session={cookie_value}", "X-Requested-With": "encore"}
    me = await app.test_client().get("/api/me", headers=headers)
    posted = await app.test_client().post("/api/interactions", headers=headers,
                                          json={"interactions": [play(demo(0), at=AT)]})
    if me.status_code != 200:
        assert posted.status_code == me.status_code
        return me.status_code
    assert posted.status_code == 200
    return str((await me.get_json())["username"])


async def test_the_name_in_the_cookie_never_signs_in_as_anyone(app: EncoreApp,
                                                               auth: AuthActions) -> None:
    """The cookie carries the username beside the session id (a store reads both at once); the
    user is still the session's: another name in it is an unknown session, and a cookie from
    before the name was added still signs in."""
    answer = await auth.signup("alice", "alice password")
    value = answer.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    token, _, name = value.partition("~")
    assert name == "alice" and len(token) >= 43  # 32 random bytes
    await AuthActions(ApiClient(app.test_client())).signup("mallory", "mallory password")
    assert await who(app, value) == "alice"
    for forged in (f"{token}~mallory", f"{token}~ALICE", token, f"{token}~", f"~{value}"):
        assert await who(app, forged) == 401, forged
    bare = secrets.token_urlsafe(32)  # a session started before the name was in the cookie
    await app.store.put_session(Session(hashlib.sha256(bare.encode()).hexdigest(), "alice",
                                        int(time.time()) + 3600))
    assert await who(app, bare) == "alice"


async def test_a_new_password_ends_every_other_session(app: EncoreApp, client: ApiClient,
                                                       auth: AuthActions) -> None:
    await auth.signup("ada", "correct horse")
    laptop = ApiClient(app.test_client())
    assert (await AuthActions(laptop).login("ada", "correct horse")).status_code == 200
    assert (await laptop.get("/api/me")).status_code == 200
    changed = await client.post("/api/me/password",
                                json={"current": "correct horse", "new": "battery staple"})
    assert changed.status_code == 204
    assert (await client.get("/api/me")).status_code == 200  # this one stays signed in
    assert (await error_of(await laptop.get("/api/me"), 401))["code"] == "not_signed_in"
    assert (await AuthActions(laptop).login("ada", "correct horse")).status_code == 401
    assert (await AuthActions(laptop).login("ada", "battery staple")).status_code == 200


async def test_a_wrong_or_weak_password_changes_nothing(client: ApiClient,
                                                        auth: AuthActions) -> None:
    await auth.signup("ada", "correct horse")
    wrong = await client.post("/api/me/password", json={"current": "nope", "new": "long enough"})
    assert (await error_of(wrong, 403))["code"] == "wrong_password"
    weak = await client.post("/api/me/password", json={"current": "correct horse", "new": "x"})
    assert "new" in (await error_of(weak, 422))["message"]
    await error_of(await client.post("/api/me/password", json={"current": "correct horse"}), 422)
    await auth.logout()
    assert (await auth.login("ada", "correct horse")).status_code == 200


async def test_export_holds_everything_and_no_secret(client: ApiClient,
                                                     auth: AuthActions) -> None:
    await auth.signup("ada", "correct horse", display_name="Ada L.")
    await listen(client, play(demo(0), "finished", AT), play(demo(1), "liked", AT + 1))
    await client.post("/api/playlists", json={"name": "Mix", "track_ids": [demo(2)["id"]]})
    await client.post("/api/me/taste/block", json={"artist_id": "demo-ar-007"})
    answer = await client.get("/api/me/export")
    assert answer.status_code == 200
    assert "attachment" in answer.headers["Content-Disposition"]
    assert answer.headers["Cache-Control"] == "no-store"
    text = await answer.get_data(as_text=True)
    document = json.loads(text)
    assert document["account"]["username"] == "ada"
    assert document["account"]["display_name"] == "Ada L."
    assert [i["track_id"] for i in document["interactions"]] == [demo(0)["id"], demo(1)["id"]]
    assert document["liked"] == [{"track_id": demo(1)["id"], "at": AT + 1}]
    assert [(p["name"], p["track_ids"]) for p in document["playlists"]] == [
        ("Mix", [demo(2)["id"]])]
    assert [c["target"] for c in document["taste"]["corrections"]] == ["demo-ar-007"]
    assert document["settings"]["exploration"] == 0.3
    assert "password" not in text.lower() and "argon2" not in text


async def test_deleting_the_account_leaves_nothing(app: EncoreApp, client: ApiClient,
                                                   auth: AuthActions) -> None:
    await auth.signup("zelda", "correct horse")
    await listen(client, *[play(demo(n), "finished", AT + n) for n in range(30)],
                 play(demo(40), "liked", AT + 40))
    await client.post("/api/playlists", json={"name": "Mix", "track_ids": [demo(2)["id"]]})
    await client.post("/api/me/taste/forget", json={"artist_id": "demo-ar-007"})
    await client.get("/api/feed")  # the model is built and cached
    laptop = ApiClient(app.test_client())
    await AuthActions(laptop).login("zelda", "correct horse")
    held = {table for table, row in await every_row(app.store) if "zelda" in row.lower()}
    assert len(held) >= 7, held  # so the check below can fail

    refused = await client.delete("/api/me", json={"password": "wrong"})
    assert (await error_of(refused, 403))["code"] == "wrong_password"
    await error_of(await client.delete("/api/me", json={}), 422)
    gone = await client.delete("/api/me", json={"password": "correct horse"})
    assert gone.status_code == 204
    assert "encore_session=;" in gone.headers.get("Set-Cookie", "").replace('""', "")

    assert [row for _, row in await every_row(app.store) if "zelda" in row.lower()] == []
    assert (await error_of(await laptop.get("/api/me"), 401))["code"] == "not_signed_in"
    assert (await auth.login("zelda", "correct horse")).status_code == 401
    again = await auth.signup("zelda", "another password")  # the name is free again
    assert again.status_code == 201
    assert (await (await client.get("/api/me/history")).get_json())["plays"] == []
    assert (await (await client.get("/api/playlists")).get_json())["playlists"] == []
    assert (await (await client.get("/api/me/taste")).get_json())["learned_from"] == 0


async def test_a_training_under_way_saves_nothing_of_a_deleted_account(
        app: EncoreApp, client: ApiClient, auth: AuthActions) -> None:
    """A training that was running when its account was deleted saves no model: not one left
    behind the account, nor one learned from the old plays onto a listener who took the name
    meanwhile (it saved onto them; a save in the middle of the erasure outlived it)."""
    models = app.models.local
    run, started, release = models.trainer.run, asyncio.Event(), asyncio.Event()

    async def held_run(fn: Any, *args: Any) -> Any:
        started.set()
        result = await run(fn, *args)
        await release.wait()  # the account is deleted while the training is under way
        return result

    models.trainer.run = held_run  # type: ignore[method-assign]
    await auth.signup("zelda", "correct horse")
    await listen(client, *[play(demo(n), "finished", AT + n) for n in range(30)])
    await client.get("/api/feed")  # 30 plays: the first training starts
    await asyncio.wait_for(started.wait(), 60)
    gone = await client.delete("/api/me", json={"password": "correct horse"})
    assert gone.status_code == 204
    assert (await auth.signup("zelda", "another password")).status_code == 201
    release.set()

    async def trained() -> bool:
        return not models.training()

    await until(trained)
    assert await app.store.get_model("zelda") is None
    assert (await (await client.get("/api/me/taste")).get_json())["learned_from"] == 0
