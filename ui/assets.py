"""The page's own HTML: its script and styles, kept as files in ``ui/static``."""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).parent / "static"
_WRAP = {".js": "<script>\n{}</script>", ".css": "<style>\n{}</style>"}

# Read once per server process (this module is imported once); the files are the page's own,
# never user text, so every session may render the same strings.
_HTML = {
    path.name: _WRAP[path.suffix].format(path.read_text(encoding="utf-8"))
    for path in sorted(STATIC.iterdir())
    if path.suffix in _WRAP
}


_SOURCE = {path.name: path.read_text(encoding="utf-8") for path in sorted(STATIC.iterdir())}


def source(name: str) -> str:
    """A file of ui/static as it is (a component's code and styles)."""
    return _SOURCE[name]


def asset(name: str) -> str:
    """A file of ui/static as HTML to render: a .js file in <script>, a .css one in <style>."""
    return _HTML[name]
