"""The PWA's files as a browser fetches them: what is on disk now, revalidated and ranged as
before they were answered from memory, compressed as the browser accepts
(backend/blueprints/static.py)."""

from __future__ import annotations

import gzip
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import brotli
import pytest
import zstandard

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


def _decoded(body: bytes, coding: str) -> bytes:
    if coding == "zstd":
        return zstandard.ZstdDecompressor().decompressobj().decompress(body)
    return brotli.decompress(body) if coding == "br" else gzip.decompress(body)


@pytest.mark.parametrize("coding", ["zstd", "br", "gzip"])
async def test_a_script_comes_compressed_as_the_browser_accepts_and_revalidates_so(
        web, coding) -> None:
    client, root = web
    script = root / "assets" / "app-0123456789.js"
    plain = await client.get("/assets/app-0123456789.js", headers={"Accept-Encoding": "identity"})
    answer = await client.get("/assets/app-0123456789.js",
                              headers={"Accept-Encoding": f"{coding}, identity"})
    assert answer.headers["Content-Encoding"] == coding
    assert "accept-encoding" in answer.headers["Vary"].lower()
    assert _decoded(await answer.get_data(), coding) == script.read_bytes()
    # another representation, another ETag: a cache never mixes up the two
    assert answer.headers["ETag"] != plain.headers["ETag"]
    again = await client.get("/assets/app-0123456789.js", headers={
        "Accept-Encoding": coding, "If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304
    script.write_bytes(b"// a rebuilt script\n" * 100)  # a new version, compressed anew
    rebuilt = await client.get("/assets/app-0123456789.js", headers={"Accept-Encoding": coding})
    assert _decoded(await rebuilt.get_data(), coding) == script.read_bytes()


async def test_what_the_browser_refuses_or_a_range_comes_plain(web) -> None:
    client, root = web
    content = (root / "assets" / "app-0123456789.js").read_bytes()
    refused = await client.get("/assets/app-0123456789.js",
                               headers={"Accept-Encoding": "zstd;q=0, br;q=0, gzip"})
    assert refused.headers["Content-Encoding"] == "gzip"
    nothing = await client.get("/assets/app-0123456789.js", headers={"Accept-Encoding": "*;q=0"})
    assert "Content-Encoding" not in nothing.headers and await nothing.get_data() == content
    part = await client.get("/assets/app-0123456789.js",
                            headers={"Accept-Encoding": "zstd", "Range": "bytes=0-99"})
    assert part.status_code == 206 and "Content-Encoding" not in part.headers
    assert await part.get_data() == content[:100]
