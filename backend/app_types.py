"""The Quart subclass that carries Encore's resources, so they are typed and never globals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from quart import Quart, current_app
from werkzeug.exceptions import BadHost
from werkzeug.routing import MapAdapter

from .inputs import HostRefused

if TYPE_CHECKING:
    from .config import Settings
    from .library.service import Library
    from .library.transcode import Transcoder
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
    subsonic_transcoder: Transcoder  # for servers that cannot transcode (subsonic/media.py)
    sources: MusicSources
    models: ModelClient
    library: Library  # the local folders (ENCORE_LIBRARY_DIRS): scan, analysis, audio
    search: SearchIndex  # the search index over every track (search/index.py)

    def create_url_adapter(self, request: Any) -> MapAdapter | None:
        """Routing binds to the request's Host; one that is no host name (werkzeug raises
        BadHost outside every error handler, an empty 500) routes to a JSON 400 instead."""
        try:
            return super().create_url_adapter(request)
        except BadHost:
            return cast(MapAdapter, HostRefused())


def app() -> EncoreApp:
    """The running app with its resources (typed `current_app`)."""
    return cast(EncoreApp, current_app._get_current_object())  # type: ignore[attr-defined]
