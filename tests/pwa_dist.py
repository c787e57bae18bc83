"""The PWA as shipped: `npm run build` output in pwa/dist, rebuilt when its sources changed."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "pwa" / "dist"


def build_pwa() -> Path:
    """pwa/dist, built from the current sources (page, workers, shared_model)."""
    stamp = DIST / "index.html"
    sources = [p for d in ("pwa", "service-worker", "shared_model") for p in (ROOT / d).rglob("*")
               if p.is_file() and "dist" not in p.parts and "__pycache__" not in p.parts]
    if not (stamp.exists() and all(p.stat().st_mtime <= stamp.stat().st_mtime for p in sources)):
        subprocess.run(["npm", "run", "--silent", "build"], cwd=ROOT, check=True)
    return DIST


def shipped_model_zip() -> Path:
    """The shared_model archive the model worker downloads (one per build)."""
    (archive,) = (build_pwa() / "pkg").glob("shared_model-*.zip")
    return archive
