"""A Subsonic track this node never met resolves with one read of the listener's link (the
servers they reach and the connection that asks `getSong` come from the same read)."""

from __future__ import annotations

from typing import Any

import pytest

from backend import create_app

from ..conftest import search


async def test_a_track_another_node_met_resolves_with_one_read_of_the_link(
        listener: Any, app_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    track = (await search(listener, "rock song"))["tracks"][0]
    other = create_app(app_config)  # another node over the same store: it never met the song
    async with other.test_app():
        reads: list[str] = []
        read = other.store.get_subsonic_link

        async def counted(username: str) -> Any:
            reads.append(username)
            return await read(username)

        monkeypatch.setattr(other.store, "get_subsonic_link", counted)
        assert other.sources.subsonic is not None
        found = await other.sources.subsonic.resolve("ada", [track["id"]])
    assert found[track["id"]]["name"] == track["name"]  # asked the server with getSong
    assert reads == ["ada"]
