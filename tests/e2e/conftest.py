"""End-to-end fixtures: the real server (Hypercorn subprocess on a free port, fresh data dir),
the Spotify emulator, Debian's Chromium through Playwright, and helpers that act as a user.

Requests the browser makes to Spotify's hosts (the SDK script, the Web API, the SDK's media)
are routed to the emulator, with the emulator's origin rewritten to Spotify's in the answers,
so the page runs the code that ships under the real Content-Security-Policy.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Playwright,
    Route,
    sync_playwright,
)

from tests.fakes.spotify import RunningEmulator
from tests.pwa_dist import build_pwa
from tests.relay import NetworkSwitch
from tests.servers import EncoreProcess

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SPOTIFY_HOSTS = "https://{sdk.scdn.co,api.spotify.com,*.scdn.co}/**"
FAKE_SPOTIFY_ORIGIN = "https://sdk.scdn.co"
PASSWORD = "listen-to-the-end"

pytestmark = pytest.mark.e2e


@dataclass
class Server:
    url: str
    emulator: RunningEmulator
    data_dir: Path
    dynamodb: tuple[str, str] | None = None  # (endpoint, table prefix) on the DynamoDB store

    def fault(self, **faults: Any) -> None:
        """Flip the backend's test switches (ENCORE_TEST_HOOKS), e.g. interactions_status=500."""
        answer = httpx.post(f"{self.url}/__test__/faults", json=faults,
                            headers={"X-Requested-With": "encore"})
        answer.raise_for_status()

    @contextlib.contextmanager
    def faulted(self, **faults: Any) -> Iterator[Server]:
        """The switches on for the block, cleared afterwards whatever happens."""
        self.fault(**faults)
        try:
            yield self
        finally:
            self.fault(**{name: None for name in faults})


@contextlib.contextmanager
def running_server(data_dir: Path, env: dict[str, str] | None = None) -> Iterator[Server]:
    """A real Encore process (test hooks on) with the Spotify emulator; `env` adds settings."""
    process = EncoreProcess("serve", data_dir)
    # Links in the emulator's answers (previews, the SDK's own origin) name Spotify's host, which
    # the browser may load under Encore's CSP and which route_spotify sends back to the emulator.
    with RunningEmulator({"redirect_uris": [f"{process.url}/auth/spotify/callback"],
                          "public_origin": FAKE_SPOTIFY_ORIGIN}) as emulator:
        process.env = {
            "ENCORE_TEST_HOOKS": "1",
            # Every browser here signs in from 127.0.0.1: five wrong passwords a minute (the
            # default) across the whole package made the next test's right one a 429 (CI).
            # The limit itself is tested where one test owns it (tests/security).
            "ENCORE_LOGIN_MAX_FAILURES": "1000",
            "ENCORE_SPOTIFY_CLIENT_ID": emulator.state.client.client_id,
            "ENCORE_SPOTIFY_CLIENT_SECRET": emulator.state.client.client_secret,
            "ENCORE_SPOTIFY_ACCOUNTS_URL": emulator.url,
            "ENCORE_SPOTIFY_API_URL": f"{emulator.url}/v1",
            "ENCORE_SPOTIFY_REDIRECT_URI": f"{process.url}/auth/spotify/callback",
            **(env or {}),
        }
        process.start()
        endpoint = process.env.get("ENCORE_DYNAMODB_ENDPOINT")
        dynamodb = ((endpoint, process.env.get("ENCORE_DYNAMODB_TABLE_PREFIX", ""))
                    if process.env.get("ENCORE_STORE") == "dynamodb" and endpoint else None)
        try:
            yield Server(process.url, emulator, process.data_dir, dynamodb)
        finally:
            process.stop()


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    build_pwa()
    with running_server(tmp_path_factory.mktemp("encore-data")) as running:
        yield running


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make chromium)")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def route_spotify(context: BrowserContext, server: Server) -> None:
    """Send the browser's Spotify traffic to the emulator, answers rewritten to Spotify's origin."""
    emulator_origin = server.emulator.url

    def forward(route: Route) -> None:
        request = route.request
        path = request.url.split("/", 3)[3] if request.url.count("/") >= 3 else ""
        target = f"{emulator_origin}/{path}"
        if request.url.startswith("https://api.spotify.com/") and not path.startswith("v1/"):
            target = f"{emulator_origin}/v1/{path}"
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "origin")}
        answer = route.fetch(url=target, headers=headers)
        body = answer.body()
        kind = answer.headers.get("content-type", "")
        if "json" in kind or "javascript" in kind:
            body = body.replace(emulator_origin.encode(), FAKE_SPOTIFY_ORIGIN.encode())
        route.fulfill(status=answer.status, headers={**answer.headers,
                      "access-control-allow-origin": "*"}, body=body)

    context.route(SPOTIFY_HOSTS, forward)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.stash[_FAILED] = report.failed


_FAILED = pytest.StashKey[bool]()


def _keep_page_log(context: BrowserContext) -> list[str]:
    """What the page said (console, toasts, errors, failed requests): printed when the test
    fails."""
    log: list[str] = []
    context.on("console", lambda m: log.append(f"console.{m.type}: {m.text}"))
    context.on("weberror", lambda e: log.append(f"error: {e.error}"))
    context.on("requestfailed", lambda r: log.append(f"failed: {r.method} {r.url} {r.failure}"))
    return log


def _print_page_log(log: list[str]) -> None:
    print("\n--- the page's log ---\n" + "\n".join(log[-40:]))


_PROFILE_LOGS: list[list[str]] = []


def open_profile(playwright: Playwright, profile: Path, base_url: str,
                 offline: bool = False) -> BrowserContext:
    """A browser with its own profile on disk: the service worker, caches and IndexedDB stay
    across closing and opening it again. Its pages' log is printed if the test fails."""
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, base_url=base_url,
        viewport={"width": 1280, "height": 800}, offline=offline)
    _PROFILE_LOGS.append(_keep_page_log(context))
    return context


@pytest.fixture(autouse=True)
def _print_profile_logs(request: pytest.FixtureRequest) -> Iterator[None]:
    _PROFILE_LOGS.clear()
    yield
    if request.node.stash.get(_FAILED, False):
        for log in _PROFILE_LOGS:
            _print_page_log(log)
    _PROFILE_LOGS.clear()


def go_offline(context: BrowserContext, network: NetworkSwitch) -> None:
    context.set_offline(True)  # the page: navigator.onLine, "offline" events, failed fetches
    network.set_online(False)  # the service worker too (Playwright's emulation skips it)


def go_online(context: BrowserContext, network: NetworkSwitch) -> None:
    network.set_online(True)
    context.set_offline(False)


def pinned_card(page: Page, cards: Locator) -> tuple[str, Locator]:
    """The first of `cards` now, and a locator that keeps finding that same card: the queue can
    re-rank (after a skip, on going offline) between reading a card and pressing its button."""
    track_id = cards.first.get_attribute("data-track-id")
    assert track_id
    return track_id, page.locator(f'#feed-list .track-card[data-track-id="{track_id}"]')


@pytest.fixture
def context(browser: Browser, server: Server,
            request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 800})
    route_spotify(context, server)
    log = _keep_page_log(context)
    yield context
    if request.node.stash.get(_FAILED, False):
        _print_page_log(log)
    # The stand-in SDK long-polls the emulator: let requests still in flight end quietly.
    context.unroute_all(behavior="ignoreErrors")
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def position(page: Page) -> int:
    """Where the player is in its song, in ms (the player bar's data-position)."""
    return int(page.locator("#player").get_attribute("data-position") or 0)


def playing(page: Page) -> bool:
    return page.locator("#player").get_attribute("data-playing") == "true"


def unique_name(prefix: str = "u") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def sign_up(page: Page, username: str, genres: tuple[str, ...] = ("rock", "electronic"),
            unhurried: bool = False) -> None:
    """What a new user does: fill the sign-up form, pick genres, land on the feed.

    `unhurried`: take the time a person takes over the picks (the service worker controls the
    page before they press Start listening), rather than a test's split second."""
    page.goto("/signup")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.get_by_role("heading", name="what do you like?").wait_for()
    if unhurried:
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        page.wait_for_timeout(1000)  # the model worker gets going while they read
    for genre in genres:
        page.get_by_role("button", name=genre, exact=True).click()
    page.get_by_role("button", name="Start listening").click()
    page.get_by_role("heading", name="Your feed").wait_for()
    page.locator("#feed-list .track-card").first.wait_for()


NEW_PASSWORD = "a brand new one"


def new_password_elsewhere(browser: Browser, server: Server, username: str) -> None:
    """Another device signs in and picks NEW_PASSWORD, which signs every other device out."""
    elsewhere = browser.new_context(base_url=server.url)
    try:
        ask = {"headers": {"X-Requested-With": "encore"}}
        assert elsewhere.request.post("/api/auth/login", data={
            "username": username, "password": PASSWORD}, **ask).ok
        assert elsewhere.request.post("/api/me/password", data={
            "current": PASSWORD, "new": NEW_PASSWORD}, **ask).ok
    finally:
        elsewhere.close()


def set_skip_threshold(page: Page, seconds: int) -> None:
    """In Settings: skips count against a track only in its first `seconds` (and hearing that
    much, or half the track, before reaching the end makes a finish)."""
    page.get_by_role("link", name="Settings").click()
    page.locator("#set-skip-value").fill(str(seconds))
    page.locator("#set-skip-unit").select_option("seconds")
    page.get_by_role("button", name="Save settings").click()
    page.get_by_text("Saved.").wait_for()
    page.get_by_role("link", name="Feed").click()


def stored_interactions(page: Page) -> list[dict[str, Any]]:
    """The server's record of this user's interactions (the page's own session)."""
    answer = page.request.get("/api/interactions?limit=500")
    assert answer.ok, answer.text()
    items: list[dict[str, Any]] = answer.json()["interactions"]
    return items


def heard_after(page: Page, left: str | None, ms: int = 300, timeout: float = 45.0) -> str:
    """The id of the track now playing, once it is not `left` and has been heard for `ms`: what
    a test waits for before pressing Next again (a track skipped before it started was never
    heard: it is no skip)."""
    player = page.locator("#player")
    wait_until(lambda: player.get_attribute("data-track-id") not in (None, left)
               and int(player.get_attribute("data-position") or 0) > ms,
               timeout=timeout, message="the next track heard")
    return str(player.get_attribute("data-track-id"))


def wait_until(predicate: Any, timeout: float = 20.0, message: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        time.sleep(0.1)


@pytest.fixture
def network(server: Server) -> Iterator[NetworkSwitch]:
    switch = NetworkSwitch(int(server.url.rsplit(":", 1)[1]))
    yield switch
    switch.close()
