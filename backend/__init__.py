"""Encore's backend: `create_app` builds the Quart app; nothing is created at import time."""

from __future__ import annotations

import logging
from typing import Any

from quart import g, request
from quart_schema import QuartSchema

from .app_types import EncoreApp
from .catalog import demo
from .compression import install_compression
from .config import VERSION, as_quart_config, load_settings
from .crypto import TokenCipher, derive_key
from .errors import new_request_id, register_error_handlers
from .heap import settle as settle_heap
from .inputs import install as install_input_parsing
from .library.service import Library
from .library.transcode import Transcoder
from .metrics import Metrics
from .model_client import ModelClient
from .model_service import ModelService
from .openapi import EncoreOpenAPIProvider
from .search.index import SearchIndex
from .security import check_csrf, security_headers, trust_proxies
from .sessions import NoCookieSession
from .sources import MusicSources
from .sources.catalog import CatalogSource
from .sources.subsonic import SubsonicSource
from .spotify import SpotifyService
from .store import make_store
from .subsonic.media import CoverCache
from .subsonic.service import subsonic_service
from .throttle import LoginThrottle
from .training_pool import TrainingPool

__all__ = ["create_app", "create_model_node", "VERSION"]


def create_model_node(config: dict[str, Any] | None = None) -> EncoreApp:
    """A model node: the same resources, but only `/model/*`, `/healthz` and `/metrics`."""
    return create_app(config, role="model")


def create_app(config: dict[str, Any] | None = None, role: str = "web") -> EncoreApp:
    settings, quart_keys = load_settings(config)  # a bad value raises ConfigError here
    app = EncoreApp(__name__, static_folder=None)
    app.session_interface = NoCookieSession()  # type: ignore[assignment]  # server-side ones
    app.url_map.merge_slashes = False  # "/api//me" is a JSON 404, not an HTML redirect
    app.settings = settings
    app.config.update(as_quart_config(settings))
    app.config.update(quart_keys)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    QuartSchema(
        app,
        info={"title": "Encore API", "version": VERSION},
        swagger_ui_path=None,
        redoc_ui_path=None,
        scalar_ui_path=None,
        openapi_path="/api/openapi.json",
        # Plain dict/list answers go straight to Quart's JSON provider: with "pydantic" here,
        # quart-schema builds a TypeAdapter(dict) for every answer and walks it (a fifth of an
        # interaction's CPU, 6 ms for a feed). msgspec is not installed, so nothing converts
        # them; pydantic models still validate requests and dump as before.
        conversion_preference="msgspec",
        openapi_provider_class=EncoreOpenAPIProvider,
    )
    install_input_parsing(app)
    register_error_handlers(app)

    app.metrics = Metrics()
    app.store = make_store(settings)
    app.login_throttle = LoginThrottle(
        app.store,
        settings.login_max_failures,
        settings.login_account_max_failures,
        settings.login_window_s,
    )
    cipher = TokenCipher(derive_key(settings.token_key or settings.secret_key))
    app.spotify = SpotifyService(settings, app.store, cipher)
    app.library = Library(app.store, settings.library_dirs, settings.data_dir,
                          settings.analysis_workers, app.metrics.registry)
    local = CatalogSource(app.store, "local")
    app.library.on_change.append(local.changed)
    app.subsonic = subsonic_service(settings, app.store, cipher)
    app.subsonic_covers = CoverCache(settings.data_dir / "subsonic-covers")
    app.subsonic_transcoder = Transcoder(settings.data_dir / "subsonic-audio")
    app.sources = MusicSources(app.spotify, [local], SubsonicSource(app.subsonic, app.store))
    app.search = SearchIndex(app.store, spawn=app.add_background_task)
    app.library.on_change.append(app.search.refresh)  # a scan: search looks again
    local_models = ModelService(
        app.store,
        app.sources,
        cache_bytes=settings.model_cache_mb * 1024 * 1024,
        train_every=settings.train_every,
        spawn=app.add_background_task,
        trainer=TrainingPool(settings.train_workers),
    )
    app.models = ModelClient(
        local_models,
        settings.model_urls,
        settings.model_secret,
        settings.model_timeout_s,
        observe=app.metrics.model_node_call,
        spawn=app.add_background_task,
    )
    app.metrics.watch_cache(local_models.cached_users, local_models.cached_bytes)

    @app.before_request
    async def _request_context() -> None:
        g.request_id = new_request_id()
        await app.metrics.before_request()
        if request.content_length or request.headers.get("Transfer-Encoding"):
            # The whole body (1 MiB at most) before any answer, a refusal or a 404 too:
            # Hypercorn closes a connection whose request body was left unread, and the
            # client's next request on it fails (browsers retry; httpx and the like do not).
            await request.get_data(cache=True)
        check_csrf(settings, request.method, request.path, request.scheme, request.host,
                   request.headers)

    add_headers = security_headers(settings)
    app.after_request(app.metrics.after_request)
    app.after_request(add_headers)

    @app.before_serving
    async def _open() -> None:
        await app.store.open()
        if role == "web":
            demo.warm()  # before serving: the first listener's feed would wait for it
            app.add_background_task(_warm)
        else:
            settle_heap()
        if role == "web" and app.library.enabled:
            app.add_background_task(app.library.run, settings.library_rescan_s,
                                    app.shutdown_event)
        if app.subsonic.shared_url:  # sign in to the server-wide library without delaying start
            app.add_background_task(app.subsonic.shared)

    async def _warm() -> None:
        await local.warm()  # the catalog's index, before the first feed
        settle_heap()  # start-up's objects out of the garbage collector's walks (heap.py)

    @app.after_serving
    async def _close() -> None:
        await app.models.close()
        local_models.trainer.close()
        await app.spotify.close()
        await app.subsonic.close()
        await app.store.close()

    from .blueprints import health, model_api
    from .blueprints.plain_interactions import PlainInteractions

    app.register_blueprint(health.bp)
    app.register_blueprint(model_api.bp)
    if role == "web":
        _register_web_blueprints(app)
        # innermost, so compression and a trusted proxy's rewrite apply to its answers too
        app.asgi_app = PlainInteractions(  # type: ignore[method-assign]
            app, app.asgi_app, before=[_request_context],
            after=[app.metrics.after_request, add_headers])
    trust_proxies(app, settings)  # X-Forwarded-* only from ENCORE_TRUSTED_PROXY_HOPS proxies
    install_compression(app)
    return app


def _register_web_blueprints(app: EncoreApp) -> None:
    from .blueprints import (
        account,
        auth,
        feed,
        history,
        interactions,
        library,
        liked,
        me,
        playlists,
        search,
        signed_in,
        spotify,
        static,
        subsonic,
        taste,
        testing,
        tracks,
    )

    for blueprint in (auth.bp, me.bp, spotify.bp, subsonic.bp, interactions.bp, feed.bp,
                      tracks.bp, library.bp):
        app.register_blueprint(blueprint)
    # the library around the feed (issue 11)
    for blueprint in (liked.bp, history.bp, playlists.bp, taste.bp, account.bp, search.bp):
        app.register_blueprint(blueprint)
    if app.settings.test_hooks:
        app.register_blueprint(testing.bp)
    app.register_blueprint(static.bp)  # last: its routes must not shadow the API
    # The page's signed-in hint follows the session on every blueprint's answers but the
    # interactions' (plain_interactions.py answers those without Quart's hooks, its own door).
    for name in app.blueprints:
        if name != interactions.bp.name:
            app.after_request_funcs[name].append(signed_in.keep_hint)
