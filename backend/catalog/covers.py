"""Generated SVG cover art for demo albums.

Colours follow the genre (hue) and the mood (valence lightens, energy saturates); the pattern
follows the energy (soft circles when calm, sharp stripes and triangles when loud). The album
title and artist are drawn as text, XML-escaped. Seeded by the album id, so stable.
"""

from __future__ import annotations

import random
from functools import cache
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from backend.catalog.demo import demo_album

SIZE = 300
_HUES = {"pop": 320, "rock": 0, "hip-hop": 45, "electronic": 190, "jazz": 215, "classical": 35,
         "folk": 95, "metal": 350, "r&b": 275, "country": 28, "reggae": 125, "latin": 12,
         "ambient": 195, "blues": 230, "indie": 160, "soul": 300}


def _hsl(hue: float, sat: float, light: float) -> str:
    return f"hsl({hue % 360:.0f},{sat:.0f}%,{light:.0f}%)"


def _lines(text: str, width: int) -> list[str]:
    """Greedy word wrap to ``width`` characters, at most three lines."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > 3:
        lines = lines[:3]
        lines[2] = lines[2][: width - 1] + "…"
    return lines


def render_cover(album: dict[str, Any]) -> str:
    """An SVG document for ``album`` (as returned by ``demo_album``)."""
    rng = random.Random(album["id"])  # str seeds hash with sha512: stable across runs
    feats = album["features"]
    energy, valence = feats["energy"], feats["valence"]
    hue = _HUES.get(album["genres"][0], 200) + rng.uniform(-12, 12)
    sat = 30 + 60 * energy
    light = 18 + 45 * valence - (12 if album["genres"][0] == "metal" else 0)
    top, bottom = _hsl(hue, sat, light + 12), _hsl(hue + 40, sat, light - 8)
    accent = _hsl(hue + 180 * (energy > 0.6) + 30, min(95, sat + 10), min(85, light + 30))

    shapes: list[str] = []
    for _ in range(4 + int(10 * energy)):
        x, y = rng.uniform(0, SIZE), rng.uniform(0, SIZE)
        opacity = rng.uniform(0.12, 0.4)
        if energy < 0.45:
            r = rng.uniform(20, 90)
            shapes.append(f'<circle cx="{x:.0f}" cy="{y:.0f}" r="{r:.0f}" fill="{accent}" '
                          f'fill-opacity="{opacity:.2f}"/>')
        elif rng.random() < 0.5:
            w = rng.uniform(6, 30)
            shapes.append(f'<rect x="{x:.0f}" y="-60" width="{w:.0f}" height="420" '
                          f'fill="{accent}" fill-opacity="{opacity:.2f}" '
                          f'transform="rotate({rng.uniform(-40, 40):.0f} {x:.0f} {y:.0f})"/>')
        else:
            s = rng.uniform(30, 110)
            points = f"{x:.0f},{y - s:.0f} {x + s:.0f},{y + s:.0f} {x - s:.0f},{y + s:.0f}"
            shapes.append(f'<polygon points="{points}" fill="{accent}" '
                          f'fill-opacity="{opacity:.2f}"/>')

    title = _lines(album["name"], 16)
    artist = ", ".join(a["name"] for a in album["artists"])
    size = 30 if max(len(line) for line in title) <= 12 else 24
    y0 = 210 - (len(title) - 1) * size
    text = "".join(f'<text x="20" y="{y0 + i * size}" font-size="{size}" font-weight="700">'
                   f"{escape(line)}</text>" for i, line in enumerate(title))
    gradient = f"bg-{album['id']}"  # unique, so covers inlined in one page keep their colours
    label = quoteattr(f"{album['name']} by {artist}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
        f'viewBox="0 0 {SIZE} {SIZE}" role="img" aria-label={label}>'
        f'<defs><linearGradient id="{gradient}" x1="0" y1="0" x2="1" y2="1">'
        f'<stop offset="0" stop-color="{top}"/><stop offset="1" stop-color="{bottom}"/>'
        "</linearGradient></defs>"
        f'<rect width="{SIZE}" height="{SIZE}" fill="url(#{gradient})"/>'
        + "".join(shapes)
        + f'<rect y="{y0 - size - 4}" width="{SIZE}" height="{SIZE}" fill="#000" '
        'fill-opacity="0.35"/>'
        '<g fill="#fff" font-family="system-ui, sans-serif">'
        + text
        + f'<text x="20" y="{min(280, y0 + len(title) * size + 8)}" font-size="16" '
        f'fill-opacity="0.85">{escape(artist)}</text></g></svg>'
    )


@cache
def demo_cover_svg(album_id: str) -> str | None:
    """The cover of a demo album, or None for an unknown id. Cached per album."""
    album = demo_album(album_id)
    return None if album is None else render_cover(album)
