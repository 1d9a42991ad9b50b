"""The layering of docs/architecture.md, checked on the imports each module makes.

Packages by concern, in one direction:

    core  <-  engine            (pure: model, time arithmetic, the computation)
    core  <-  store  <-  load   (files: the TOML reader, canonical form, disk; loading)
    engine, store, load  <-  ops  <-  output  <-  cli

A module imports only its own package and the packages below it. ``cli`` is the
thin command line: it sees ``ops``, ``output`` and the error types only. The
third-party packages each layer may use are listed too; ruff's banned-api rule
also keeps typer in cli and rich in output and cli.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import trucetrack

PACKAGE = Path(trucetrack.__file__).parent

# What each package (or top-level module) may import of trucetrack, besides itself.
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "errors": {"core"},
    "engine": {"core"},
    "store": {"core", "errors"},
    "load": {"core", "errors", "store"},
    "ops": {"core", "errors", "engine", "store", "load"},
    "output": {"core", "errors", "engine", "ops"},
    "cli": {"errors", "ops", "output"},
    "__main__": {"cli"},
    "__init__": set(),
}

THIRD_PARTY: dict[str, set[str]] = {
    "core": {"dateutil", "holidays"},
    "store": {"tomlkit", "tomli_w", "tzdata", "toml_rs"},
    "output": {"rich", "icalendar"},
    "cli": {"typer"},
}

# At most this many modules at the package's top level: the rest live in packages.
TOP_LEVEL_LIMIT = 6


def layer_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else path.stem


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "trucetrack":
                names.update(f"trucetrack.{alias.name}" for alias in node.names)
            else:
                names.add(node.module)
    return names


def test_every_module_is_placed_in_a_layer() -> None:
    unplaced = {layer_of(path) for path in modules()} - set(ALLOWED)
    assert not unplaced, f"add {unplaced} to ALLOWED with their layer"


def test_few_modules_at_the_top_level() -> None:
    top = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(top) <= TOP_LEVEL_LIMIT, top


def test_package_inits_are_empty() -> None:
    """Importing a package costs nothing: commands load only the modules they use."""
    for init in PACKAGE.glob("*/__init__.py"):
        if init.parent.name == "cli":
            continue  # the console-script entry point
        assert not init.read_text(encoding="utf-8").strip(), init


def test_modules_import_only_from_lower_layers() -> None:
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    for path in modules():
        layer = layer_of(path)
        for name in imports_of(path):
            top = name.split(".")[0]
            if top == "trucetrack":
                if name == "trucetrack" or name.split(".")[1] == "__version__":
                    continue
                own = name.split(".")[1]
                if own == layer:
                    continue
                assert own in ALLOWED[layer], f"{path.relative_to(PACKAGE)}: {layer} must not import trucetrack.{own}"
            elif top not in stdlib:
                assert top in THIRD_PARTY.get(layer, set()), f"{path.relative_to(PACKAGE)}: must not import {top}"


def test_every_command_is_listed_with_the_module_that_defines_it() -> None:
    """Commands load lazily from COMMAND_MODULES, so it must name each one and its module."""
    import importlib

    from typer.main import get_command_name

    from trucetrack.cli.app import COMMAND_MODULES, app

    for module in set(COMMAND_MODULES.values()):
        importlib.import_module(f"trucetrack.cli.{module}")
    defined = {
        (info.name or get_command_name(info.callback.__name__)): info.callback.__module__
        for info in app.registered_commands
        if info.callback is not None
    }
    assert defined == {name: f"trucetrack.cli.{module}" for name, module in COMMAND_MODULES.items()}


CLI_FUNCTION_LIMIT = 50


def test_cli_functions_are_thin() -> None:
    """A command parses its arguments, calls one operation and prints: no long functions in cli/."""
    for path in sorted((PACKAGE / "cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                start = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
                length = (node.end_lineno or node.lineno) - start + 1
                assert length <= CLI_FUNCTION_LIMIT, f"cli/{path.name}: {node.name} is {length} lines"


def test_cli_reads_no_files_itself() -> None:
    """Reading and writing files is the business of store/ (through ops/), never of a command."""
    for path in sorted((PACKAGE / "cli").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        for call in ("read_bytes(", "write_bytes(", "open(", "os.replace(", "tempfile"):
            assert call not in text, f"cli/{path.name} calls {call}"
