"""A small local library, on both stores: the feed is never empty while the library has songs.
Every refresh of a library smaller than a feed starts over (and says so); a plain request after
it (the page reloaded) shows the library again, steadily, instead of nothing (it was empty: the
refresh had hidden every song)."""

from __future__ import annotations

import time
from typing import Any

from backend.app_types import EncoreApp
from tests.api.conftest import listen, play
from tests.api.test_search_api import LIBRARY
from tests.conftest import ApiClient, AuthActions


async def feed(client: ApiClient, query: str = "") -> dict[str, Any]:
    answer = await client.get(f"/api/feed?limit=30{query}")
    assert answer.status_code == 200, await answer.get_data(as_text=True)
    body: dict[str, Any] = await answer.get_json()
    return body


async def test_a_small_library_never_gives_an_empty_feed(app: EncoreApp, client: ApiClient,
                                                          auth: AuthActions) -> None:
    await auth.signup()
    await app.store.put_catalog_tracks(LIBRARY)
    app.sources.catalogs["local"].changed()
    library = {t.id for t in LIBRARY}
    first = await feed(client)
    assert first["tracks"] and {t["id"] for t in first["pool"]} <= library
    assert not first["restarted"]

    refreshed = await feed(client, "&refresh=1&shown=" + ",".join(library))
    assert refreshed["restarted"] and refreshed["tracks"]

    reloaded = await feed(client)  # the page opened again
    assert reloaded["tracks"] and {t["id"] for t in reloaded["pool"]} <= library
    assert not reloaded["restarted"]  # nothing to say: it is the same library
    again = await feed(client)
    assert [t["id"] for t in again["tracks"]] == [t["id"] for t in reloaded["tracks"]]
    assert (await feed(client, "&refresh=1"))["restarted"]  # and each refresh starts over


async def test_a_library_heard_through_starts_over_instead_of_going_blank(
        app: EncoreApp, client: ApiClient, auth: AuthActions) -> None:
    """The model does not replay a song heard within the day: with every song of a small
    library heard, its ranking has nothing left, and the feed was empty for a day."""
    await auth.signup()
    await app.store.put_catalog_tracks(LIBRARY)
    app.sources.catalogs["local"].changed()
    assert (await feed(client))["tracks"]
    heard = [play(t.doc, "finished", at=int(time.time() * 1000) - 60_000 + n)
             for n, t in enumerate(LIBRARY)]
    await listen(client, *heard)
    after = await feed(client)  # the page opened again, or its next feed
    assert after["tracks"] and after["restarted"]
    assert {t["id"] for t in after["pool"]} <= {t.id for t in LIBRARY}
    refreshed = await feed(client, "&refresh=1")
    assert refreshed["tracks"] and refreshed["restarted"]
