"""``python -m trucetrack``."""

from trucetrack.cli import main

main()
