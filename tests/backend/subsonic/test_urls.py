"""Server addresses and track ids: one spelling per server, hosts on the allow-list only,
and ids that survive the round trip and stay within what an interaction may name."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import httpx2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend import create_app
from backend.sources.subsonic_tracks import to_track
from backend.subsonic.ids import is_subsonic_id, parse_track_id, server_key, track_id
from backend.subsonic.urls import BadServerUrl, host_allowed, normalize_url
from tests.hostile import SURROGATES


@pytest.mark.parametrize("raw,expected", [
    ("https://Music.Example.org/", "https://music.example.org"),
    ("music.example.org/rest/", "https://music.example.org"),
    ("http://music.example.org:80/navidrome/rest", "http://music.example.org/navidrome"),
    ("https://music.example.org:4533", "https://music.example.org:4533"),
    ("http://[::1]:4533/", "http://[::1]:4533"),
    ("  http://127.0.0.1:4040  ", "http://127.0.0.1:4040"),
    # dot segments, which the HTTP client resolves before sending (RFC 3986 5.2.4)
    ("http://127.0.0.1:4040/..", "http://127.0.0.1:4040"),
    ("http://127.0.0.1:4040/./music/../navidrome/./rest/", "http://127.0.0.1:4040/navidrome"),
    ("http://127.0.0.1:4040/music/rest/..", "http://127.0.0.1:4040/music"),
])
def test_one_spelling_per_server(raw: str, expected: str) -> None:
    assert normalize_url(raw) == expected


@pytest.mark.parametrize("raw,says", [
    ("", "Give the server's address"),
    ("ftp://music.example.org", "http:// or https://"),
    ("https://ada:secret@music.example.org", "own fields"),
    ("https://music.example.org/?u=ada", "query"),
    ("https://music.example.org/#x", "fragment"),
    ("https://music.example.org:99999", "not a valid"),
    ("https://", "no host"),
    ("https://" + "a" * 2100, "Give the server's address"),
])
def test_bad_addresses_say_why(raw: str, says: str) -> None:
    with pytest.raises(BadServerUrl, match=says):
        normalize_url(raw)


@pytest.mark.parametrize("url,allowed", [
    ("https://music.example.org", ["music.example.org"]),
    ("https://music.example.org:4533", ["music.example.org"]),
    ("https://music.example.org:4533", ["music.example.org:4533"]),
    ("https://a.music.example.org", ["*.music.example.org"]),
    ("http://127.0.0.1:4533", ["MUSIC.example.org", "127.0.0.1:4533"]),
])
def test_allowed_hosts(url: str, allowed: list[str]) -> None:
    assert host_allowed(url, allowed)


@pytest.mark.parametrize("url,allowed", [
    ("https://music.example.org", []),
    ("https://music.example.org:4534", ["music.example.org:4533"]),
    ("https://evil-music.example.org", ["music.example.org"]),
    ("https://music.example.org", ["*.music.example.org"]),  # the bare domain is not a sub
    ("https://music.example.org.evil.net", ["music.example.org"]),
    ("http://169.254.169.254", ["music.example.org"]),
])
def test_other_hosts_are_refused(url: str, allowed: list[str]) -> None:
    assert not host_allowed(url, allowed)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(host=st.sampled_from(["127.0.0.1:4533", "music.example.org", "[::1]"])
       | st.text(max_size=20).map(lambda label: f"{label}.example.org"),
       path=st.text(max_size=20))
def test_an_address_is_refused_in_words_or_one_the_http_client_takes(host: str,
                                                                     path: str) -> None:
    """What a listener types is refused with a reason (a 422) or reaches the server: a control
    character in the path, a host IDNA cannot spell ("ａ.example.org", fullwidth) made the
    HTTP client raise InvalidURL, a 500, once the host was allowed."""
    try:
        url = normalize_url(f"http://{host}/{path}")
    except BadServerUrl:
        return
    httpx2.URL(f"{url}/rest/ping.view")


def test_the_server_wide_host_is_always_allowed() -> None:
    assert host_allowed("http://127.0.0.1:4533", [], always=("127.0.0.1:4533",))
    assert not host_allowed("http://127.0.0.1:4534", [], always=("127.0.0.1:4533",))


@pytest.mark.parametrize("song_id", [
    "ISspeTZDx4nlxdjV8BD2da", "3c00d3ae-8d3c-4d3c-a758-013c7e555bcb", "300000060",
    "tr-12", "al/bum:7?x", "ünïcode id",
])
def test_track_ids_round_trip(song_id: str) -> None:
    key = server_key("https://music.example.org")
    value = track_id(key, song_id)
    assert value is not None and value.startswith(f"subsonic-{key}-")
    assert parse_track_id(value) == (key, song_id)
    assert "/" not in value and "?" not in value and " " not in value


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(song_id=st.text(st.characters() | SURROGATES, min_size=1, max_size=90))
def test_any_song_id_a_server_sends_makes_an_id_that_reads_back_or_none(song_id: str) -> None:
    """A server's JSON may hold any string, a lone surrogate (`"\\ud800"`) too: its song is
    left out (None), it never stops the server's other songs (it raised UnicodeEncodeError:
    an album page a 500, a feed or a search without that server's songs)."""
    key = server_key("https://music.example.org")
    value = track_id(key, song_id)
    assert value is None or parse_track_id(value) == (key, song_id)


def test_track_ids_are_stable_and_per_server() -> None:
    one, two = server_key("https://a.example.org"), server_key("https://b.example.org")
    assert track_id(one, "42") == track_id(one, "42") != track_id(two, "42")
    assert track_id(one, "x" * 200) is None  # too long for an interaction's track_id


@pytest.mark.parametrize("value", [
    "demo-001", "subsonic-", "subsonic-abc-1", "subsonic-0123456789-", "subsonic-0123456789-a/b",
    "subsonic-0123456789-~!!", "subsonic-XYZ3456789-1",
])
def test_not_subsonic_ids(value: str) -> None:
    assert not is_subsonic_id(value)


def test_a_tracks_cover_urls_lead_to_its_cover(tmp_path: Path) -> None:
    """Whatever a server's cover id holds ("/", "?", "#", "%", spaces: ids made of paths), the
    cover URLs of a track route, as a browser sends them, to that id at that size (a "/" led
    nowhere, a "?" or "#" to another cover). Not a whole "." or "..", nor a leading "/": a URL
    path cannot carry them."""
    routes = create_app({"TESTING": True, "DATA_DIR": tmp_path}).url_map.bind("localhost")
    key = server_key("https://music.example.org")

    @settings(max_examples=200, deadline=None, derandomize=True, database=None)
    @given(cover_id=st.text(st.characters(blacklist_categories=["Cc", "Cs"]), min_size=1,
                            max_size=40).filter(lambda c: not c.startswith("/")
                                                and c not in (".", "..")))
    def check(cover_id: str) -> None:
        track = to_track({"id": "s1", "title": "Song", "coverArt": cover_id}, key)
        assert track is not None
        for image in track["album"]["images"]:
            url = urlsplit(image["url"])
            endpoint, args = routes.match(unquote(url.path))
            assert (endpoint, args) == ("subsonic.cover", {"key": key, "cover_id": cover_id})
            assert parse_qs(url.query) == {"size": [str(image["width"])]}

    check()
