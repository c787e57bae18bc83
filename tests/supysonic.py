"""Supysonic, a real Subsonic server, for the tests: a generated folder of real audio files,
the server's own command line to add the user and the folder and to scan, and
`supysonic-server -S waitress` on a free port.

Supysonic (0.7.9, AGPL-3.0) lives in its own virtual environment, `.venv-supysonic`, which
`make supysonic` creates from tests/supysonic-requirements.txt (`make test` does it first; the
fixture runs it when the environment is missing). It speaks Subsonic API 1.12 with password
sign-in only and no OpenSubsonic extensions.

Supysonic forwards a scrobble to ListenBrainz (`submission=true` as a "single" listen, a
now-playing notice as "playing_now"). The fixture points its ListenBrainz URL at a small
recorder and links the listener's account through Supysonic's own web pages, so a test can see
exactly which scrobbles the server received.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from tests.dynalite import free_port

REPO = Path(__file__).resolve().parents[1]
VENV = REPO / ".venv-supysonic"
USER = "listener"
PASSWORD = "supysonic-password"  # noqa: S105  (a test account)


@dataclass(frozen=True)
class Song:
    """A file of the generated library, with the tags it carries."""

    path: str
    title: str
    artist: str
    album: str
    genre: str
    year: int
    track: int
    hz: int
    seconds: float


def _library() -> list[Song]:
    artists = [("Ada Holm", "Rock", 1994, "mp3"), ("Milo Reyes", "Electronic", 2011, "ogg"),
               ("Iris Okafor", "Jazz", 1962, "flac"), ("Theo Lind", "Folk", 2003, "mp3")]
    songs = []
    for a, (artist, genre, year, kind) in enumerate(artists):
        album = f"{genre} Album"
        for n in range(1, 5):
            title = f"{genre} Song {n}"
            songs.append(Song(f"{artist}/{album}/{n:02d} {title}.{kind}", title, artist, album,
                              genre, year, n, 220 + 110 * a + 20 * n, 4.0 + n * 0.5))
    return songs


LIBRARY = _library()
_CODECS = {"mp3": ["-c:a", "libmp3lame", "-b:a", "64k"],
           "ogg": ["-c:a", "libvorbis", "-q:a", "2"], "flac": ["-c:a", "flac"]}


def make_music(folder: Path, songs: list[Song] = LIBRARY) -> list[Song]:
    """Real MP3, Ogg Vorbis and FLAC files with tags, and a cover.jpg per album (ffmpeg)."""
    for song in songs:
        target = folder / song.path
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        kind = song.path.rsplit(".", 1)[1]
        tags = {"title": song.title, "artist": song.artist, "album_artist": song.artist,
                "album": song.album, "genre": song.genre, "date": str(song.year),
                "track": str(song.track)}
        _ffmpeg(["-f", "lavfi", "-i", f"sine=frequency={song.hz}:duration={song.seconds}",
                 *(a for k, v in tags.items() for a in ("-metadata", f"{k}={v}")),
                 *_CODECS[kind], str(target)])
        cover = target.parent / "cover.jpg"
        if not cover.exists():
            hue = sum(map(ord, song.album)) % 360
            _ffmpeg(["-f", "lavfi", "-i", f"color=c=0x{hue % 256:02x}6080:s=320x320", "-frames:v",
                     "1", str(cover)])
    return songs


def _ffmpeg(args: list[str]) -> None:
    subprocess.run(["ffmpeg", "-loglevel", "error", "-nostdin", "-y", *args], check=True)


def ensure_venv() -> Path:
    """`.venv-supysonic/bin`, created by `make supysonic` when missing."""
    if not (VENV / ".installed").exists():
        subprocess.run(["make", "-s", "supysonic"], cwd=REPO, check=True)
    return VENV / "bin"


class ListenBrainzRecorder:
    """The two ListenBrainz calls Supysonic makes: validate-token and submit-listens."""

    def __init__(self) -> None:
        self.listens: list[dict[str, Any]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802  (validate-token, sent with a body)
                self._answer({"valid": True, "user_name": USER, "message": "Token valid."})

            def do_POST(self) -> None:  # noqa: N802
                size = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(size) or b"{}")
                for listen in body.get("payload", []):
                    meta = listen.get("track_metadata", {})
                    recorder.listens.append({"type": body.get("listen_type"),
                                             "title": meta.get("track_name"),
                                             "artist": meta.get("artist_name"),
                                             "listened_at": listen.get("listened_at")})
                self._answer({"status": "ok"})

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def scrobbled(self) -> list[str]:
        """Titles Supysonic submitted as listens (scrobble with submission=true)."""
        return [listen["title"] for listen in self.listens if listen["type"] == "single"]

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


class SupysonicServer:
    """`start()` sets up the user and the folder, scans it and serves; `url` then answers."""

    def __init__(self, workdir: Path, music: Path) -> None:
        self.workdir = workdir
        self.music = music
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.username, self.password = USER, PASSWORD
        self.listenbrainz = ListenBrainzRecorder()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = workdir / "supysonic.log"

    def _env(self) -> dict[str, str]:
        return {**os.environ, "HOME": str(self.workdir)}

    def _cli(self, *args: str) -> str:
        done = subprocess.run([str(self.bin / "supysonic-cli"), *args], cwd=self.workdir,
                              env=self._env(), capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"supysonic-cli {' '.join(args)}: {done.stdout}{done.stderr}")
        return done.stdout

    def start(self, timeout: float = 90.0, tracks: int = len(LIBRARY)) -> SupysonicServer:
        """`tracks`: how many the scan must find (the generated LIBRARY by default)."""
        self.bin = ensure_venv()
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "supysonic.conf").write_text(
            "[base]\n"
            f"database_uri = sqlite:///{self.workdir / 'supysonic.db'}\n"
            "[webapp]\n"
            f"cache_dir = {self.workdir / 'cache'}\n"
            "log_level = WARNING\n"
            "[daemon]\n"
            f"socket = {self.workdir / 'daemon.sock'}\n"
            "[listenbrainz]\n"
            f"api_url = {self.listenbrainz.url}\n")
        self._cli("user", "add", self.username, "--password", self.password)
        self._cli("folder", "add", "Music", str(self.music))
        scan = self._cli("folder", "scan", "--foreground", "Music")
        if f"{tracks} tracks" not in scan:
            raise RuntimeError(f"Supysonic scanned something else: {scan}")
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [str(self.bin / "supysonic-server"), "-S", "waitress", "-h", "127.0.0.1",
                 "-p", str(self.port), "--threads", "8"],
                cwd=self.workdir, env=self._env(), stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"supysonic-server exited: {self.log.read_text()[-2000:]}")
            try:
                if self.call("ping")["status"] == "ok":
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"Supysonic did not answer: {self.log.read_text()[-2000:]}")
            time.sleep(0.1)
        self._link_listenbrainz()
        return self

    def _link_listenbrainz(self) -> None:
        """As the listener would: sign in to Supysonic's web pages, link ListenBrainz."""
        with httpx.Client(base_url=self.url, follow_redirects=True) as web:
            web.post("/user/login", data={"user": self.username, "password": self.password})
            page = web.get("/user/me/listenbrainz/link", params={"token": "encore-test-token"})
            if "Successfully linked ListenBrainz" not in page.text:
                raise RuntimeError("could not link ListenBrainz in Supysonic's web pages")

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """The server's API with the listener's password (what the tests check with)."""
        answer = httpx.get(f"{self.url}/rest/{method}", params={
            "u": self.username, "p": self.password, "v": "1.12.0", "c": "encore-tests",
            "f": "json", **params}, timeout=10)
        body: dict[str, Any] = answer.json()["subsonic-response"]
        return body

    def now_playing(self) -> list[str]:
        entries = (self.call("getNowPlaying").get("nowPlaying") or {}).get("entry") or []
        return [e["title"] for e in (entries if isinstance(entries, list) else [entries])]

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.listenbrainz.close()


async def wait_for(condition: Callable[[], object], what: str, seconds: float = 15.0) -> None:
    """Poll until `condition()` holds (Supysonic forwards scrobbles after answering)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
