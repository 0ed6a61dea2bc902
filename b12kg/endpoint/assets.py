"""The pages' own script and style (`b12kg/endpoint/static/`), served at `/static/<file>`.

Its own module because serving files is a job apart from the SPARQL protocol: the set of
files is fixed when the server starts (read once from the package, never a path from the
request), so `/static/../x` cannot name anything else. Nothing comes from a CDN: the page
works offline and its Content-Security-Policy allows only this origin.
"""

from __future__ import annotations

from pathlib import Path

STATIC_DIR = Path(__file__).with_name("static")
_MEDIA = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}


class StaticFiles:
    """File name → (media type, bytes) for every packaged static file, read once."""

    def __init__(self, folder: Path = STATIC_DIR):
        self._files = {
            path.name: (_MEDIA[path.suffix], path.read_bytes())
            for path in sorted(folder.iterdir())
            if path.is_file() and path.suffix in _MEDIA
        }

    def names(self) -> list[str]:
        return list(self._files)

    def get(self, name: str) -> tuple[str, bytes] | None:
        return self._files.get(name)
