"""Accounts as a user meets them: sign up, sign in, settings, and every bad input refused."""

from __future__ import annotations

import json

import pytest

from backend.passwords import _hasher


async def test_signup_sets_session_and_me_answers(client, auth):
    response = await auth.signup("Ada_L", "correct horse", display_name="Ada Lovelace")
    assert response.status_code == 201
    assert await response.get_json() == {"username": "ada_l", "display_name": "Ada Lovelace"}
    me = await (await client.get("/api/me")).get_json()
    assert me["username"] == "ada_l"
    assert me["settings"]["skip_threshold_unit"] == "seconds"
    assert me["spotify"]["connected"] is False


async def test_username_unique_case_insensitively(auth):
    assert (await auth.signup("Grace")).status_code == 201
    again = await auth.signup("GRACE", "another password")
    assert again.status_code == 409
    assert (await again.get_json())["error"]["code"] == "username_taken"


async def test_unicode_display_name_round_trips(client, auth):
    name = "Zoë 山田 🎧"
    assert (await auth.signup("zoe", display_name=name)).status_code == 201
    assert (await (await client.get("/api/me")).get_json())["display_name"] == name


async def test_password_stored_as_argon2id_with_owasp_cost(app, auth):
    await auth.signup("ada", "correct horse")
    user = await app.store.get_user("ada")
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert "correct horse" not in user.password_hash


async def test_login_logout_and_wrong_password(client, auth):
    await auth.signup()
    await auth.logout()
    assert (await client.get("/api/me")).status_code == 401
    wrong = await auth.login("ada", "wrong horse!")
    assert wrong.status_code == 401
    assert (await wrong.get_json())["error"]["code"] == "invalid_credentials"
    assert (await auth.login("ADA", "correct horse")).status_code == 200
    assert (await client.get("/api/me")).status_code == 200


async def test_unknown_user_login_is_invalid_credentials(auth):
    response = await auth.login("nobody", "whatever123")
    assert response.status_code == 401
    assert (await response.get_json())["error"]["code"] == "invalid_credentials"


async def test_login_rehashes_weaker_hash(app, auth):
    await auth.signup()
    user = await app.store.get_user("ada")
    from argon2 import PasswordHasher

    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(
        "correct horse"
    )
    await app.store.update_user(user)
    assert (await auth.login()).status_code == 200
    rehashed = (await app.store.get_user("ada")).password_hash
    assert rehashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert _hasher.verify(rehashed, "correct horse")


async def test_login_throttled_after_five_failures_even_with_right_password(auth):
    await auth.signup()
    for _ in range(5):
        assert (await auth.login("ada", "wrong password")).status_code == 401
    blocked = await auth.login("ada", "correct horse")
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) >= 1
    assert (await blocked.get_json())["error"]["code"] == "too_many_attempts"


async def test_settings_patch_merges_and_validates(client, auth):
    await auth.signup()
    response = await client.patch(
        "/api/me/settings", json={"favorite_genres": ["jazz", "folk"], "exploration": 0.5}
    )
    assert response.status_code == 200
    settings = await response.get_json()
    assert settings["favorite_genres"] == ["jazz", "folk"]
    assert settings["exploration"] == 0.5
    assert settings["allow_explicit"] is True
    bad = await client.patch(
        "/api/me/settings", json={"skip_threshold_unit": "percent", "skip_threshold_value": 150}
    )
    assert bad.status_code == 422
    assert "skip_threshold_value" in (await bad.get_json())["error"]["message"]
    me = await (await client.get("/api/me")).get_json()
    assert me["settings"]["skip_threshold_unit"] == "seconds"  # nothing stored from the bad patch


async def test_settings_need_a_session(client):
    response = await client.patch("/api/me/settings", json={"exploration": 0.1})
    assert response.status_code == 401


BAD_SIGNUPS = [
    ({}, "username"),
    ({"username": "ab", "password": "long enough"}, "username"),
    ({"username": "a" * 33, "password": "long enough"}, "username"),
    ({"username": "bad name", "password": "long enough"}, "username"),
    ({"username": "ünïcode", "password": "long enough"}, "username"),
    ({"username": "okname", "password": "short"}, "password"),
    ({"username": "okname", "password": "x" * 1025}, "password"),
    ({"username": "okname", "password": "é" * 513}, "password"),  # 1026 bytes
    ({"username": 123, "password": "long enough"}, "username"),
    ({"username": "okname", "password": ["long enough"]}, "password"),
    ({"username": "okname", "password": "long enough", "display_name": "x" * 65}, "display_name"),
    ({"username": "okname", "password": "long enough", "display_name": "a\u0000b"}, "display_name"),
    ({"username": "okname", "password": "long enough", "admin": True}, "admin"),
]


@pytest.mark.parametrize(("body", "field"), BAD_SIGNUPS)
async def test_bad_signup_is_a_clear_422_and_stores_nothing(app, client, body, field):
    response = await client.post("/api/auth/signup", json=body)
    assert response.status_code == 422
    error = (await response.get_json())["error"]
    assert error["code"] == "invalid_request"
    assert field in error["message"]
    assert await app.store.get_user("okname") is None


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("not json at all", "application/json"),
        ('{"username": "okname",', "application/json"),
        ('["okname", "long enough"]', "application/json"),
        ("username=okname&password=long+enough", "application/x-www-form-urlencoded"),
        ("", "application/json"),
    ],
)
async def test_non_json_bodies_get_json_4xx(app, client, data, content_type):
    response = await client.post(
        "/api/auth/signup", data=data, headers={"Content-Type": content_type}
    )
    assert 400 <= response.status_code < 500
    assert response.content_type.startswith("application/json")
    assert "error" in json.loads(await response.get_data())
    assert await app.store.get_user("okname") is None


async def test_two_mib_body_is_413_json(app, client):
    body = json.dumps({"username": "okname", "password": "x" * (2 * 1024 * 1024)})
    response = await client.post(
        "/api/auth/signup", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert (await response.get_json())["error"]["code"] == "payload_too_large"
    assert await app.store.get_user("okname") is None
