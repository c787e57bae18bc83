"""Spotify: OAuth (authorization code + PKCE) with encrypted tokens, and a Web API client."""

from .service import (
    SpotifyError,
    SpotifyNotConnected,
    SpotifyService,
    SpotifyUnavailableFeature,
)

__all__ = ["SpotifyError", "SpotifyNotConnected", "SpotifyService", "SpotifyUnavailableFeature"]
