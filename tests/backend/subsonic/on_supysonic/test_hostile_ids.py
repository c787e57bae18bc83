"""Hostile ids in every Subsonic route, with the listener's account on a real server
(Supysonic): covers, audio, the artist and album pages, search, now playing, playlist import
and unblocking an artist. Whatever the id, the answer is Encore's (never a 5xx: an id the
server cannot read names nothing there), and every error is DESIGN.md's JSON body."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from backend.subsonic.ids import track_id
from tests.hostile import HOSTILE_IDS, examples, url_segment
from tests.supysonic import SupysonicServer

from ..conftest import search


def requests(key: str, value: str) -> list[tuple[str, str, Any]]:
    seg = url_segment(value)
    encoded = track_id(key, value) if value.isprintable() else None  # as Encore makes ids
    return [
        ("get", f"/api/subsonic/covers/{key}/{seg}", None),
        ("get", f"/api/tracks/subsonic-{key}-{seg}/audio", None),
        ("get", f"/api/tracks/{url_segment(encoded or value)}/audio", None),
        ("get", f"/api/artists/subsonic-{key}-artist-{seg}", None),
        ("get", f"/api/albums/subsonic-{key}-album-{seg}", None),
        ("get", f"/api/search?q={seg}", None),
        ("post", "/api/subsonic/now-playing", {"track_id": f"subsonic-{key}-{value}"}),
        ("post", "/api/playlists/import", {"source": "subsonic", "id": f"{key}:{value}"}),
        ("delete", f"/api/me/taste/block/subsonic-{key}-artist-{seg}", None),
    ]


async def test_hostile_ids_in_subsonic_routes_are_answered_never_a_failure(
        listener: Any) -> None:
    key = (await search(listener, "rock song"))["tracks"][0]["id"].split("-")[1]
    failures = []
    for value in examples(HOSTILE_IDS, 40):
        for method, url, body in requests(key, value):
            answer = await getattr(listener, method)(url, json=body)
            text = await answer.get_data(as_text=True)
            if answer.status_code >= 500:
                failures.append((method, url, answer.status_code, text[:200]))
            elif answer.status_code >= 400:
                error = (await answer.get_json() or {}).get("error") or {}
                assert set(error) == {"code", "message"}, (url, text)
    assert not failures, "\n".join(map(str, failures))


RANGES = st.one_of(
    st.text(st.characters(max_codepoint=0xFF, blacklist_categories=["Cc"]), max_size=12).map(
        lambda spec: "bytes=" + spec),  # what HTTP/1.1 lets a header hold: Latin-1 too
    st.sampled_from(["bytes=²-5", "bytes=5-1", "items=0-1", "bytes=0-1,2-3", "bytes=-0",
                     "bytes=99999999-", "bytes=" + "9" * 40 + "-", "bytes=0-1", "bytes=-5"]),
)


async def test_any_range_on_subsonic_audio_is_answered_as_encores_own_audio(
        listener: Any, supysonic: SupysonicServer) -> None:
    """A Subsonic song's audio answers any Range as Encore's own audio does: the range, the
    whole file when the header cannot be honoured (RFC 9110), or a JSON 416; never a 500 (a
    header that is not ASCII could not be sent on) nor the server's HTML error page."""
    track = (await search(listener, "rock song"))["tracks"][0]
    whole = await (await listener.get(track["audio_url"])).get_data()
    for value in examples(RANGES, 60):
        answer = await listener.get(track["audio_url"], headers={"Range": value})
        assert answer.status_code in (200, 206, 416), (value, answer.status_code)
        body = await answer.get_data()
        if answer.status_code == 200:
            assert body == whole, value
        elif answer.status_code == 416:
            assert (await answer.get_json())["error"]["code"] == "range_not_satisfiable", value
