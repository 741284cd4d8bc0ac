"""Where the package's data lives: ``domains/`` and ``instances/``.

In a source checkout (editable install, tests) they are the repository's top-level
folders; in an installed wheel they are packed under ``planbench/_data/``.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The folder ``domains``, ``instances`` or ``recorded``, wherever this installation keeps it."""
    for candidate in (PACKAGE / "_data" / name, PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"planbench data folder {name!r} is missing from this installation ({PACKAGE})")
