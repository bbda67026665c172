"""The package's folders are layers and imports only go down; no module imports itself in a cycle.

Layers, bottom to top (a module may import from its own layer and the layers
below it, never from a higher one):

    core < strategies < engine < history, stopping, metrics, plotting
         < experiments, compat, testing, session < cli, __main__ and the package's face

Every ``import`` counts, at module level or inside a function. The one
exception to the cycle rule is a module importing the face of a package that
contains it (``alfunc.strategies.algebra`` resolving names through
``alfunc.strategies``): the package importing its own children is how it
re-exports them, not a dependency between concepts.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import alfunc

LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("strategies",),
    ("engine",),
    ("history", "stopping", "metrics", "plotting"),
    ("experiments", "compat", "testing", "session"),
    ("cli", "__main__"),
)
TOP = len(LAYERS) - 1  # the package's own __init__ re-exports every layer: it stands with the cli


def module_names(package_dir: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file of the package at ``package_dir``."""
    names = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = (package_dir.name, *path.relative_to(package_dir).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def layer_of(module: str) -> int | None:
    """The layer of a dotted module name, from its first component below the package."""
    parts = module.split(".")
    if len(parts) == 1:
        return TOP
    for level, heads in enumerate(LAYERS):
        if parts[1] in heads:
            return level
    return None


def imported_modules(module: str, path: Path, known: set[str]) -> set[str]:
    """The package's own modules that ``module`` imports (any import statement, anywhere in the file)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    root = module.split(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            targets.add(source)
            targets |= {f"{source}.{alias.name}" for alias in node.names}
    return {t for t in targets if t in known and t != module and t.split(".")[0] == root}


def import_graph(package_dir: Path) -> dict[str, set[str]]:
    """Module -> the package's modules it imports."""
    names = module_names(package_dir)
    return {module: imported_modules(module, path, set(names)) for module, path in names.items()}


def back_imports(graph: dict[str, set[str]]) -> list[str]:
    """Every import of a higher layer, and every module that belongs to no layer."""
    problems = []
    for module, targets in sorted(graph.items()):
        level = layer_of(module)
        if level is None:
            problems.append(f"{module} belongs to no layer")
            continue
        for target in sorted(targets):
            target_level = layer_of(target)
            if target_level is not None and target_level > level:
                problems.append(f"{module} (layer {level}) imports {target} (layer {target_level})")
    return problems


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles, each as the list of modules around it (first module repeated at the end)."""
    found: list[list[str]] = []
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = "open"
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if module.startswith(target + "."):
                continue  # a package's face, which imports its own children
            if state.get(target) == "open":
                found.append(path[path.index(target) :] + [target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module)
    return found


def test_alfunc_has_a_folder_for_each_layer():
    package_dir = Path(alfunc.__file__).parent
    missing = [
        name
        for name in ("core", "strategies", "engine", "history", "experiments", "testing")
        if not (package_dir / name).is_dir()
    ]
    assert missing == []


def test_alfunc_imports_only_go_down_and_never_in_a_cycle():
    graph = import_graph(Path(alfunc.__file__).parent)
    assert len(graph) > 40
    assert back_imports(graph) == []
    assert cycles(graph) == []


def write_package(root: Path, files: dict[str, str]) -> Path:
    """A throwaway package named ``alfunc`` under ``root`` with the given module sources."""
    for name, source in files.items():
        path = root / "alfunc" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return root / "alfunc"


SOUND = {
    "__init__.py": "from alfunc.engine.steps import step\n",
    "core/__init__.py": "",
    "core/state.py": "import numpy\n",
    "engine/__init__.py": "from .steps import step\n",
    "engine/steps.py": "from alfunc.core.state import numpy\n\ndef step():\n    from alfunc.engine import steps\n",
}


def test_the_checker_accepts_a_sound_package(tmp_path):
    graph = import_graph(write_package(tmp_path, SOUND))
    assert graph["alfunc.engine.steps"] == {"alfunc.core.state", "alfunc.engine"}
    assert back_imports(graph) == []
    assert cycles(graph) == []


@pytest.mark.parametrize(
    "source",
    [
        "from alfunc.engine.steps import step\n",
        "import alfunc.engine.steps\n",
        "def late():\n    from ..engine import steps\n",
        "import alfunc\n",
    ],
)
def test_the_checker_finds_an_import_from_a_higher_layer(tmp_path, source):
    graph = import_graph(write_package(tmp_path, {**SOUND, "core/state.py": source}))
    assert any(problem.startswith("alfunc.core.state (layer 0) imports") for problem in back_imports(graph))


def test_the_checker_finds_a_cycle_within_a_layer(tmp_path):
    files = {
        **SOUND,
        "core/rng.py": "from alfunc.core import state\n",
        "core/state.py": "from alfunc.core.rng import x\n",
    }
    [cycle] = cycles(import_graph(write_package(tmp_path, files)))
    assert cycle[0] == cycle[-1]
    assert sorted(cycle[:-1]) == ["alfunc.core.rng", "alfunc.core.state"]


def test_the_checker_finds_a_module_outside_every_layer(tmp_path):
    graph = import_graph(write_package(tmp_path, {**SOUND, "misc.py": ""}))
    assert back_imports(graph) == ["alfunc.misc belongs to no layer"]
