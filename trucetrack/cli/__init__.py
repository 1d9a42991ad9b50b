"""The command line (typer). Importing the package registers every command.

Each ``trucetrack.cli.<name>`` module adds its commands to the one ``app`` of
``trucetrack.cli.app``; they are imported here so the console script and
``python -m trucetrack`` see them all.
"""

from trucetrack.cli import core, exports, files, views  # noqa: F401  (registers the commands)
from trucetrack.cli.app import app, main

__all__ = ["app", "main"]
