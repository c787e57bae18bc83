"""Media the catalog points at: a short tone per track (a real WAV that Chromium's <audio> plays)
and an SVG cover per album."""

from __future__ import annotations

import html
import io
import math
import struct
import wave
from functools import lru_cache

from quart import Blueprint, request
from quart.wrappers import Response

from .apiutil import catalog

media = Blueprint("media", __name__, url_prefix="/__media")

TONE_SECONDS = 5.0
_RATE = 22050


@lru_cache(maxsize=24)
def tone_wav(key: int, seconds: float = TONE_SECONDS) -> bytes:
    """A mono 16-bit sine at the track's key (A3 = key 9), with 50 ms fades to avoid clicks."""
    freq = 220.0 * 2 ** ((key - 9) / 12)
    frames = int(_RATE * seconds)
    fade = int(_RATE * 0.05)
    samples = bytearray()
    for n in range(frames):
        envelope = min(1.0, n / fade, (frames - n) / fade)
        value = 9000 * envelope * math.sin(2 * math.pi * freq * n / _RATE)
        samples += struct.pack("<h", int(value))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(_RATE)
        w.writeframes(bytes(samples))
    return out.getvalue()


@media.get("/audio/<track_id>.wav")
async def audio(track_id: str) -> Response:
    track = catalog().tracks.get(track_id)
    if track is None:
        return Response("not found", status=404)
    data = tone_wav(int(track.features["key"]))
    response = Response(data, content_type="audio/wav")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    # 206 Partial Content for Range requests: Chromium's <audio> seeks with them.
    return await response.make_conditional(request, accept_ranges=True, complete_length=len(data))


@media.get("/cover/<album_id>.svg")
async def cover(album_id: str) -> Response:
    album = catalog().albums.get(album_id)
    if album is None:
        return Response("not found", status=404)
    size = request.args.get("size", "300")
    size = size if size.isdigit() else "300"
    initials = html.escape("".join(w[0] for w in album.name.split()[:2]))
    svg = (f"<svg xmlns='http://www.w3.org/2000/svg' width='{size}' height='{size}' "
           f"viewBox='0 0 100 100'><rect width='100' height='100' "
           f"fill='hsl({album.hue},55%,45%)'/><circle cx='50' cy='50' r='30' "
           f"fill='hsl({(album.hue + 180) % 360},60%,70%)' opacity='.6'/>"
           f"<text x='50' y='60' font-size='28' text-anchor='middle' fill='#fff' "
           f"font-family='sans-serif'>{initials}</text></svg>")
    response = Response(svg, content_type="image/svg+xml")
    response.cache_control.max_age = 86400
    return response
