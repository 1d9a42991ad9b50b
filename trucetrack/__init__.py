"""trucetrack: deadlines of trade agreements, kept in TOML timelines."""

__version__ = "0.3.0"
