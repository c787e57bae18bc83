"""A node's memory of Spotify candidates is bounded: however many users it serves, it keeps
the most recent CANDIDATE_USERS users' candidates and SPOTIFY_TRACKS tracks."""

from __future__ import annotations

from backend import sources as sources_module


def _tracks(user: int, count: int = 20) -> list[dict]:
    return [{"id": f"{user:011d}{k:011d}", "name": f"track {k}"} for k in range(count)]


async def test_candidate_cache_keeps_the_most_recent_users_within_its_bounds(app) -> None:
    sources = app.sources
    users = sources_module.CANDIDATE_USERS + 500  # and 20 tracks each: 50,000 tracks
    for user in range(users):
        sources.remember(f"user{user}", _tracks(user))
    assert sources.held() == (sources_module.CANDIDATE_USERS, sources_module.SPOTIFY_TRACKS)
    recent = sources._candidates.get(f"user{users - 1}")
    assert recent is not None and sources._tracks(recent[1]) == _tracks(users - 1)
    assert sources._candidates.get("user0") is None  # the least recently served went first
