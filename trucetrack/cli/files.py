"""Commands of trucetrack.cli.files (being written)."""
