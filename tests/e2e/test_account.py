"""E2E: the account page — a new password signs every other device out; "Download my data" is the
whole export; deleting the account (with the password) leaves no row of the user in the store."""

from __future__ import annotations

import json
import sqlite3

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import (
    NEW_PASSWORD,
    PASSWORD,
    Server,
    new_password_elsewhere,
    sign_up,
    stored_interactions,
    unique_name,
    wait_until,
)

pytestmark = pytest.mark.e2e


def rows_naming(server: Server, username: str) -> list[str]:
    """Every row of every table of the server's store that mentions `username` ("table: row",
    the table's name in lower case without its prefix on DynamoDB)."""
    if server.dynamodb is not None:
        return items_naming(*server.dynamodb, username)
    found = []
    with sqlite3.connect(server.data_dir / "encore.sqlite3") as conn:
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                if username in repr(row).lower():
                    found.append(f"{table}: {row!r}"[:200])
    return found


def items_naming(endpoint: str, prefix: str, username: str) -> list[str]:
    """Every item of every table under `prefix` in DynamoDB (dynalite) that mentions `username`."""
    import botocore.session

    client = botocore.session.get_session().create_client(
        "dynamodb", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="local", aws_secret_access_key="local")
    found = []
    for table in client.list_tables()["TableNames"]:
        if not table.startswith(prefix):
            continue
        for page in client.get_paginator("scan").paginate(TableName=table):
            for item in page["Items"]:
                if username in repr(item).lower():
                    found.append(f"{table[len(prefix):].lower()}: {item!r}"[:200])
    return found


def test_delete_the_account_and_nothing_of_it_is_left(page: Page, server: Server) -> None:
    username = unique_name("leaver")
    sign_up(page, username)
    card = page.locator("#feed-list .track-card").first
    card.get_by_role("button", name="Play").click()
    page.get_by_role("button", name="Like", exact=True).click()
    page.get_by_role("button", name="Next (skip)").click()
    page.request.post("/api/playlists", data={"name": "Mine", "track_ids": []},
                      headers={"X-Requested-With": "encore"})
    wait_until(lambda: len(rows_naming(server, username)) >= 5, message="the user's rows")
    tables = {r.split(":")[0] for r in rows_naming(server, username)}
    assert {"users", "sessions", "interactions", "playlists", "likes"} <= tables, tables

    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Account").click()
    # the export first: everything, no secret
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data").click()
    document = json.loads(download.value.path().read_text())
    assert document["account"]["username"] == username
    assert document["playlists"][0]["name"] == "Mine" and document["interactions"]
    page.get_by_role("button", name="Delete my account").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Your password").fill("not my password")
    dialog.get_by_role("button", name="Delete my account").click()
    expect(page.locator("#delete-status")).to_contain_text("nothing was deleted")
    assert rows_naming(server, username)
    page.get_by_role("button", name="Delete my account").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Your password").fill(PASSWORD)
    dialog.get_by_role("button", name="Delete my account").click()
    page.get_by_role("button", name="Log in").wait_for()
    # said, not left to guess from a login form (walk-through)
    expect(page.locator("#toast")).to_contain_text("Your account is deleted")
    assert page.url.endswith("/login")
    assert rows_naming(server, username) == []
    assert page.request.get("/api/me").status == 401
    # signing in again, as the person would, fails: the account is gone
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".form-error")).to_have_text("Wrong username or password.")
    assert page.get_by_role("heading", name="Your feed").count() == 0


def test_a_new_password_signs_the_other_device_out(browser: Browser, page: Page,
                                                   server: Server) -> None:
    username = unique_name("mover")
    sign_up(page, username)
    other = browser.new_context(base_url=server.url)
    try:
        phone = other.new_page()
        phone.goto("/login")  # the other device, signed in and showing the feed
        phone.get_by_label("Username").fill(username)
        phone.get_by_label("Password").fill(PASSWORD)
        phone.get_by_role("button", name="Log in").click()
        phone.get_by_role("heading", name="Your feed").wait_for()
        page.goto("/account")
        page.get_by_label("Current password").fill(PASSWORD)
        page.get_by_label("New password").fill("a brand new one")
        page.get_by_role("button", name="Change password").click()
        expect(page.locator("#password-status")).to_contain_text("Every other device is signed out")
        assert phone.request.get("/api/me").status == 401
        phone.reload()  # what the other device's person sees next: the sign-in page
        phone.get_by_role("button", name="Log in").wait_for()
        assert phone.get_by_role("heading", name="Your feed").count() == 0
        assert page.request.get("/api/me").ok  # this one stays
        page.goto("/")
        page.get_by_role("heading", name="Your feed").wait_for()
        # the old password no longer opens the account; the new one does
        phone.get_by_label("Username").fill(username)
        phone.get_by_label("Password").fill(PASSWORD)
        phone.get_by_role("button", name="Log in").click()
        expect(phone.locator(".form-error")).to_have_text("Wrong username or password.")
        phone.get_by_label("Password").fill("a brand new one")
        phone.get_by_role("button", name="Log in").click()
        phone.get_by_role("heading", name="Your feed").wait_for()
    finally:
        other.close()


def test_a_device_signed_out_elsewhere_says_so_and_keeps_what_was_done(
        browser: Browser, page: Page, server: Server) -> None:
    """A new password chosen on another device signs this one out. Its next step (here a
    dislike, refused by the server) brings the log-in page saying why, not a page whose every
    part says "Sign in first."; the dislike is not lost: it waits on this device and is stored
    once its person signs in again."""
    username = unique_name("ended")
    sign_up(page, username)
    player = page.locator("#player")
    page.locator("#feed-list .track-card").first.get_by_role("button", name="Play").click()
    wait_until(lambda: int(player.get_attribute("data-position") or 0) > 300, message="playing")
    disliked = player.get_attribute("data-track-id")
    new_password_elsewhere(browser, server, username)
    page.get_by_role("button", name="Dislike").click()
    page.get_by_role("button", name="Log in").wait_for()
    expect(page.locator("#toast")).to_contain_text("You were signed out on this device")
    assert page.get_by_role("heading", name="Your feed").count() == 0
    assert page.url.endswith("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Your feed").wait_for()
    wait_until(lambda: [i["track_id"] for i in stored_interactions(page)
                        if i["type"] == "disliked"] == [disliked],
               message="the dislike, stored once")


def test_a_first_visitor_is_not_welcomed_back(page: Page, server: Server) -> None:
    page.goto("/")  # never signed in on this browser: the log-in page is the first page
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to Encore")
    expect(page.get_by_role("link", name="Create an account")).to_be_visible()
    assert "welcome back" not in page.locator("body").inner_text().lower()


def test_onboarding_says_nothing_of_subsonic_where_it_cannot_be_used(page: Page,
                                                                     server: Server) -> None:
    page.goto("/signup")
    page.get_by_label("Username").fill(unique_name("nosub"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.get_by_role("heading", name="what do you like?").wait_for()
    assert "Subsonic" not in page.locator("main").inner_text()
