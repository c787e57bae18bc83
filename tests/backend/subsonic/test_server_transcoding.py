"""A Subsonic server that cannot transcode (Supysonic 0.7.9 with no transcoder configured, a
real server over real files): what browsers cannot play (AIFF, ALAC in .m4a) is fetched as
it is and made Opus by Encore's own ffmpeg, once, and plays with Range like any file."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.library.media import need_ffmpeg
from tests.supysonic import SupysonicServer

FILES = {"Song In Aiff.aiff": ["-c:a", "pcm_s16be", "-write_id3v2", "1"],
         "Song In Alac.m4a": ["-c:a", "alac"], "Song In Flac.flac": ["-c:a", "flac"]}


@pytest.fixture(scope="module")
def plain_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SupysonicServer]:
    ffmpeg = need_ffmpeg()
    root = tmp_path_factory.mktemp("plain-supysonic")
    for n, (name, codec) in enumerate(FILES.items()):
        target = root / "music" / "Theo Lind" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([ffmpeg, "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                        f"sine=frequency={300 + 100 * n}:duration=6", "-ac", "2", *codec,
                        "-metadata", f"title={name.rsplit('.', 1)[0]}",
                        "-metadata", "artist=Theo Lind", str(target)], check=True)
    server = SupysonicServer(root / "server", root / "music").start(tracks=len(FILES))
    yield server
    server.stop()


@pytest.fixture
def app_config(tmp_path: Path, plain_server: SupysonicServer) -> dict[str, Any]:
    return {"TESTING": True, "DATA_DIR": tmp_path / "data", "SUBSONIC_URL": plain_server.url,
            "SUBSONIC_USER": plain_server.username,
            "SUBSONIC_PASSWORD": plain_server.password}


@pytest.mark.parametrize("title", ["Song In Aiff", "Song In Alac"])
async def test_what_the_server_cannot_transcode_plays(app: Any, client: Any, auth: Any,
                                                      title: str) -> None:
    """Supysonic answers "No way to transcode from aiff to mp3": the song played nowhere."""
    await auth.signup()
    tracks = (await app.sources.candidates("ada", {}, "subsonic")).tracks
    track = next(t for t in tracks if t["name"] == title)
    whole = await client.get(track["audio_url"])
    assert whole.status_code == 200, await whole.get_data()
    assert whole.headers["Content-Type"] == "audio/ogg; codecs=opus"
    body = await whole.get_data()
    assert body[:4] == b"OggS" and b"OpusHead" in body[:100]
    part = await client.get(track["audio_url"], headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and await part.get_data() == body[100:200]
    converted = list((app.settings.data_dir / "subsonic-audio").glob("*.opus"))
    assert len(converted) == 1  # once, then served from Encore's disk
    flac = next(t for t in tracks if t["name"] == "Song In Flac")
    raw = await client.get(flac["audio_url"])  # what browsers play still comes as it is
    assert raw.headers["Content-Type"] == "audio/flac"
