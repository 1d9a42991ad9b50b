"""trucetrack: deadlines of trade agreements, kept in TOML timelines."""

__version__ = "0.2.0"
