"""The report's task axis: PlanBench's per-task table, accuracy by length per task, and
how often the two readings of an answer disagree.

PlanBench's paper reports one table per domain: a row per model, a column per task. Here a
row is what a run is of (model, set, encoding) and a column a task (task 1 per prompt
style, its styles being different questions); a cell is the accuracy of that run, with its
Wilson interval, and t3's two further verdicts (with the error's type, with its
explanation) beside the binary one.
"""

from __future__ import annotations

from planbench.tasks import NAMES, REGISTRY

FURTHER = {"type": "type", "explanation": "expl"}  # t3's further verdicts, as a cell shows them


def _percent(value: float) -> str:
    return "n/a" if value != value else f"{100 * value:.1f}%"


def task_of(rows: list[dict]) -> str:
    first = rows[0] if rows else {}
    return first.get("task") or "t1"


def column_of(rows: list[dict]) -> str:
    """The table's column for a run: its task, task 1 with its style."""
    first = rows[0] if rows else {}
    task = task_of(rows)
    return f"t1 {first.get('style') or ''}".strip() if task == "t1" else task


def row_of(rows: list[dict], reading: str) -> str:
    first = rows[0] if rows else {}
    return " · ".join([*(str(first.get(k)) for k in ("model", "set", "encoding") if first.get(k)), f"{reading} reading"])


def _reading(extractor: str | None) -> str:
    """The reading's name for a row of the table: task 1's PlanBench rule parser is its
    ``planbench`` reading, as for the other tasks."""
    return "planbench" if extractor in ("planbench", "planbench-rule") else extractor or "default"


def _column_order(column: str) -> tuple:
    task = column.split()[0]
    return (NAMES.index(task) if task in NAMES else len(NAMES), column)


def cell(correct: int, answered: int, further: dict[str, int], interval: tuple | None = None) -> str:
    """Accuracy (95% CI: the summary's, else Wilson's), and t3's further verdicts beside
    the binary one."""
    from planbench.results.metrics import wilson

    low, high = interval or wilson(correct, answered)
    share = correct / answered if answered else float("nan")
    text = f"{_percent(share)} ({_percent(low)}-{_percent(high)})"
    for name, short in FURTHER.items():
        if name in further:
            text += f" · {short} {_percent(further[name] / answered if answered else float('nan'))}"
    return text


def readings(rows: list[dict], entry) -> list[tuple[str, str]]:
    """(reading, cell) for a run: the reading it was scored with, and for tasks 2-8 the
    other one, whose verdicts every row carries beside its own."""
    reading = _reading(rows[0].get("extractor") if rows else None)
    answered = int(entry["answered"])
    own = {name: int(entry[f"correct_{name}"]) for name in FURTHER if _known(entry, f"correct_{name}")}
    out = [(reading, cell(int(entry["correct"]), answered, own, (entry["ci_low"], entry["ci_high"])))]
    if _known(entry, "other_correct"):
        other = {name: int(entry[f"other_correct_{name}"]) for name in FURTHER if _known(entry, f"other_correct_{name}")}
        out.append(("planbench" if reading == "default" else "default",
                    cell(int(entry["other_correct"]), answered, other)))
    return out


def counts(rows: list[dict], entry) -> dict[str, str]:
    """Right answers per reading as PlanBench's paper counts them ("97/80/68": t3 binary,
    with type, with explanation)."""
    reading = _reading(rows[0].get("extractor") if rows else None)
    out = {reading: "/".join(str(int(entry[c])) for c in ("correct", *(f"correct_{n}" for n in FURTHER))
                             if _known(entry, c))}
    if _known(entry, "other_correct"):
        other = "planbench" if reading == "default" else "default"
        out[other] = "/".join(str(int(entry[c])) for c in ("other_correct", *(f"other_correct_{n}" for n in FURTHER))
                              if _known(entry, c))
    return out


def _known(entry, key: str) -> bool:
    value = entry.get(key)
    return value is not None and value == value


def has_tasks(runs: dict[str, list[dict]]) -> bool:
    """Whether a report needs the task axis: a run of a task other than 1."""
    return any(task_of(rows) != "t1" for rows in runs.values())


def task_table(runs: dict[str, list[dict]], overall):
    """Rows: what the runs are of, per reading; columns: tasks; cells: accuracy (95% CI)."""
    import pandas as pd

    cells: dict[str, dict[str, list[str]]] = {}
    for (name, rows), (_, entry) in zip(runs.items(), overall.iterrows()):
        for reading, text in readings(rows, entry):
            cells.setdefault(row_of(rows, reading), {}).setdefault(column_of(rows), []).append(text)
    columns = sorted({c for row in cells.values() for c in row}, key=_column_order)
    return pd.DataFrame([{"runs of": label, **{c: "; ".join(row.get(c, [])) for c in columns}}
                         for label, row in sorted(cells.items())])


def titles() -> str:
    """The columns' names in words, for the table's caption."""
    return ", ".join(f"{name} {task.title}" for name, task in sorted(REGISTRY.items(), key=lambda i: _column_order(i[0])))


def readings_table(runs: dict[str, list[dict]], overall):
    """Per run of tasks 2-8: how often the default and PlanBench readings disagree."""
    import pandas as pd

    out = []
    for (name, rows), (_, entry) in zip(runs.items(), overall.iterrows()):
        if not _known(entry, "readings_differ"):
            continue
        reading = _reading(rows[0].get("extractor"))
        other = "planbench" if reading == "default" else "default"
        out.append({"run": name, "task": task_of(rows), "answered": int(entry["answered"]),
                    f"right ({reading} reading)": int(entry["correct"]),
                    f"right ({other} reading)": int(entry["other_correct"]),
                    "verdicts that differ": int(entry["readings_differ"]),
                    **{f"{name.removeprefix('readings_differ_')} verdicts that differ": int(entry[name])
                       for name in entry.index if name.startswith("readings_differ_") and _known(entry, name)}})
    # Whole counts stay whole where a column is blank for some runs (t3's type and explanation
    # columns): as objects, not floats, so no "1.0" and no pandas warning on the fill.
    return pd.DataFrame(out, dtype=object).fillna("") if out else None


def length_groups(runs: dict[str, list[dict]]) -> dict[str, list[str]]:
    """Run names by task (in task order), for one accuracy-by-length table per task."""
    groups: dict[str, list[str]] = {}
    for name, rows in runs.items():
        groups.setdefault(task_of(rows), []).append(name)
    return dict(sorted(groups.items(), key=lambda item: _column_order(item[0])))
