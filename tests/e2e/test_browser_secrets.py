"""Secrets never reach browser storage: after a Spotify-connected session (connect, play, skip,
settings, log out), no IndexedDB record, Cache Storage entry, local/session storage item or
script-readable cookie holds the password, a Spotify access or refresh token, the client secret
or the session cookie; and nothing under /api/spotify/token or /auth/ is cached."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Response

from .conftest import PASSWORD, Server, sign_up, unique_name, wait_until
from .test_spotify import connect_spotify

pytestmark = pytest.mark.e2e

# Reads every store the origin has and reports where a needle shows up (searched in the page:
# the precache holds ~15 MB of Pyodide that need not cross to Python).
SCAN_STORAGE = """async (needles) => {
  const hits = [];
  const seen = {idb: 0, cache: 0, local: localStorage.length, session: sessionStorage.length};
  const look = (where, text) => {
    for (const n of needles) if (text.includes(n)) hits.push(`${where}: ${n.slice(0, 8)}…`);
  };
  const request = (r) => new Promise((ok, fail) => {
    r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
  for (const {name} of await indexedDB.databases()) {
    const db = await request(indexedDB.open(name));
    for (const store of db.objectStoreNames) {
      const rows = db.transaction(store).objectStore(store);
      const keys = await request(rows.getAllKeys());
      const values = await request(rows.getAll());
      seen.idb += keys.length;
      look(`indexedDB ${name}/${store}`, JSON.stringify([keys, values]));
    }
    db.close();
  }
  const urls = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const req of await cache.keys()) {
      urls.push(req.url);
      seen.cache += 1;
      const answer = await cache.match(req);
      const headers = JSON.stringify([...answer.headers]);
      look(`cache ${name} ${req.url}`, req.url + headers + await answer.text());
    }
  }
  for (const [label, store] of [["local", localStorage], ["session", sessionStorage]]) {
    for (let i = 0; i < store.length; i++) look(label, store.key(i) + store.getItem(store.key(i)));
  }
  look("document.cookie", document.cookie);
  return {hits, urls, seen};
}"""


def scan(page: Page, needles: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(SCAN_STORAGE, needles)
    return result


def assert_nothing_secret(page: Page, needles: list[str]) -> dict[str, Any]:
    result = scan(page, needles)
    assert result["hits"] == []
    for url in result["urls"]:
        path = urlsplit(url).path
        assert not path.startswith(("/api/spotify/", "/auth/", "/api/auth/")), url
    return result


def test_no_secret_reaches_browser_storage(page: Page, server: Server) -> None:
    tokens_seen: list[str] = []

    def on_response(response: Response) -> None:
        if urlsplit(response.url).path == "/api/spotify/token" and response.ok:
            tokens_seen.append(response.json()["access_token"])

    page.on("response", on_response)
    # The service worker controls the page before Spotify's sign-in page is opened, as it does
    # for a person (who takes seconds over the picks): everything below, the Spotify sign-in's
    # requests too, goes through it. Left installing across the cross-origin round trip, under
    # automation it twice did not control the page 20 s and 60 s later (fresh-clone CI runs).
    sign_up(page, unique_name("secrets"), unhurried=True)
    connect_spotify(page)
    page.wait_for_function("() => document.body.dataset.spotify === 'ready'")
    page.get_by_role("button", name="Refresh feed").click()
    page.wait_for_function("() => encore.queue.tracks[0]?.source === 'spotify'")
    page.locator("#feed-list .track-card").first.get_by_role("button", name="Play").click()
    player = page.locator("#player")
    wait_until(lambda: int(player.get_attribute("data-position") or 0) > 300, message="playing")
    page.get_by_role("button", name="Next (skip)").click()
    wait_until(lambda: int(player.get_attribute("data-position") or 0) > 300, message="next")
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("heading", name="Settings").wait_for()
    page.wait_for_function("() => document.body.dataset.outboxPending === '0'")
    # the page back from Spotify's sign-in is the service worker's from its first request
    assert page.evaluate("() => navigator.serviceWorker.controller !== null")

    # The page did hold a Spotify token in memory (the SDK asked for it): it must stay there.
    assert tokens_seen and set(tokens_seen) <= set(server.emulator.state.access_tokens)
    cookie = next(c["value"] for c in page.context.cookies() if c["name"] == "encore_session")
    session = cookie.partition("~")[0]  # the secret part (the username follows the ~)
    state = server.emulator.state
    needles = sorted({PASSWORD, session, state.client.client_secret, *state.access_tokens,
                      *state.refresh_tokens})
    assert len(needles) >= 5 and all(len(n) >= 16 for n in needles)

    during = assert_nothing_secret(page, needles)
    assert during["seen"]["idb"] >= 1 and during["seen"]["cache"] >= 10  # it looked at real data
    assert any(urlsplit(u).path == "/api/feed" for u in during["urls"])

    page.get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="Log in").wait_for()
    after = assert_nothing_secret(page, needles)
    # Logging out forgets the user's cached answers too.
    assert not any(urlsplit(u).path in ("/api/me", "/api/feed", "/api/model")
                   for u in after["urls"])
