"""Sections of docs/bad-inputs.md that tests generate: each between
`<!-- generated: NAME -->` and `<!-- end: NAME -->`. A test computes its section from what the
server actually answered and compares; with WRITE_BAD_INPUTS_DOC=1 it writes the section instead:

    WRITE_BAD_INPUTS_DOC=1 .venv/bin/python -m pytest -q -p no:cacheprovider tests/security
"""

from __future__ import annotations

import os
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "bad-inputs.md"
WRITE = os.environ.get("WRITE_BAD_INPUTS_DOC") == "1"


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- generated: {name} -->\n", f"<!-- end: {name} -->"


def check_or_write(name: str, body: str) -> None:
    """Fail when the doc's section `name` differs from `body` (or write it, see above)."""
    start, end = _markers(name)
    text = DOC.read_text()
    found = re.search(re.escape(start) + r"(.*?)" + re.escape(end), text, re.S)
    assert found, f"docs/bad-inputs.md has no section {start.strip()} ... {end}"
    body = body.rstrip("\n") + "\n"
    if WRITE:
        DOC.write_text(text[: found.start(1)] + body + text[found.end(1):])
        return
    assert found.group(1) == body, (
        f"docs/bad-inputs.md section {name!r} is out of date with what the server answers; "
        "regenerate it: WRITE_BAD_INPUTS_DOC=1 .venv/bin/python -m pytest -q -p no:cacheprovider "
        "tests/security")


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)
