"""``results.json``: one file per run with every figure a paper would quote, the settings
that made them and the versions, in the spirit of lm-evaluation-harness's results file.

Written beside ``scores.csv`` whenever a run is scored (``planbench score``, ``run``,
``reproduce``, ``planbench.evaluate``). Its figures are :func:`~planbench.results.metrics.run_results`,
the same computation every other output uses, so the file and the report never disagree.
Missing values (no interval with nothing answered, cost unknown) are ``null``.
"""

from __future__ import annotations

import json
import math
import platform
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from planbench import __version__
from planbench.errors import write_failed
from planbench.redact import redact
from planbench.results.metrics import run_results
from planbench.results.score import write_scores
from planbench.runs import Run

RESULTS_FILE = "results.json"
SCORES_FILE = "scores.csv"
VERSIONED = ("pandas", "numpy", "openai", "matplotlib")


def save_scores(run: Run, rows: list[dict]) -> None:
    """A scored run's files: ``scores.csv`` (a row per answer) and ``results.json``. A run
    directory that cannot be written (read-only, a full disk) is one error saying the
    answers are untouched."""
    try:
        write_scores(rows, run.folder / SCORES_FILE)
        write_results(run, rows)
    except OSError as error:
        raise write_failed(error, error.filename or run.folder / SCORES_FILE, "the answers are untouched; score again "
                           "once it can be written (or copy the run directory somewhere writable)") from None


def write_results(run: Run, rows: list[dict]) -> Path:
    document = results_document(run, rows)
    path = run.folder / RESULTS_FILE
    path.write_text(json.dumps(_json_ready(document), indent=2, allow_nan=False) + "\n")
    return path


def results_document(run: Run, rows: list[dict]) -> dict:
    """``results.json`` as a dict: ``run``, ``results`` (overall), ``completeness``,
    ``by_optimal_length``, ``by_round`` and ``majority_vote`` where they apply, ``settings``
    (run.json), ``versions`` and ``scored`` (extractor, when, how many answers)."""
    extractor = next((r.get("extractor") for r in rows if r.get("extractor")), None)
    return {"run": run.name, **run_results(rows, run), "settings": settings(run.info), "versions": versions(),
            "scored": {"extractor": extractor, "answers": len(rows),
                       "at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}}


def settings(info: dict) -> dict:
    """run.json's settings, with any credentials in an endpoint's URL redacted."""
    out = dict(info)
    if isinstance(out.get("base_url"), str):
        out["base_url"] = redact(out["base_url"])
    return out


def versions() -> dict:
    out = {"planbench": __version__, "python": sys.version.split()[0], "platform": platform.platform(terse=True)}
    for package in VERSIONED:
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return out


def _json_ready(value):
    """NaN and infinities as null (JSON has neither); tuples as lists; floats to 12
    significant digits, as scores.csv writes them (a sum of $0.1 and $0.2 is
    0.30000000000000004 in binary: noise, not a figure anyone measured)."""
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if isinstance(value, float):
        return float(f"{value:.12g}") if math.isfinite(value) else None
    if hasattr(value, "item"):
        return _json_ready(value.item())
    return value
