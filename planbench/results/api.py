"""planbench from Python: runs as DataFrames, the pipeline in one call, exports others read.

    import planbench
    scores = planbench.load("runs/o1-mystery", "runs/gpt-4o-mystery")
    planbench.summarise(scores, ["run", "optimal_length"])
    scores.to_parquet("scores.parquet")

``load`` gives one row per answer (per turn for conversations) with the run's settings beside
each row, so runs of different models, encodings and strategies sit in one table.
"""

from __future__ import annotations

import json
from pathlib import Path

from planbench.errors import InputError, write_failed
from planbench.results.results_file import _json_ready
from planbench.results.score import INTEGER_COLUMNS
from planbench.runs import read_run, refuse_inside_a_run, scored_with

FORMATS = ("parquet", "jsonl", "csv", "hf")
# run.json settings copied onto every row (prefixed run_ where a score column has the name)
RUN_FIELDS = ("name", "model", "base_url", "set", "encoding", "style", "task", "strategy", "rounds", "samples", "extractor",
              "temperature", "max_tokens", "reasoning_effort", "planbench_version", "source", "imported", "engine")


def load(*run_dirs: str | Path, extractor: str | None = None, with_text: bool = False):
    """Scores of one or more run directories as one pandas DataFrame.

    A run's ``scores.csv`` is read when it is there and no ``extractor`` is asked for;
    otherwise the run is scored now. Each row carries ``run`` (the run's name) and the run's
    settings (``run_model``, ``run_base_url``, ``run_strategy``, ...); ``frame.attrs["runs"]``
    holds every run.json as it was, and ``frame.attrs["results"]`` every run's figures as
    its results.json has them (accuracy and interval, the vote, cost, complete or not): the
    numbers the report shows, not a recomputation from the rows. ``with_text``: also the
    words, per row: ``prompt`` (the message the answer replied to), ``answer``,
    ``extracted_plan`` (always there) and ``gold_plan`` (an optimal plan, in the encoding's
    PDDL names); off by default, as they make the table many times larger. ``counted``
    marks the answers a run's accuracy counts (each conversation's last turn; for a vote,
    the answer the majority came from): group the rows with :func:`summarise` for the
    figures the report gives, rather than averaging ``correct`` over every turn."""
    import pandas as pd

    from planbench.results.metrics import judged_rows
    from planbench.results.results_file import results_document
    from planbench.results.score import columns_of, score_run
    from planbench.results.texts import text_rows

    if not run_dirs:
        raise InputError("load", 0, "give at least one run directory")
    frames, infos, figures = [], {}, {}
    for folder in run_dirs:
        run = read_run(folder)
        scores = Path(folder) / "scores.csv"
        if scores.exists() and extractor is None:
            frame = pd.read_csv(scores, dtype={"part": str, "set": str, "extracted_plan": str, "reason": str})
        else:
            frame = pd.DataFrame(score_run(run, extractor))
        figures[run.name] = _json_ready(results_document(run, frame.to_dict("records")))
        frame = frame.reindex(columns=columns_of(frame))
        frame["task"] = frame["task"].fillna(run.info.get("task") or "t1")  # scores.csv written before tasks 2-8
        frame = _typed(frame)
        frame["counted"] = frame.index.isin(judged_rows(frame).index)  # the answers accuracy counts
        if with_text:
            keys = zip(frame["part"], frame["id"].astype(int), frame["sample"].astype(int), frame["round"].astype(int))
            for name, values in text_rows(run, list(keys)).items():
                frame[name] = values
        frame.insert(0, "run", run.name)
        for field in RUN_FIELDS:
            frame[f"run_{field}"] = _scalar(run.info.get(field))
        frames.append(frame)
        infos[run.name] = run.info
    out = _text_columns(pd.concat(frames, ignore_index=True))
    out.attrs["runs"] = infos
    out.attrs["results"] = figures
    return out


def summarise(frame, by: str | list[str] | None = "run"):
    """The report's table of a :func:`load` frame, grouped ``by`` (default: per run; e.g.
    ``["run", "optimal_length"]``): answered, right, accuracy and its interval, outcomes,
    pass@k and the vote, cost. The one computation report.md, report.html, results.json
    and the summary line use, so a notebook quotes the same figures."""
    from planbench.results.metrics import summarise as table

    return table(frame, [by] if isinstance(by, str) else by)


def _typed(frame):
    """Columns with one type each (CSV reads booleans with gaps as objects), so the frame
    round-trips through Parquet unchanged."""
    import pandas as pd

    verdicts = [c for c in frame.columns if c.startswith(("correct_", "recorded_correct_"))] + ["other_correct"]
    for column in ("final", "solvable", "correct", "valid", "optimal", "ambiguous", "recorded_verdict", *verdicts):
        if column in frame:
            frame[column] = frame[column].map(_boolean).astype("boolean")
    for column in INTEGER_COLUMNS:
        if column in frame:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
    for column in ("cost", "live_cost", "latency", "cum_cost"):
        if column in frame:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return _text_columns(frame)


def _text_columns(frame):
    """Every remaining column of mixed or missing values as pandas' text type: what Parquet
    gives back."""
    for column in frame.columns:
        if frame[column].dtype == object or str(frame[column].dtype) == "string":
            frame[column] = frame[column].map(lambda v: None if v is None or v != v else str(v)).astype("str")
    return frame


def _boolean(value):
    if value is None or value != value:
        return None
    if isinstance(value, str):
        return {"true": True, "false": False}.get(value.strip().lower())
    return bool(value)


def _scalar(value):
    return json.dumps(value) if isinstance(value, (dict, list)) else value


def evaluate(set: str, model: str, style: str | None = "zero-shot", encoding: str | None = None,
             out: str | Path = "run", extractor: str | None = None, report: bool = True, task: str = "t1", **options):
    """The whole pipeline from a notebook: prompts, the model (resumable, as ``planbench
    run``), verdicts, report; returns :func:`load` of the run. ``task`` is PlanBench's task
    (``t1`` ... ``t8_3`` or its word; tasks 2-8 are one-shot, whatever ``style`` says);
    ``options`` are ``planbench run``'s (samples, strategy, rounds, base_url, max_tokens,
    concurrency...).

    Works in Jupyter and inside a running event loop (the requests then go out from a thread
    of their own); :func:`evaluate_async` is the same, awaited. Interrupted, the answers that
    landed are kept and the same call sends only what is missing."""
    from planbench.run.execute import execute

    execute(_run_config(set, model, style, encoding, task, options), out, show_progress=False)
    return _scored(out, extractor, report)


async def evaluate_async(set: str, model: str, style: str | None = "zero-shot", encoding: str | None = None,
                         out: str | Path = "run", extractor: str | None = None, report: bool = True,
                         task: str = "t1", **options):
    """:func:`evaluate` for code inside an event loop (``await planbench.evaluate_async(...)``
    in a notebook cell or an asyncio program): the requests go out on the caller's loop, and
    scoring and the report run in a thread, so the loop's other tasks go on meanwhile."""
    import asyncio

    from planbench.run.execute import execute_async

    await execute_async(_run_config(set, model, style, encoding, task, options), out)
    return await asyncio.to_thread(_scored, out, extractor, report)


def _run_config(set: str, model: str, style: str | None, encoding: str | None, task: str, options: dict):
    from planbench.run.runner import RunConfig
    from planbench.sets.instances import set_encoding
    from planbench.tasks import records as tasks

    chosen = tasks.get(task)
    style = tasks.task_style(chosen, style if chosen.name == "t1" else None)
    return RunConfig(set=set, encoding=set_encoding(set, encoding), style=style, task=chosen.name, model=model,
                     **options)


def _scored(out: str | Path, extractor: str | None, report: bool):
    """A finished run scored (scores.csv, results.json), reported, and loaded."""
    from planbench.results.report import write_report
    from planbench.results.results_file import save_scores
    from planbench.results.score import score_run

    run = read_run(out)
    rows = score_run(run, extractor)
    run = scored_with(run, extractor)  # report, compare and show read it as scored
    save_scores(run, rows)
    if report:
        write_report({run.name: rows}, Path(out), sources={run.name: run})
    return load(out)


def export(run_dirs: list[str | Path], out: str | Path, format: str = "parquet", with_text: bool = False) -> Path:
    """Scores of runs as one file (``parquet``, ``jsonl``, ``csv``) or a folder the Hugging
    Face ``datasets`` library loads (``hf``: ``data/train-00000-of-00001.parquet`` and a
    ``README.md`` dataset card whose YAML names the data files); ``with_text`` as
    :func:`load`."""
    if format not in FORMATS:
        raise InputError("--format", 0, f"unknown format {format!r}; choose one of: {', '.join(FORMATS)}")
    out = Path(out)
    refuse_inside_a_run(out)
    if format != "hf" and out.is_dir():
        raise InputError(str(out), 0, f"is a folder; --out names the {format} file to write (hf writes a folder)")
    frame = load(*run_dirs, with_text=with_text)
    try:
        if format == "parquet":
            _parent(out)
            frame.to_parquet(out, index=False)
        elif format == "jsonl":
            _parent(out)
            frame.to_json(out, orient="records", lines=True, force_ascii=False)
        elif format == "csv":
            _parent(out)
            frame.to_csv(out, index=False)
        else:
            (out / "data").mkdir(parents=True, exist_ok=True)
            frame.to_parquet(out / "data" / "train-00000-of-00001.parquet", index=False)
            (out / "README.md").write_text(_dataset_card(frame))
    except OSError as error:
        raise write_failed(error, out, "the runs are untouched") from None
    return out


def _parent(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(str(path), 0, f"cannot write there: {error.strerror or error}") from None


def _dataset_card(frame) -> str:
    runs = ", ".join(sorted(frame["run"].unique()))
    return ("---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train-*\n"
            "license: mit\ntags:\n- planning\n- planbench\n---\n\n"
            "# planbench scores\n\n"
            f"Verdicts of {len(frame)} answers from the runs {runs}, one row per answer (per turn for "
            "conversations), as written by `planbench export --format hf`. Columns are those of `scores.csv` "
            "(see the planbench README) and the run's settings (`run_*`)"
            + (", with the texts: `prompt`, `answer`, `extracted_plan`, `gold_plan`" if "answer" in frame else "")
            + ".\n\n"
            "```python\nimport datasets\ndatasets.load_dataset(\"parquet\", data_dir=\"data\")\n```\n")
