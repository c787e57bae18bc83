"""The PWA's files as a browser fetches them: what is on disk now, revalidated and ranged as
before they were answered from memory (backend/blueprints/static.py)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from backend import create_app


@pytest.fixture
async def web(monkeypatch, tmp_path: Path) -> AsyncIterator[tuple[Any, Path]]:
    root = tmp_path / "web"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>first build</title>")
    (root / "assets" / "app-0123456789.js").write_bytes(bytes(range(256)) * 40)
    monkeypatch.setenv("ENCORE_WEB_ROOT", str(root))
    app = create_app()
    async with app.test_app():
        yield app.test_client(), root


async def test_a_rebuilt_page_is_served_at_once(web) -> None:
    client, root = web
    assert "first build" in await (await client.get("/")).get_data(as_text=True)
    index = root / "index.html"
    index.write_text("<!doctype html><title>second build, longer</title>")
    assert "second build" in await (await client.get("/")).get_data(as_text=True)
    # the same length, written within the same second: the modification time still tells
    index.write_text("<!doctype html><title>third  build, longer</title>")
    stat = index.stat()
    os.utime(index, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000))
    assert "third  build" in await (await client.get("/")).get_data(as_text=True)


async def test_the_page_revalidates_with_its_etag_and_date(web) -> None:
    client, root = web
    first = await client.get("/")
    assert first.headers["Cache-Control"] == "no-cache"
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert (await client.get("/", headers={"If-None-Match": etag})).status_code == 304
    assert (await client.get("/", headers={"If-Modified-Since": modified})).status_code == 304
    (root / "index.html").write_text("<!doctype html><title>a new version</title>")
    again = await client.get("/", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag


async def test_a_script_is_answered_whole_or_by_range(web) -> None:
    client, root = web
    content = (root / "assets" / "app-0123456789.js").read_bytes()
    whole = await client.get("/assets/app-0123456789.js")
    assert whole.status_code == 200 and await whole.get_data() == content
    assert whole.headers["Content-Type"].startswith(("text/javascript", "application/javascript"))
    assert whole.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    part = await client.get("/assets/app-0123456789.js", headers={"Range": "bytes=100-299"})
    assert part.status_code == 206 and await part.get_data() == content[100:300]
    assert part.headers["Content-Range"] == f"bytes 100-299/{len(content)}"
