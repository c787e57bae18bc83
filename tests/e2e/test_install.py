"""E2E 2: the app is installable: the manifest parses with the required fields, its icons load,
and the service worker controls the page after one reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from .conftest import Server

pytestmark = pytest.mark.e2e


def test_manifest_icons_and_service_worker(page: Page, server: Server) -> None:
    page.goto("/login")
    href = page.locator("link[rel=manifest]").get_attribute("href")
    answer = page.request.get(href)
    assert answer.headers["content-type"].startswith("application/manifest+json")
    manifest = answer.json()
    for key in ("name", "short_name", "start_url", "scope", "theme_color", "background_color"):
        assert manifest[key], key
    assert manifest["display"] == "standalone"
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert ("192x192", "any") in sizes and ("512x512", "any") in sizes
    assert ("512x512", "maskable") in sizes
    for icon in manifest["icons"]:
        image = page.request.get(icon["src"])
        assert image.ok and image.headers["content-type"] == "image/png"
        width = int.from_bytes(image.body()[16:20], "big")  # PNG IHDR width
        assert f"{width}x{width}" == icon["sizes"]

    assert page.request.get("/sw.js").headers["cache-control"] == "no-cache"
    page.evaluate("() => navigator.serviceWorker.ready")
    page.reload()
    assert page.evaluate("() => navigator.serviceWorker.controller?.scriptURL").endswith("/sw.js")
