"""The big JSON answers travel compressed when the browser says it can decode them, and
decode to exactly the plain answer; audio and 304s are left alone."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import brotli
import httpx
import pytest
import zstandard

from tests.servers import EncoreProcess

PAGE = {"X-Requested-With": "encore"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    process = EncoreProcess("serve", Path(tmp_path_factory.mktemp("compression"))).start(60)
    try:
        yield process
    finally:
        process.stop()


def _raw(http: httpx.Client, path: str, encoding: str) -> tuple[httpx.Response, bytes]:
    with http.stream("GET", path, headers={"Accept-Encoding": encoding}) as response:
        return response, b"".join(response.iter_raw())


@pytest.mark.parametrize("encoding", ["zstd", "br", "gzip"])
def test_feed_and_model_are_compressed_and_decode_to_the_plain_answer(server, encoding):
    with httpx.Client(base_url=server.url, headers=PAGE, timeout=30) as http:
        http.post("/api/auth/signup", json={"username": f"z{encoding}", "password": "pw pw pw pw"})
        for path in ("/api/feed", "/api/model"):
            plain = http.get(path, headers={"Accept-Encoding": "identity"})
            assert "content-encoding" not in plain.headers
            response, wire = _raw(http, path, encoding)
            assert response.headers["content-encoding"] == encoding
            assert "accept-encoding" in response.headers["vary"].lower()
            decode = {"zstd": zstandard.ZstdDecompressor().decompressobj().decompress,
                      "br": brotli.decompress, "gzip": gzip.decompress}[encoding]
            decoded = decode(wire)
            got, want = json.loads(decoded), plain.json()
            if path == "/api/feed":
                got.pop("generated_at"), want.pop("generated_at")
            assert got == want
            assert len(wire) < len(plain.content) / 3


def test_audio_and_not_modified_are_not_compressed(server):
    with httpx.Client(base_url=server.url, headers=PAGE, timeout=30) as http:
        http.post("/api/auth/signup", json={"username": "audio", "password": "pw pw pw pw"})
        track = http.get("/api/feed").json()["tracks"][0]
        audio, _ = _raw(http, track["audio_url"], "br, gzip")
        assert audio.status_code == 200 and "content-encoding" not in audio.headers
        etag = http.get("/api/model").headers["etag"]
        again = http.get("/api/model", headers={"If-None-Match": etag, "Accept-Encoding": "br"})
        assert again.status_code == 304 and "content-encoding" not in again.headers
