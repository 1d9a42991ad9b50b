"""Commands of trucetrack.cli.exports (being written)."""
