"""Commands of trucetrack.cli.views (being written)."""
