"""The scanner on real files and a real SQLite store: incremental, id-stable, and unbreakable."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from backend.library.covers import CoverCache
from backend.library.scanner import Scanner
from backend.store.sqlite import SQLiteStore
from tests.library.media import embed_picture, jpeg, make_track, tone


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "data" / "encore.sqlite3")
    await s.open()
    yield s
    await s.close()


def scanner(store: SQLiteStore, tmp_path: Path, *folders: Path) -> Scanner:
    return Scanner(store, list(folders), CoverCache(tmp_path / "data" / "covers"), True)


def music(root: Path) -> dict[str, Path]:
    return {
        "one": make_track(root / "Ada Lind" / "Night Songs", "01 Blue Hour", "mp3",
                          title="Blue Hour", artist="Ada Lind", album="Night Songs",
                          tracknumber="1", genre="Jazz"),
        "two": make_track(root / "Ada Lind" / "Night Songs", "02 Red Sky", "flac",
                          signal=tone(3.0, 330), title="Red Sky", artist="Ada Lind",
                          album="Night Songs", tracknumber="2", genre="Jazz"),
        "three": make_track(root / "Other", "three", "vorbis", signal=tone(3.0, 550),
                            title="Three", artist=["X", "Y"]),
    }


async def test_scan_fills_the_catalog_then_rescans_only_what_changed(
        store: SQLiteStore, tmp_path: Path) -> None:
    root = tmp_path / "Music"
    files = music(root)
    (root / "Ada Lind" / "Night Songs" / "cover.jpg").write_bytes(jpeg(800, 800))
    (root / "notes.txt").write_text("not music")
    scan = scanner(store, tmp_path, root)
    progress: list[tuple[int, int]] = []
    first = await scan.scan(lambda done, total: progress.append((done, total)))
    assert (first.files, first.read, first.added, first.failed) == (3, 3, 3, [])
    assert progress[-1] == (3, 3)
    tracks = {t.doc["name"]: t for t in await store.catalog_tracks("local")}
    assert set(tracks) == {"Blue Hour", "Red Sky", "Three"}
    blue, red = tracks["Blue Hour"], tracks["Red Sky"]
    assert blue.doc["album"]["id"] == red.doc["album"]["id"]  # one album across formats
    assert blue.doc["artists"][0]["id"] == red.doc["artists"][0]["id"]
    cover = blue.doc["album"]["images"][0]["url"]
    assert cover == red.doc["album"]["images"][0]["url"]  # the folder's cover.jpg, once
    assert (tmp_path / "data" / "covers" / cover.rsplit("/", 1)[1]).stat().st_size < 60_000
    assert [a["name"] for a in tracks["Three"].doc["artists"]] == ["X", "Y"]
    assert blue.analysis == "pending" and blue.doc["format"] == "mp3"

    again = await scan.scan()
    assert (again.files, again.read, again.added, again.vanished) == (3, 0, 0, 0)

    os.utime(files["one"], ns=(1, 1))  # touched: read again, same id
    touched = await scan.scan()
    assert touched.read == 1 and touched.added == 0
    assert {t.id for t in await store.catalog_tracks("local")} == set(
        t.id for t in tracks.values())


async def test_a_multi_disc_album_shows_the_cover_of_its_folder(store: SQLiteStore,
                                                             tmp_path: Path) -> None:
    """Album/CD1, Album/Disc 2: the cover.jpg in the album's folder is every disc's cover (a
    listener saw no cover on a two-disc album); a folder that is no disc does not borrow it,
    nor does a disc folder right inside the library take a cover from outside it."""
    root = tmp_path / "Music"
    album = root / "Ada Lind" / "Long Night"
    for n, disc in enumerate(("CD1", "Disc 2", "Bonus")):
        make_track(album / disc, f"{disc} song", "flac", signal=tone(3.0, 300 + 50 * n),
                   title=f"{disc} song", artist="Ada Lind", album="Long Night")
    disc_root = tmp_path / "Disc 9"  # a library folder of its own
    make_track(disc_root, "loose", "mp3", signal=tone(3.0, 700), title="Loose", artist="X")
    (album / "cover.jpg").write_bytes(jpeg(500, 500))
    (tmp_path / "cover.jpg").write_bytes(jpeg(400, 400))  # outside the library
    await scanner(store, tmp_path, root, disc_root).scan()
    covers = {t.doc["name"]: [i["url"] for i in t.doc["album"]["images"]]
              for t in await store.catalog_tracks("local")}
    assert covers["CD1 song"] and covers["CD1 song"] == covers["Disc 2 song"]
    assert covers["Bonus song"] == [] and covers["Loose"] == []


async def test_moved_file_keeps_its_id_and_a_vanished_one_keeps_its_record(
        store: SQLiteStore, tmp_path: Path) -> None:
    root = tmp_path / "Music"
    files = music(root)
    scan = scanner(store, tmp_path, root)
    await scan.scan()
    before = {t.doc["name"]: t.id for t in await store.catalog_tracks("local")}
    target = root / "Moved" / "renamed.mp3"
    target.parent.mkdir()
    shutil.move(files["one"], target)
    files["three"].unlink()
    result = await scan.scan()
    assert (result.read, result.added, result.vanished) == (1, 0, 1)
    after = {t.id: t for t in await store.catalog_tracks("local")}
    moved = after[before["Blue Hour"]]
    assert moved.present and moved.location == "0/Moved/renamed.mp3"
    gone = after[before["Three"]]
    assert not gone.present and gone.doc["name"] == "Three"
    assert (await store.catalog_counts("local"))["tracks"] == 2
    make_track(root / "Back", "three", "vorbis", signal=tone(3.0, 550), title="Three")
    assert (await scan.scan()).added == 1
    assert (await store.get_catalog_tracks([before["Three"]]))[before["Three"]].present


async def test_a_duplicate_copy_takes_over_when_the_original_goes(
        store: SQLiteStore, tmp_path: Path) -> None:
    root = tmp_path / "Music"
    original = make_track(root / "a", "song", "flac", title="Song")
    copy = root / "b" / "song (copy).flac"
    copy.parent.mkdir()
    shutil.copy(original, copy)
    scan = scanner(store, tmp_path, root)
    assert (await scan.scan()).added == 1
    (track,) = await store.catalog_tracks("local")
    served = scan.absolute(track.location)
    served.unlink()
    result = await scan.scan()
    assert result.vanished == 0
    (track,) = await store.catalog_tracks("local")
    assert track.present and scan.absolute(track.location).exists()


async def test_bad_inputs_are_listed_and_nothing_else_breaks(
        store: SQLiteStore, tmp_path: Path) -> None:
    root = tmp_path / "Music"
    make_track(root, "good", "mp3", title="Good")
    (root / "empty.mp3").write_bytes(b"")
    (root / "corrupt.flac").write_bytes(b"fLaC" + os.urandom(2000))
    (root / "noise.ogg").write_bytes(os.urandom(5000))
    flac = make_track(root, "really-flac", "flac", signal=tone(3.0, 600), title="Wrong Ext")
    flac.rename(root / "really-flac.mp3")
    heavy = make_track(root, "heavy", "mp3", signal=tone(3.0, 700), title="Heavy")
    embed_picture(heavy, "mp3", b"\xff\xd8" + b"\0" * (50 * 1024 * 1024))
    (root / "loop").symlink_to(root)
    outside = make_track(tmp_path / "elsewhere", "secret", "mp3", signal=tone(3.0, 800),
                         title="Secret")
    (root / "escape.mp3").symlink_to(outside)
    (root / "escape-dir").symlink_to(outside.parent)
    (root / "broken.mp3").symlink_to(root / "nowhere.mp3")
    os.mkfifo(root / "pipe.mp3")
    result = await scanner(store, tmp_path, root).scan()
    names = {t.doc["name"] for t in await store.catalog_tracks("local")}
    assert names == {"Good", "Wrong Ext", "Heavy"}
    failed = {f["path"]: f["error"] for f in result.failed}
    assert "empty" in failed["empty.mp3"]
    assert "not a readable music file" in failed["corrupt.flac"]
    assert "noise.ogg" in failed
    assert "plays without it" in failed["heavy.mp3"]
    assert "loop" in failed["loop"]
    assert "outside the library" in failed["escape.mp3"]
    assert "outside the library" in failed["escape-dir"]
    assert "broken" in failed["broken.mp3"]
    assert "not a regular file" in failed["pipe.mp3"]
    assert len(failed) == 9
    assert all("Secret" not in t.doc["name"] for t in await store.catalog_tracks("local"))


def test_an_unreadable_file_is_a_clear_failure(tmp_path: Path) -> None:
    """Root reads anything, so as root the check runs without the capabilities that let it."""
    path = make_track(tmp_path, "locked", "mp3")
    path.chmod(0)
    code = ("import sys; from backend.library.scanner import inspect;"
            "print(inspect(sys.argv[1], True)[2])")
    drop = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
    out = subprocess.run([*(drop if os.geteuid() == 0 else []), sys.executable, "-c", code,
                          str(path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "cannot read it: Permission denied"


async def test_without_ffmpeg_an_unplayable_format_is_skipped_with_the_reason(
        store: SQLiteStore, tmp_path: Path) -> None:
    root = tmp_path / "Music"
    make_track(root, "lossless", "alac", title="Lossless")
    make_track(root, "plain", "flac", signal=tone(3.0, 330), title="Plain")
    no_ffmpeg = Scanner(store, [root], CoverCache(tmp_path / "data" / "covers"), False)
    result = await no_ffmpeg.scan()
    assert {t.doc["name"] for t in await store.catalog_tracks("local")} == {"Plain"}
    assert result.failed == [{"path": "lossless.m4a", "error": "ALAC audio: browsers cannot "
                              "play it and ffmpeg is not installed to transcode it"}]
