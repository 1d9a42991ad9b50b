"""The layering of DEVELOPERS.md, checked on the imports each module makes.

model <- durations/dates <- store, validate <- engine <- render <- cli.
A module may import only from layers below it (and its own layer's helpers
listed here). ruff's banned-api rule also keeps typer in cli and rich in
render and cli; this test covers our own modules and third-party packages.
"""

from __future__ import annotations

import ast
from pathlib import Path

import trucetrack

PACKAGE = Path(trucetrack.__file__).parent

BASE = {"model", "errors", "safe", "collector"}
DATES = BASE | {"durations", "dates"}
STORE = DATES | {"store", "canonical", "edit", "gitfiles"}
ENGINE = DATES | {"engine", "rates", "digest", "semdiff"}
RENDER = ENGINE | {"render", "views", "export", "jsonschema"}

ALLOWED: dict[str, set[str]] = {
    "model": set(),
    "errors": {"model"},
    "safe": set(),
    "collector": set(),
    "durations": {"model"},
    "dates": {"model", "durations"},
    # store layer: the only TOML readers and writers, and git access
    "store": {"model", "errors"},
    "canonical": BASE | {"store"},
    "edit": DATES | {"store", "canonical"},
    "gitfiles": BASE | {"store"},
    "cache": BASE | {"store"},
    "validate": DATES | {"store", "cache", "safe"},
    # engine layer: pure functions of a timeline and an instant
    "engine": DATES,
    "rates": DATES | {"engine"},
    "digest": DATES | {"engine", "rates", "semdiff"},
    "semdiff": DATES | {"engine"},
    # render layer
    "render": ENGINE,
    "views": ENGINE | {"render"},
    "export": ENGINE | {"render"},
    "jsonschema": BASE,
    # the command line
    "cli": STORE | ENGINE | RENDER | {"validate", "cache", "cli"},
    "__main__": {"cli"},
    "__init__": set(),
}

THIRD_PARTY: dict[str, set[str]] = {
    "durations": {"dateutil"},
    "dates": {"dateutil"},
    "canonical": {"tomlkit", "tomli_w"},
    "edit": {"tomlkit", "tomli_w"},
    "render": {"rich"},
    "views": {"rich"},
    "export": {"icalendar", "rich"},
    "cli": {"typer", "rich", "dateutil"},
}


def layer_of(path: Path) -> str:
    """``cli/*.py`` are all the cli layer; other modules are their own."""
    return "cli" if path.parent.name == "cli" else path.stem


def modules() -> list[Path]:
    return sorted(PACKAGE.glob("*.py")) + sorted((PACKAGE / "cli").glob("*.py"))


STDLIB_EXTRA_OK = {"__future__"}


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


def test_modules_import_only_from_lower_layers() -> None:
    import sys

    stdlib = set(sys.stdlib_module_names) | STDLIB_EXTRA_OK
    for path in modules():
        module = layer_of(path)
        for name in imports_of(path):
            top = name.split(".")[0]
            if top == "trucetrack":
                if name == "trucetrack" or name.split(".")[1] == "__version__":
                    continue
                own = name.split(".")[1]
                assert own in ALLOWED[module], f"trucetrack.{module} must not import trucetrack.{own}"
            elif top not in stdlib:
                assert top in THIRD_PARTY.get(module, set()), f"trucetrack.{module} must not import {top}"


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
