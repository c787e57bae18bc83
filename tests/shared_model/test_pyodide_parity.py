"""CPython vs Pyodide (Python 3.14 in WebAssembly, under Node): the same snapshot and
interactions must give bit-identical learner weights and the same ranking."""

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from backend.training import train_ensemble
from shared_model import UserModel, training_examples
from tests.pyodide.scenario import run
from tests.shared_model.synth import catalog, history, make_track

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "tests" / "pyodide" / "run_scenarios.mjs"
PYODIDE = ROOT / "node_modules" / "pyodide" / "pyodide.mjs"
START = 1_700_000_000_000


def _scenarios() -> list[dict]:
    tracks = catalog(600, seed=21)
    rng = random.Random(4)
    # tracks with gaps: no audio features, Spotify-style genres, no year or popularity
    tracks += [{**make_track(900 + i, rng, audio=i % 2 == 0),
                "genres": [["indie pop", "deep house"], ["polka"], []][i % 3]}
               for i in range(60)]
    # local tracks: Encore's own audio analysis (brightness, rhythm, key, timbre), no
    # Spotify-style features besides tempo, mode, loudness and energy
    tracks += [{**make_track(1000 + i, rng, audio=False), "source": "local",
                "features": {"tempo": 60 + rng.random() * 120, "key": float(i % 12),
                             "mode": float(i % 2), "loudness": -30 + rng.random() * 25,
                             "energy": rng.random(), "brightness": rng.random(),
                             "rhythm_strength": rng.random(), "centroid_hz": 800.5,
                             **{f"timbre_{k}": rng.random() * 2 - 1 for k in range(1, 9)}}}
               for i in range(80)]
    by_id = {t["id"]: t for t in tracks}
    probes = [k / 7.0 - 40.0 for k in range(561)] + [-700.5, 709.9, 1e-300, -0.0]
    interactions = history(tracks, 900, seed=5)
    settings = {"favorite_genres": ["jazz", "hip-hop"], "exploration": 0.3}
    fresh = {"snapshot": None, "settings": settings, "interactions": interactions[:300],
             "tracks": tracks, "candidates": tracks[:300], "now": START + 301 * 60_000,
             "limit": 60, "probes": probes}
    # a server snapshot with a trained forest, then offline interactions on top
    base = UserModel.new(settings)
    base.learn_many(interactions[:600], by_id, settings)
    examples = training_examples(interactions[:600], by_id, settings)
    base.set_ensemble(train_ensemble(examples), len(examples))
    assert base.ensemble is not None
    percent = {"skip_threshold_unit": "percent", "skip_threshold_value": 40,
               "exploration": 0.8, "allow_explicit": False}
    offline = {"snapshot": base.to_dict(), "settings": percent,
               "interactions": interactions[550:], "tracks": tracks,
               "candidates": tracks[200:], "now": START + 901 * 60_000, "limit": 100}
    # a new user: the cold-start kernel average and the recent plays shape the ranking
    new = {**fresh, "interactions": interactions[:40], "now": START + 41 * 60_000}
    # the listener's corrections made on the device: block, forget, a private session
    at = START + 600 * 60_000
    artists = [t["artists"][0]["id"] for t in tracks[200:204]]
    corrections = [
        {"id": "c1", "kind": "block", "target": artists[0], "at": at},
        {"id": "c2", "kind": "forget_artist", "target": artists[1], "at": at + 1},
        {"id": "c3", "kind": "forget_track", "target": tracks[210]["id"], "at": at + 2},
        {"id": "c4", "kind": "pause", "target": "", "at": START + 700 * 60_000},
        {"id": "c5", "kind": "resume", "target": "", "at": START + 750 * 60_000},
    ]
    corrected = {**offline, "corrections": corrections}
    return [json.loads(json.dumps(s)) for s in (fresh, offline, new, corrected)]


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> tuple[list[dict], list[dict]]:
    node = shutil.which("node")
    if node is None or not PYODIDE.exists():
        pytest.skip("needs node and node_modules/pyodide")
    scenarios = _scenarios()
    path = tmp_path_factory.mktemp("pyodide") / "scenarios.json"
    path.write_text(json.dumps(scenarios))
    # one Pyodide start for all scenarios (about 3 s)
    done = subprocess.run([node, str(RUNNER), str(path)], capture_output=True, text=True,
                          timeout=180, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return [run(s) for s in scenarios], json.loads(done.stdout)


def test_pyodide_really_is_another_python(results):
    cpython, pyodide = results
    assert pyodide[0]["python"].startswith("3.14")
    assert cpython[0]["python"] != pyodide[0]["python"]


@pytest.mark.parametrize("index", [0, 1, 2, 3],
                         ids=["fresh_user", "snapshot_with_forest", "new_user", "corrections"])
def test_same_weights_bit_for_bit(results, index):
    cpython, pyodide = results
    for key in ("weights", "grad2", "precision", "snapshot_sha256"):
        assert cpython[index][key] == pyodide[index][key], key


@pytest.mark.parametrize("index", [0, 1, 2, 3],
                         ids=["fresh_user", "snapshot_with_forest", "new_user", "corrections"])
def test_same_ranking_scores_and_reasons(results, index):
    cpython, pyodide = results
    assert cpython[index]["has_ensemble"] == (index in (1, 3)) == pyodide[index]["has_ensemble"]
    assert len(cpython[index]["ranked"]) >= 50
    for key in ("ranked", "scores", "reasons", "uncertainty"):
        assert cpython[index][key] == pyodide[index][key], key


def test_exp_and_sigmoid_identical(results):
    cpython, pyodide = results
    assert len(cpython[0]["math"]) > 500
    assert cpython[0]["math"] == pyodide[0]["math"]


def _page_path_calls() -> list[list]:
    """What the page asks its worker for a new listener, in order: the snapshot the server made
    before onboarding with the settings of that moment, then the picks, a ranking of the feed's
    pool, some listening, a ranking again, and the outbox replay after a reload."""
    from backend.catalog.demo import demo_catalog
    from tests.plays import plays

    pool = demo_catalog()[:200]
    early = {"model_version": "0", "snapshot": UserModel.new({}).to_dict()}
    picks = {"favorite_genres": ["classical", "blues"], "skip_threshold_unit": "seconds",
             "skip_threshold_value": 30, "allow_explicit": False, "exploration": 0.3}
    heard = (plays(pool[:6], start_ms=START) + plays(pool[6:12], "skipped", start_ms=START + 60_000)
             + plays(pool[12:14], "liked", start_ms=START + 120_000))
    by_id = {t["id"]: t for t in pool}
    learn = [["learn", {"interaction": i, "track": by_id[i["track_id"]]}] for i in heard]
    ids = [t["id"] for t in pool]
    # The page sends the pool's tracks once; later rankings name them by id (ModelClient.rank).
    first_rank = ["rank", {"tracks": pool, "ids": ids, "limit": 30, "now_ms": START + 200_000}]
    rank_call = ["rank", {"tracks": [], "ids": ids, "limit": 30, "now_ms": START + 200_000}]
    return [["load", {"snapshot": early, "settings": {}}], ["configure", {"settings": picks}],
            first_rank, *learn, rank_call,
            ["learn_many", {"items": [{"interaction": c[1]["interaction"], "track": c[1]["track"]}
                                      for c in learn]}], rank_call]


def test_the_worker_path_through_the_shipped_zip(tmp_path):
    """The model worker's own calls (Device.handle with JSON) on the zip the build ships, in
    Pyodide, answer byte for byte what the same calls answer on the server's CPython."""
    import zipfile

    from shared_model.device import Device
    from tests.pwa_dist import shipped_model_zip

    node = shutil.which("node")
    if node is None or not PYODIDE.exists():
        pytest.skip("needs node and node_modules/pyodide")
    archive = shipped_model_zip()
    with zipfile.ZipFile(archive) as shipped:
        for name in ("device.py", "model.py", "ranking.py"):
            packed = shipped.read(f"shared_model/{name}")
            assert packed == (ROOT / "shared_model" / name).read_bytes(), name
    calls = _page_path_calls()
    path = tmp_path / "calls.json"
    path.write_text(json.dumps(calls))
    done = subprocess.run([node, str(ROOT / "tests" / "pyodide" / "run_device.mjs"), str(archive),
                           str(path)], capture_output=True, text=True, timeout=180, cwd=ROOT,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    browser = json.loads(done.stdout)
    assert browser["python"].startswith("3.14")
    server = Device()
    expected = [server.handle(action, json.dumps(payload)) for action, payload in calls]
    assert browser["answers"] == expected
    first, after = json.loads(expected[2]), json.loads(expected[-3])
    assert {t["reason"] for t in first[:10]} <= {"Because you picked classical",
                                                   "Because you picked blues"}
    assert [t["id"] for t in first] != [t["id"] for t in after]  # listening changed the feed
    assert expected[-1] == expected[-3]  # the replay changed nothing
