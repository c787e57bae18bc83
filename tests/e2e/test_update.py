"""A new version is deployed while someone listens: the page offers "a new version is ready —
Reload", the music keeps playing until they press it, and pressing it reloads onto the new build
(its stylesheet, its precache) without signing them out."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

from tests.pwa_dist import build_pwa

from .conftest import ROOT, Server, running_server, sign_up, unique_name, wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """This test's own server, serving a copy of the built app (ENCORE_WEB_ROOT) that the test
    may replace: the repository's pwa/dist is never touched while other servers read it."""
    web_root = tmp_path / "web"
    shutil.copytree(build_pwa(), web_root)
    with running_server(tmp_path / "data", {"ENCORE_WEB_ROOT": str(web_root)}) as running:
        yield running


@contextmanager
def new_version_deployed(web_root: Path, workdir: Path) -> Iterator[Path]:
    """Build a changed app (one new CSS rule) in a scratch copy of the sources and swap it in
    for the served `web_root` by renames, so the served bundle is never half-built; restored
    on exit. Yields the new bundle's path (valid while deployed)."""
    copy = workdir / "src-copy"
    (copy / "pwa").mkdir(parents=True)
    for name in ("src", "index.html", "manifest.webmanifest"):
        source = ROOT / "pwa" / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, copy / "pwa" / name)
    for name in ("service-worker", "shared_model"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "package.json", copy / "package.json")
    (copy / "node_modules").symlink_to(ROOT / "node_modules")
    with (copy / "pwa" / "src" / "styles" / "app.css").open("a") as css:
        css.write(f'\n:root {{ --encore-build: "{uuid.uuid4().hex}"; }}\n')
    subprocess.run(["node", "service-worker/build.mjs"], cwd=copy, check=True,
                   capture_output=True)
    previous = workdir / "previous-dist"
    os.rename(web_root, previous)
    os.rename(copy / "pwa" / "dist", web_root)
    try:
        yield web_root
    finally:
        os.rename(web_root, workdir / "new-dist")
        os.rename(previous, web_root)


def stylesheet(page: Page) -> str:
    href: str = page.evaluate("() => document.querySelector('link[rel=stylesheet]').href")
    return urlsplit(href).path


def precached_paths(page: Page) -> set[str]:
    urls: list[str] = page.evaluate("""async () => {
        const name = (await caches.keys()).find(k => k.startsWith('encore-static'));
        return (await (await caches.open(name)).keys()).map(r => r.url); }""")
    return {urlsplit(u).path for u in urls}


def test_update_prompt_waits_for_the_listener(page: Page, server: Server, tmp_path: Path) -> None:
    sign_up(page, unique_name("update"))
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    old_css = stylesheet(page)
    assert old_css in precached_paths(page)
    page.locator("#feed-list .track-card").first.get_by_role("button", name="Play").click()
    player = page.locator("#player")
    track_id = player.get_attribute("data-track-id")
    wait_until(lambda: int(player.get_attribute("data-position") or 0) > 300, message="playing")
    page.evaluate("() => { window.sameDocument = true; }")
    banner = page.locator("#update-banner")
    assert banner.is_hidden()

    shipped_index = (build_pwa() / "index.html").read_bytes()
    with new_version_deployed(tmp_path / "web", tmp_path / "build") as dist:
        new_css = next("/assets/" + p.name for p in (dist / "assets").glob("app-*.css"))
        assert new_css != old_css
        assert (ROOT / "pwa" / "dist" / "index.html").read_bytes() == shipped_index  # untouched
        page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).update()")
        banner.wait_for()
        assert "new version" in banner.inner_text()
        # Installed and waiting, not in control: the song goes on in the same document.
        assert page.evaluate("async () => !!(await navigator.serviceWorker.getRegistration())"
                             ".waiting")
        before = int(player.get_attribute("data-position") or 0)
        wait_until(lambda: int(player.get_attribute("data-position") or 0) > before + 500,
                   message="still playing with the update waiting")
        assert player.get_attribute("data-track-id") == track_id
        assert player.get_attribute("data-playing") == "true"
        assert page.evaluate("() => window.sameDocument") is True
        assert stylesheet(page) == old_css

        with page.expect_navigation():
            banner.get_by_role("button", name="Reload").click()
        page.get_by_role("heading", name="Your feed").wait_for()
        assert page.evaluate("() => window.sameDocument") is None
        assert stylesheet(page) == new_css
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        cached = precached_paths(page)
        assert new_css in cached and old_css not in cached
        assert page.evaluate("() => getComputedStyle(document.documentElement)"
                             ".getPropertyValue('--encore-build')") != ""
        assert banner.is_hidden()
