"""Store contract for a listener's Subsonic link, on SQLite (a real file) and DynamoDB
(real dynalite): one link per user, replaced whole, credentials stored only as ciphertext."""

from __future__ import annotations

from backend.crypto import TokenCipher, derive_key
from backend.store import Store, SubsonicLink, User
from tests.backend.test_store import store  # noqa: F401  (the both-stores fixture)
from tests.backend.test_store_account import every_row
from tests.dynalite import dynalite_server  # noqa: F401

CIPHER = TokenCipher(derive_key("a test secret"))


def link(username: str, password: str, url: str = "https://music.example.org") -> SubsonicLink:
    return SubsonicLink(username, url, "ada", CIPHER.encrypt(f'{{"password": "{password}"}}',
                                                             username),
                        {"type": "navidrome", "extensions": {"playbackReport": [1]}},
                        1_700_000_000, 1_700_000_100)


async def test_round_trip_replace_and_delete(store: Store) -> None:  # noqa: F811
    first = link("alice", "first-secret")
    await store.put_subsonic_link(first)
    assert await store.get_subsonic_link("ALICE") == first
    second = link("alice", "second-secret", "http://127.0.0.1:4533")
    second.server_user = ""  # an API key: no account name
    await store.put_subsonic_link(second)
    assert await store.get_subsonic_link("alice") == second
    assert await store.get_subsonic_link("bob") is None
    assert await store.delete_subsonic_link("alice") is True
    assert await store.delete_subsonic_link("alice") is False
    assert await store.get_subsonic_link("alice") is None


async def test_no_password_in_any_row(store: Store) -> None:  # noqa: F811
    await store.put_subsonic_link(link("carol", "hunter2-plaintext"))
    rows = await every_row(store)
    assert any("subsonic" in table.lower() for table, _ in rows)
    assert not [row for _, row in rows if "hunter2-plaintext" in row]
    stored = await store.get_subsonic_link("carol")
    assert stored is not None
    assert CIPHER.decrypt(stored.secret_enc, "carol") == '{"password": "hunter2-plaintext"}'


async def test_erasing_the_account_forgets_the_link(store: Store) -> None:  # noqa: F811
    await store.create_user(User("dave", "hash", "Dave"))
    await store.put_subsonic_link(link("dave", "dave-secret"))
    await store.delete_user_data("dave")
    assert await store.get_subsonic_link("dave") is None
