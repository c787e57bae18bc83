"""The backend's layering (issue 9, item 10): only the app factory and the blueprints reach for
the running app; the domain modules take the store, clients and settings they need, so they
import no app and no module imports itself back round a circle."""

from __future__ import annotations

import ast
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[2] / "backend"
COMPOSITION = {"backend", "backend.app_types"}  # the factory and the app's type


def _module_name(path: Path) -> str:
    parts = path.relative_to(BACKEND.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(path: Path) -> list[str]:
    """Modules imported when the file is imported or type-checked (not inside functions)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: list[str] = []

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                found.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                found.append(base)
                found.extend(f"{base}.{alias.name}" for alias in node.names)
            elif isinstance(node, (ast.If, ast.Try)):
                visit(node.body)
                visit(node.orelse)

    visit(ast.parse(path.read_text()).body)
    return found


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in BACKEND.rglob("*.py")}
    return {
        name: {m for m in _top_level_imports(path) if m in files and m != name}
        for name, path in files.items()
    }


def test_only_the_factory_and_blueprints_reach_for_the_app() -> None:
    reaching = {
        name
        for name, path in ((_module_name(p), p) for p in BACKEND.rglob("*.py"))
        if not name.startswith("backend.blueprints") and name not in COMPOSITION
        and ("backend.app_types" in _top_level_imports(path)
             or "quart.current_app" in _top_level_imports(path))
    }
    assert reaching == set()


def test_the_backend_has_no_import_cycle() -> None:
    graph = _graph()
    cycles: list[list[str]] = []

    def walk(node: str, path: list[str]) -> None:
        for target in sorted(graph[node]):
            if target in path:
                cycles.append(path[path.index(target):] + [target])
            elif target not in done:
                walk(target, [*path, target])
        done.add(node)

    done: set[str] = set()
    for start in sorted(graph):
        if start not in done:
            walk(start, [start])
    assert cycles == []


def test_the_layer_check_sees_imports() -> None:
    """The checks above would pass on an empty graph: make sure they read real edges."""
    graph = _graph()
    assert "backend.store" in graph["backend.accounts"]
    assert "backend.user_settings" in graph["backend.model_service"]
    assert "backend.app_types" in graph["backend.blueprints.signed_in"]
