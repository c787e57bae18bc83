"""Demo audio and covers over HTTP, as a browser's <audio> element and <img> fetch them."""

from __future__ import annotations

import asyncio
import io
import socket
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import httpx
import pytest
import soundfile as sf
from hypercorn.asyncio import serve
from hypercorn.config import Config

from backend import create_app
from backend.catalog import demo_catalog

TRACK = min(demo_catalog(), key=lambda t: t["duration_ms"])  # the quickest to render
AUDIO = f"/api/tracks/{TRACK['id']}/audio"
COVER = TRACK["album"]["images"][0]["url"]


@pytest.fixture(scope="module")
def shared_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture
def app_config(shared_data_dir: Path) -> dict[str, Any]:
    # One data dir for the module: the track's audio is rendered once, not once per test.
    return {"TESTING": True, "DATA_DIR": shared_data_dir}


async def _full(client: Any) -> bytes:
    response = await client.get(AUDIO)
    assert response.status_code == 200
    return await response.get_data()


async def test_full_audio_plays(client: Any) -> None:
    response = await client.get(AUDIO)
    assert response.status_code == 200
    assert response.mimetype == "audio/ogg"
    assert response.headers["Accept-Ranges"] == "bytes"
    cache = response.headers["Cache-Control"]
    assert "public" in cache and "max-age=604800" in cache and "no-store" not in cache
    body = await response.get_data()
    assert int(response.headers["Content-Length"]) == len(body)
    samples, rate = sf.read(io.BytesIO(body))
    assert abs(len(samples) / rate - TRACK["duration_ms"] / 1000) <= 0.5
    assert response.headers.get("ETag")


@pytest.mark.parametrize(("header", "expected"), [
    ("bytes=0-99", slice(0, 100)),
    ("bytes=100-", slice(100, None)),
    ("bytes=-500", slice(-500, None)),
    ("bytes=1000-1999", slice(1000, 2000)),
    ("bytes=0-999999999", slice(0, None)),  # an end past the file is clamped
])
async def test_range_requests_get_exactly_those_bytes(client: Any, header: str,
                                                      expected: slice) -> None:
    full = await _full(client)
    response = await client.get(AUDIO, headers={"Range": header})
    assert response.status_code == 206
    body = await response.get_data()
    assert body == full[expected]
    start = expected.start % len(full) if expected.start is not None else 0
    assert response.headers["Content-Range"] == \
        f"bytes {start}-{start + len(body) - 1}/{len(full)}"
    assert int(response.headers["Content-Length"]) == len(body)
    assert response.mimetype == "audio/ogg"


async def test_suffix_longer_than_the_file_gets_all_of_it(client: Any) -> None:
    full = await _full(client)
    response = await client.get(AUDIO, headers={"Range": f"bytes=-{len(full) * 2}"})
    assert response.status_code == 206
    assert await response.get_data() == full
    assert response.headers["Content-Range"] == f"bytes 0-{len(full) - 1}/{len(full)}"


@pytest.mark.parametrize("header", ["bytes={size}-", "bytes={size}-{size}", "bytes=-0"])
async def test_unsatisfiable_range_is_416_json(client: Any, header: str) -> None:
    size = len(await _full(client))
    response = await client.get(AUDIO, headers={"Range": header.format(size=size)})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{size}"
    assert (await response.get_json())["error"]["code"] == "range_not_satisfiable"


@pytest.mark.parametrize("header", ["items=0-9", "bytes=0-9,20-29", "bytes=50-10", "bytes=x-y"])
async def test_ranges_we_do_not_serve_get_the_whole_file(client: Any, header: str) -> None:
    full = await _full(client)
    response = await client.get(AUDIO, headers={"Range": header})
    assert response.status_code == 200
    assert await response.get_data() == full


async def test_validators(client: Any) -> None:
    first = await client.get(AUDIO)
    etag = first.headers["ETag"]
    again = await client.get(AUDIO, headers={"If-None-Match": etag})
    assert again.status_code == 304 and await again.get_data() == b""
    # If-Range with the current ETag honours the range, with a stale one sends everything.
    fresh = await client.get(AUDIO, headers={"Range": "bytes=0-9", "If-Range": etag})
    assert fresh.status_code == 206 and len(await fresh.get_data()) == 10
    stale = await client.get(AUDIO, headers={"Range": "bytes=0-9", "If-Range": '"old"'})
    assert stale.status_code == 200 and await stale.get_data() == await first.get_data()


@pytest.mark.parametrize("track_id", ["demo-9999", "spotify-123", "..", "demo-0001.ogg"])
async def test_unknown_track_is_404_json(client: Any, track_id: str) -> None:
    response = await client.get(f"/api/tracks/{track_id}/audio")
    assert response.status_code == 404
    assert (await response.get_json())["error"]["code"] == "track_not_found"


async def test_simultaneous_first_plays_get_the_same_file(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "DATA_DIR": tmp_path})
    async with app.test_app():
        client = app.test_client()
        responses = await asyncio.gather(*(client.get(AUDIO) for _ in range(3)))
        bodies = [await r.get_data() for r in responses]
    assert all(r.status_code == 200 for r in responses)
    assert bodies[0] and bodies.count(bodies[0]) == 3
    assert [p.name for p in (tmp_path / "audio").iterdir()] == [f"{TRACK['id']}.ogg"]


async def test_cover_is_cacheable_svg(client: Any) -> None:
    response = await client.get(COVER)
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Cache-Control"] == "public, max-age=604800, immutable"
    root = ET.fromstring(await response.get_data())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


async def test_unknown_cover_is_404_json(client: Any) -> None:
    response = await client.get("/api/demo/covers/demo-al-9999.svg")
    assert response.status_code == 404
    assert (await response.get_json())["error"]["code"] == "album_not_found"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_ranges_over_real_http(shared_data_dir: Path) -> None:
    """Through Hypercorn, as a browser seeking in the player does it."""
    app = create_app({"TESTING": True, "DATA_DIR": shared_data_dir})
    config = Config()
    port = _free_port()
    config.bind = [f"127.0.0.1:{port}"]
    config.accesslog = config.errorlog = None
    stop = asyncio.Event()
    server = asyncio.create_task(serve(app, config, shutdown_trigger=stop.wait))  # type: ignore[arg-type]
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            deadline = asyncio.get_running_loop().time() + 10
            while True:
                try:
                    full = await http.get(AUDIO)
                    break
                except httpx.ConnectError:
                    assert asyncio.get_running_loop().time() < deadline, "server did not start"
                    await asyncio.sleep(0.05)
            assert full.status_code == 200 and full.headers["content-type"] == "audio/ogg"
            part = await http.get(AUDIO, headers={"Range": "bytes=-500"})
            assert part.status_code == 206 and part.content == full.content[-500:]
            size = len(full.content)
            assert part.headers["content-range"] == f"bytes {size - 500}-{size - 1}/{size}"
            bad = await http.get(AUDIO, headers={"Range": f"bytes={size}-"})
            assert bad.status_code == 416 and bad.json()["error"]["code"] == "range_not_satisfiable"
    finally:
        stop.set()
        await server
