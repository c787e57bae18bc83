"""The Quart subclass that carries Encore's resources, so they are typed and never globals."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from quart import Quart, current_app

if TYPE_CHECKING:
    from .config import Settings
    from .library.service import Library
    from .metrics import Metrics
    from .model_client import ModelClient
    from .search.index import SearchIndex
    from .sources import MusicSources
    from .spotify import SpotifyService
    from .store import Store
    from .subsonic.media import CoverCache
    from .subsonic.service import SubsonicService
    from .throttle import LoginThrottle


class EncoreApp(Quart):
    settings: Settings  # typed configuration (config.py); app.config mirrors it for Quart
    store: Store
    metrics: Metrics
    login_throttle: LoginThrottle
    spotify: SpotifyService
    subsonic: SubsonicService
    subsonic_covers: CoverCache
    sources: MusicSources
    models: ModelClient
    library: Library  # the local folders (ENCORE_LIBRARY_DIRS): scan, analysis, audio
    search: SearchIndex  # the search index over every track (search/index.py)


def app() -> EncoreApp:
    """The running app with its resources (typed `current_app`)."""
    return cast(EncoreApp, current_app._get_current_object())  # type: ignore[attr-defined]
