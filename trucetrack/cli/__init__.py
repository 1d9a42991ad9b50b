"""The command line (typer).

``trucetrack.cli.app`` holds the one ``app`` and what every command shares;
the commands live in ``query``, ``reports``, ``edits``, ``files`` and
``publish``, each imported only when one of its commands runs (see
``COMMAND_MODULES``).
"""

from trucetrack.cli.app import app, main

__all__ = ["app", "main"]
