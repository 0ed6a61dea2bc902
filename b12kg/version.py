"""The release number: read by the package, the CLI and the build backend (one place)."""

__version__ = "0.1.0"
