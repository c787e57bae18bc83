"""Tags and content ids of real files in every supported format."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from backend.library.contentid import NotAudio, content_id
from backend.library.tags import TagError, read_tags
from tests.library.media import FORMATS, embed_picture, jpeg, make_track, tag, tone

FULL = dict(title="Blue Hour", artist=["Ada Lind", "Bram Okafor"], albumartist="Ada Lind",
            album="Night Songs", tracknumber="3/12", discnumber="2/2", date="2019-05-04",
            genre=["Jazz", "Soul"], musicbrainz_trackid="9f1c7c2e-1111-4a5b-8c9d-000000000001",
            musicbrainz_albumid="9f1c7c2e-2222-4a5b-8c9d-000000000002",
            replaygain_track_gain="-7.25 dB", replaygain_track_peak="0.988")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_reads_the_same_tags(tmp_path: Path, fmt: str) -> None:
    tags = dict(FULL)
    if fmt in ("aac", "alac"):  # EasyMP4 has no ReplayGain keys; iTunes-style atoms instead
        tags = {k: v for k, v in tags.items() if not k.startswith("replaygain")}
    path = make_track(tmp_path, "song", fmt, seconds=2.0, **tags)
    got = read_tags(path)
    assert got.title == "Blue Hour"
    assert got.artists == ["Ada Lind", "Bram Okafor"]
    assert got.album_artist == "Ada Lind" and got.album == "Night Songs"
    assert (got.track_number, got.disc_number, got.year) == (3, 2, 2019)
    assert got.genres == ["Jazz", "Soul"]
    assert abs(got.duration_ms - 2000) < 120
    assert got.musicbrainz["trackid"] == "9f1c7c2e-1111-4a5b-8c9d-000000000001"
    assert got.musicbrainz["albumid"].endswith("0002")
    if "replaygain_track_gain" in tags:
        assert got.replaygain == {"track_gain": -7.25, "track_peak": 0.988}
    playable = fmt not in ("alac", "aiff")
    assert got.codec.playable is playable, got.codec


def test_a_wav_files_riff_info_tags_are_read(tmp_path: Path) -> None:
    """WAV tags in a RIFF INFO chunk (ffmpeg, Windows and most rippers write them there): the
    listener saw "01 Wav Live" by "Unknown artist" for a tagged file. An ID3 chunk, where
    there is one too, still comes first."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.skip("ffmpeg is not installed")
    path = tmp_path / "01 Wav Live.wav"
    subprocess.run([ffmpeg, "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                    "sine=frequency=392:duration=2", "-c:a", "pcm_s16le",
                    "-metadata", "title=Wav Live", "-metadata", "artist=Théo Lind; Ada Holm",
                    "-metadata", "album=Live at Home", "-metadata", "genre=Folk",
                    "-metadata", "date=2004", "-metadata", "track=7", str(path)], check=True)
    got = read_tags(path)
    assert (got.title, got.artists, got.album, got.genres, got.year, got.track_number) == (
        "Wav Live", ["Théo Lind", "Ada Holm"], "Live at Home", ["Folk"], 2004, 7)
    tag(path, "wav", title="From ID3")
    assert read_tags(path).title == "From ID3" and read_tags(path).album == "Live at Home"


def test_an_aiff_files_own_name_and_author_are_read(tmp_path: Path) -> None:
    """AIFF's NAME and AUTH chunks (ffmpeg, Logic, Pro Tools write them): the walk-through's
    tagged AIFF was listed as "04 Sahel" by "Unknown artist". An ID3 chunk still comes first."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.skip("ffmpeg is not installed")
    path = tmp_path / "04 Sahel.aiff"
    subprocess.run([ffmpeg, "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                    "sine=frequency=523:duration=2", "-c:a", "pcm_s16be",
                    "-metadata", "title=Sahel", "-metadata", "author=Kofi Mensah",
                    str(path)], check=True)
    got = read_tags(path)
    assert (got.title, got.artists) == ("Sahel", ["Kofi Mensah"])
    tag(path, "aiff", title="From ID3")
    assert read_tags(path).title == "From ID3" and read_tags(path).artists == ["Kofi Mensah"]


@pytest.mark.parametrize("rate", [44100, 22050], ids=["MPEG-1", "MPEG-2"])
def test_a_vbr_mp3_without_a_xing_header_has_its_true_length(tmp_path: Path, rate: int) -> None:
    """Without a Xing header the length was guessed from the first frame's bitrate: the
    audit's 60 s song was listed as 10 s (and a skip at 30 s looked like a finish)."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.skip("ffmpeg is not installed")
    path = tmp_path / "no xing.mp3"
    subprocess.run([ffmpeg, "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                    "aevalsrc=0.5*sin(440*2*PI*t)*(1+sin(t)):d=60", "-ar", str(rate),
                    "-c:a", "libmp3lame", "-q:a", "6", "-write_xing", "0", str(path)],
                   check=True)
    assert abs(read_tags(path).duration_ms - 60_000) < 200
    with_header = make_track(tmp_path, "cbr", "mp3", seconds=4.0)  # a Xing/Info header
    assert abs(read_tags(with_header).duration_ms - 4_000) < 100


def test_untagged_file_falls_back_to_its_name(tmp_path: Path) -> None:
    got = read_tags(make_track(tmp_path, "Some Song", "flac", seconds=1.0))
    assert got.title == "Some Song" and got.artists == [] and got.album == ""


def test_wrong_extension_is_read_by_content(tmp_path: Path) -> None:
    flac = make_track(tmp_path, "real", "flac", seconds=1.0, title="Really FLAC")
    renamed = flac.rename(tmp_path / "looks-like.mp3")
    got = read_tags(renamed)
    assert got.title == "Really FLAC" and got.codec.name == "flac"


def _frame(name: bytes, payload: bytes) -> bytes:
    size = len(payload)
    return name + bytes([size >> 21 & 0x7F, size >> 14 & 0x7F, size >> 7 & 0x7F, size & 0x7F]) \
        + b"\0\0" + payload


def test_latin1_and_non_utf8_text_are_cleaned(tmp_path: Path) -> None:
    audio = make_track(tmp_path, "plain", "mp3", seconds=1.0).read_bytes()
    frames = (_frame(b"TIT2", b"\x00Caf\xe9 \x01Noir")  # latin-1, with a control character
              + _frame(b"TPE1", b"\x03Zo\xeb Band")  # says UTF-8, holds latin-1 bytes
              + _frame(b"TCON", b"\x00(17)"))  # an ID3v1 genre number
    size = len(frames)
    header = b"ID3\x04\x00\x00" + bytes([size >> 21 & 0x7F, size >> 14 & 0x7F,
                                          size >> 7 & 0x7F, size & 0x7F])
    path = tmp_path / "old.mp3"
    path.write_bytes(header + frames + audio)
    got = read_tags(path)
    assert got.title == "Café  Noir" and got.genres == ["Rock"]
    assert got.artists == []  # mutagen leaves out a frame it cannot decode; the rest stays


def test_non_utf8_vorbis_comments_are_replaced_not_fatal(tmp_path: Path) -> None:
    path = make_track(tmp_path, "flac", "flac", seconds=1.0, title="Placeholder")
    data = path.read_bytes()
    # the same length, so the block sizes stay right: "Placeholder" -> latin-1 "Plac\\xe9holder"
    path.write_bytes(data.replace(b"Placeholder", b"Plac\xe9holder"))
    got = read_tags(path)
    assert got.title == "Plac\ufffdholder"


def test_huge_tags_are_capped(tmp_path: Path) -> None:
    path = make_track(tmp_path, "long", "flac", seconds=1.0)
    tag(path, "flac", title="x" * 5000, artist=[f"Artist {i}" for i in range(100)])
    got = read_tags(path)
    assert len(got.title) == 300 and len(got.artists) == 16


@pytest.mark.parametrize("fmt", ["mp3", "flac", "vorbis", "opus", "aac"])
def test_embedded_cover_is_found(tmp_path: Path, fmt: str) -> None:
    path = make_track(tmp_path, "covered", fmt, seconds=1.0, title="C")
    picture = jpeg(64, 64)
    embed_picture(path, fmt, picture)
    assert read_tags(path).picture == picture


def test_a_50_mb_picture_is_skipped_with_a_reason(tmp_path: Path) -> None:
    path = make_track(tmp_path, "heavy", "mp3", seconds=1.0, title="Heavy")
    embed_picture(path, "mp3", b"\xff\xd8" + b"\0" * (50 * 1024 * 1024))
    got = read_tags(path)
    assert got.title == "Heavy" and got.picture is None
    assert "52.4 MB" in got.picture_error and "plays without it" in got.picture_error


@pytest.mark.parametrize("content,message", [
    (b"", "empty"), (b"\0" * 4096, "not a"),
    (b"ID3\x04\0\0\0\0\0\x10garbage", "not a"), (b"fLaC\0\0\0\x22" + b"\x01" * 20, "not a"),
])
def test_corrupt_files_raise_a_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.flac"
    path.write_bytes(content)
    with pytest.raises(TagError, match=message):
        read_tags(path)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_id_survives_move_rename_and_retag(tmp_path: Path, fmt: str) -> None:
    path = make_track(tmp_path / "a", "one", fmt, seconds=3.0, title="One", artist="X")
    first = content_id(path)
    assert first.startswith("local-") and len(first) == 26
    moved = tmp_path / "b" / "c" / ("renamed" + path.suffix)
    moved.parent.mkdir(parents=True)
    shutil.move(path, moved)
    assert content_id(moved) == first
    tag(moved, fmt, title="A much longer title " * 20, artist=["X", "Y"], genre="Jazz")
    embed_picture(moved, fmt, jpeg(300, 300))  # pushes the audio along in the file
    assert content_id(moved) == first
    other = make_track(tmp_path / "a", "two", fmt, signal=tone(3.0, 523.25))
    assert content_id(other) != first


def test_empty_file_has_no_id(tmp_path: Path) -> None:
    (tmp_path / "empty.mp3").write_bytes(b"")
    with pytest.raises(NotAudio, match="empty"):
        content_id(tmp_path / "empty.mp3")
