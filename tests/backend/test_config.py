"""Configuration (backend/config.py): what an operator sees when setting ENCORE_* variables —
typed values, a one-line refusal naming the variable, and test switches that stay off unless
truly switched on (flaskr's test_factory, grown up)."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from backend import create_app
from backend.catalog.demo import demo_catalog
from backend.config import ConfigError, Settings, env_name, load_settings
from tests.conftest import ApiClient, AuthActions
from tests.plays import plays
from tests.servers import REPO, EncoreProcess

FALSE = ["False", "false", "no", "NO", "off", "Off", "0"]
TRUE = ["True", "true", "yes", "on", "1"]


def _one_play() -> dict[str, object]:
    return {"interactions": plays(demo_catalog()[:1])}


@pytest.fixture(autouse=True)
def _data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ENCORE_DATA_DIR", str(tmp_path / "data"))


def test_factory() -> None:
    assert not create_app().testing
    assert create_app({"TESTING": True}).testing


@pytest.mark.parametrize("value", FALSE)
async def test_false_words_keep_the_fault_switch_off(monkeypatch, value: str) -> None:
    monkeypatch.setenv("ENCORE_TEST_HOOKS", value)
    monkeypatch.setenv("ENCORE_SECURE_COOKIES", value)
    app = create_app()
    assert app.settings.test_hooks is False and app.settings.secure_cookies is False
    async with app.test_app():
        answer = await ApiClient(app.test_client()).post("/__test__/faults",
                                                         json={"interactions_status": 500})
        assert answer.status_code == 404


@pytest.mark.parametrize("value", TRUE)
def test_true_words_switch_on(monkeypatch, value: str) -> None:
    monkeypatch.setenv("ENCORE_TEST_HOOKS", value)
    assert create_app().settings.test_hooks is True


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "abc"),
        ("PORT", "80.0"),
        ("PORT", "²"),
        ("PORT", "70000"),
        ("TEST_HOOKS", "maybe"),
        ("SECURE_COOKIES", "2"),
        ("MODEL_TIMEOUT_S", "nan"),
        ("MODEL_TIMEOUT_S", "1,5"),
        ("TRAIN_EVERY", "0"),
        ("STORE", "mysql"),
        ("MODEL_URLS", "http://model-1:8000,model-2:8000"),
        ("SPOTIFY_API_URL", "api.spotify.com/v1"),
        ("TRUSTED_ORIGINS", "https://music.example/app"),
    ],
)
def test_a_bad_value_stops_the_start_naming_the_variable(monkeypatch, name: str,
                                                         value: str) -> None:
    monkeypatch.setenv(f"ENCORE_{name}", value)
    with pytest.raises(ConfigError) as raised:
        create_app()
    message = str(raised.value)
    assert f"ENCORE_{name}" in message and "\n" not in message


def test_lists_urls_and_numbers_parse(monkeypatch) -> None:
    monkeypatch.setenv("ENCORE_MODEL_URLS", " http://model-1:8000/ ,http://model-2:8000,")
    monkeypatch.setenv("ENCORE_TRUSTED_ORIGINS", "https://music.example:443,http://localhost:5173")
    monkeypatch.setenv("ENCORE_MODEL_TIMEOUT_S", "0.5")
    monkeypatch.setenv("ENCORE_PORT", " 8080 ")
    monkeypatch.setenv("ENCORE_SPOTIFY_REDIRECT_URI", "")  # empty: the default
    settings, _ = load_settings()
    assert settings.model_urls == ["http://model-1:8000", "http://model-2:8000"]
    assert settings.trusted_origins == ["https://music.example", "http://localhost:5173"]
    assert settings.model_timeout_s == 0.5 and settings.port == 8080
    assert settings.spotify_redirect_uri is None


def test_the_override_wins_and_is_checked_too(monkeypatch) -> None:
    monkeypatch.setenv("ENCORE_TRAIN_EVERY", "7")
    app = create_app({"TRAIN_EVERY": 3, "TESTING": True})
    assert app.settings.train_every == 3 and app.config["TRAIN_EVERY"] == 3
    with pytest.raises(ConfigError, match="TRAIN_EVERY"):
        create_app({"TRAIN_EVERY": "often"})
    with pytest.raises(ConfigError, match="TRAIN_EVRY"):
        create_app({"TRAIN_EVRY": 3})


def test_a_misspelt_variable_is_reported(monkeypatch, caplog) -> None:
    monkeypatch.setenv("ENCORE_SECURE_COOKIE", "true")
    with caplog.at_level(logging.WARNING, logger="encore.config"):
        app = create_app()
    assert app.settings.secure_cookies is False
    assert "did you mean ENCORE_SECURE_COOKIES?" in caplog.text


def test_a_secret_is_never_echoed(monkeypatch) -> None:
    monkeypatch.setenv("ENCORE_MODEL_SECRET", "s3cret-value")
    settings, _ = load_settings()
    assert "s3cret-value" not in repr(settings)


def test_the_readme_lists_every_setting() -> None:
    rows = [line for line in (REPO / "README.md").read_text().splitlines()
            if line.startswith("| `ENCORE_")]
    documented = {name for row in rows for name in re.findall(r"`(ENCORE_[A-Z0-9_]+)`",
                                                               row.split("|")[1])}
    assert documented == {env_name(field) for field in Settings.model_fields}


def test_the_command_line_refuses_a_bad_port_in_one_line(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "ENCORE_DATA_DIR": str(tmp_path), "ENCORE_PORT": "abc"}
    done = subprocess.run([sys.executable, "-m", "backend", "serve"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "encore: bad configuration: ENCORE_PORT='abc': must be a whole number written in digits"
    ]
    assert "Traceback" not in done.stdout + done.stderr


def test_a_server_with_test_hooks_false_has_no_fault_switch(tmp_path: Path) -> None:
    server = EncoreProcess("serve", tmp_path / "data", {"ENCORE_TEST_HOOKS": "False"}).start()
    try:
        with httpx.Client(base_url=server.url, headers={"X-Requested-With": "encore"}) as http:
            fault = http.post("/__test__/faults", json={"interactions_status": 500})
            assert fault.status_code == 404
            assert http.post("/api/auth/signup", json={"username": "ada",
                                                       "password": "correct horse"}).is_success
            posted = http.post("/api/interactions", json=_one_play())
            assert posted.status_code == 200 and len(posted.json()["accepted"]) == 1
    finally:
        server.stop()


async def test_the_fault_switch_acts_from_the_testing_blueprint(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "DATA_DIR": tmp_path, "TEST_HOOKS": True})
    async with app.test_app():
        client = ApiClient(app.test_client())
        await AuthActions(client).signup()
        switched = await client.post("/__test__/faults", json={"interactions_status": 503})
        assert switched.status_code == 200
        failed = await client.post("/api/interactions", json=_one_play())
        assert failed.status_code == 503
        assert (await failed.get_json())["error"]["code"] == "test_fault"
        assert (await client.get("/api/interactions")).status_code == 200  # only the POST
        await client.post("/__test__/faults", json={"interactions_status": None})
        again = await client.post("/api/interactions", json=_one_play())
        assert again.status_code == 200


async def test_the_web_root_setting_names_the_folder_served(monkeypatch, tmp_path: Path) -> None:
    web = tmp_path / "web"
    (web / "assets").mkdir(parents=True)
    (web / "index.html").write_text("<!doctype html><title>copy of the app</title>")
    (web / "assets" / "app-0123456789.css").write_text("body { color: red; }")
    monkeypatch.setenv("ENCORE_WEB_ROOT", str(web))
    app = create_app()
    async with app.test_app():
        client = app.test_client()
        assert "copy of the app" in (await (await client.get("/")).get_data(as_text=True))
        css = await client.get("/assets/app-0123456789.css")
        assert css.status_code == 200 and b"color: red" in await css.get_data()
    monkeypatch.setenv("ENCORE_WEB_ROOT", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="ENCORE_WEB_ROOT"):
        create_app()
