"""Music sources built into Encore: the demo catalog, its cover art and its audio."""

from backend.catalog.audio import MIME_TYPE, render_track_audio, track_audio_path
from backend.catalog.covers import demo_cover_svg
from backend.catalog.demo import demo_album, demo_catalog, demo_genres, demo_track

__all__ = [
    "MIME_TYPE",
    "demo_album",
    "demo_catalog",
    "demo_cover_svg",
    "demo_genres",
    "demo_track",
    "render_track_audio",
    "track_audio_path",
]
