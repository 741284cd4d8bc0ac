"""A run's instance set, kept with the run: a run directory that is moved, copied to another
machine, or read from another working directory is still scored, shown, reported and resumed.

A bundled set is known by its name everywhere. A generated set is a folder the user named
as they typed it (``sets/gen30``, relative to wherever they were), so run.json records
beside that name the set's absolute location (``set_path``) and its identity
(``set_digest``: the SHA-256 of its ``manifest.jsonl``), and the run directory keeps a copy
of what scoring reads (``set/<name>/manifest.jsonl`` and ``set.json``; the PDDL files are
written from them). The copy is what the run asked, so it is read first.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from planbench.errors import InputError
from planbench.runs import RUN_FILE, Run
from planbench.sets.instances import SET_FILE, SETS, InstanceSet, load_set

KEPT = "set"  # inside a run directory: set/<the set's name>/manifest.jsonl
MANIFEST = "manifest.jsonl"


def _manifest(location: Path) -> Path:
    """A generated set's manifest, given its folder or the manifest itself (as load_set takes)."""
    return location / MANIFEST if location.is_dir() else location


def _set_name(location: str | Path) -> str:
    """The name load_set gives a generated set: its folder's, or the manifest file's stem."""
    location = Path(location)
    return location.stem if location.suffix == ".jsonl" else location.name


def digest(location: Path) -> str:
    """A generated set's identity: the SHA-256 of its manifest (ids, problems, optimal plans)."""
    return hashlib.sha256(_manifest(location).read_bytes()).hexdigest()


def keep_set(folder: Path, name: str) -> dict:
    """Copy a generated set into the run directory ``folder`` (once) and return what run.json
    records of it: ``set_path`` and ``set_digest``; ``{}`` for a bundled set."""
    if name in SETS:
        return {}
    location = Path(name).resolve()
    fields = {"set_path": str(location), "set_digest": digest(location)}
    kept = folder / KEPT / _set_name(location)
    if not (kept / MANIFEST).exists() or digest(kept) != fields["set_digest"]:
        kept.mkdir(parents=True, exist_ok=True)
        partial = kept / (MANIFEST + ".part")
        shutil.copyfile(_manifest(location), partial)
        settings = _manifest(location).parent / SET_FILE
        if settings.exists():
            shutil.copyfile(settings, kept / SET_FILE)
        partial.replace(kept / MANIFEST)  # whole or not there: a kill mid-copy leaves no half a set
    return fields


def set_location(run: Run) -> str:
    """What :func:`load_set` takes to read a run's set from here: a bundled set's name; the
    copy in the run directory; the absolute location run.json recorded; or, for runs made
    before either was kept, the name as typed, from here or from a folder above the run (a
    run is usually made from the folder that holds both it and its set). A set found whose
    identity is not the one recorded is refused: its answers would be judged against other
    problems."""
    info = run.info
    name = info["set"]
    if name in SETS:
        return name
    recorded = info.get("set_digest")
    path = info.get("set_path") if isinstance(info.get("set_path"), str) else None
    candidates = [run.folder / KEPT / _set_name(path or name), *([Path(path)] if path else []), Path(name),
                  *(folder / name for folder in run.folder.resolve().parents)]
    changed = None
    for candidate in candidates:
        if not _manifest(candidate).is_file():
            continue
        if recorded and digest(candidate) != recorded:
            changed = changed or candidate
            continue
        return str(candidate)
    if changed is not None:
        raise InputError(str(changed), 0, f"not the set this run asked ({run.folder / RUN_FILE} records another "
                         "manifest.jsonl): it was changed or regenerated since, and the run directory keeps no copy")
    raise InputError(name, 0, f"the generated set of {run.folder} is not found: not kept in the run directory, "
                     f"not at {path or name}; copy the set's folder back there")


def run_set(run: Run) -> InstanceSet:
    """The instance set a run's answers are for, wherever the run directory is now."""
    return load_set(set_location(run))


def same_set(previous: Run, name: str) -> bool:
    """Whether ``name`` (a run's set, as typed now) is the set ``previous`` was made with:
    the same bundled name, or the same manifest wherever it is typed from."""
    before = previous.info.get("set")
    if name in SETS or before in SETS:
        return name == before
    try:
        now = digest(Path(name))
    except OSError:
        return name == before
    if previous.info.get("set_digest"):
        return now == previous.info["set_digest"]
    try:
        return now == digest(Path(set_location(previous)))
    except (InputError, OSError):
        return name == before
