"""The interactive ``report.html``: one self-contained file, every answer one click away.

The page holds its data once, gzip-compressed and base64-encoded (decompressed by the
browser's own DecompressionStream), and plain JavaScript renders it: run cards with every
setting, the overall table and accuracy by optimal length (sortable; every count links to its
answers), whose figures are those :mod:`planbench.results.metrics` computed for every other
output (the script computes no accuracy or interval of its own), filters (run, outcome,
failure kind, encoding, blocks, length), a paged list of
answers, and an answer's view: the prompt, the answer with the plan read from it marked,
the plan, and the validator's walk with the failing step marked, as ``planbench show``
prints it. An answer's view has its own address, ``report.html#<run>/<id>/<sample>`` (the
run as named in the overall table; ``<part>:<id>`` where a run's ids repeat across parts),
so a link to one failing answer can be shared. No network: nothing is fetched.
"""

from __future__ import annotations

import base64
import gzip
import html
import json
from datetime import datetime, timezone
from pathlib import Path

from planbench import __version__
from planbench.world import encodings
from planbench.kept_sets import run_set, set_location
from planbench.results.texts import prompts_asked
from planbench.runs import Run, asked_prompts, read_responses

PAGE_FOLDER = Path(__file__).with_name("page")
SETTINGS = ("model", "base_url", "set", "encoding", "style", "task", "strategy", "rounds", "samples", "extractor",
            "temperature", "max_tokens", "reasoning_effort", "api", "system", "planbench_version", "source",
            "recorded_verdicts", "imported", "limit", "max_cost", "engine")


def report_data(runs: dict[str, list[dict]], sources: dict[str, Run], title: str,
                results: dict[str, dict] | None = None) -> dict:
    """What the page shows, as one JSON-ready dict. ``results`` (name ->
    :func:`~planbench.results.metrics.run_results`) are the figures of the overall and
    by-length tables, computed here if not given. Answers are listed in the order of
    their ids as numbers (scores.csv sorts them as text: 1, 10, 100, 11...); each problem's
    goal, an optimal plan, or why it has none, is held once (``instances``)."""
    import pandas as pd

    from planbench.results.by_task import task_of
    from planbench.results.metrics import PLAN_COUNTS, count_applies, judged_rows, run_results
    from planbench.results.score import VERDICT_OUTCOMES
    from planbench.results.report_pairs import pair_runs

    prompts: dict[str, int] = {}
    problems: dict[tuple, int] = {}
    instances: list[dict] = []
    items = []
    cards = []
    last_answer: dict[tuple, int] = {}  # (run, part, id, sample) -> the item of the conversation's last turn
    for index, (name, rows) in enumerate(runs.items()):
        run = sources.get(name)
        info = run.info if run else {}
        figures = (results or {}).get(name) or run_results(rows, run)
        cards.append({"name": name, "settings": {k: info.get(k) for k in SETTINGS if info.get(k) is not None},
                      "blank": [c for c in (*PLAN_COUNTS, *VERDICT_OUTCOMES) if not count_applies(task_of(rows), c)],
                      "folder": str(run.folder) if run else None,
                      "modified": _modified(run), "summary": _clean(figures["results"]),
                      "done": _clean(figures["completeness"]),
                      "bylength": [_clean(r) for r in figures["by_optimal_length"]]})
        details = _details(run, rows) if run else {}
        repeated = _repeated_ids(rows)
        frame = pd.DataFrame(rows)
        counted = {_turn(r) for r in judged_rows(frame).to_dict("records")} if "outcome" in frame else set()
        for row in sorted(rows, key=_answer_order):
            if row.get("outcome") is None:
                continue
            key = _turn(row)
            detail = details.get(key, {})
            prompt = detail.pop("prompt", None)
            problem = detail.pop("problem", None)
            item = {"r": index, "part": row.get("part"), "id": row.get("id"), "j": key in counted,
                    "ref": f"{row.get('part')}/{row.get('id')}" if row.get("id") in repeated else str(row.get("id")),
                    "s": row.get("sample", 0), "t": row.get("round") or 0, "final": row.get("final", True) is not False,
                    "o": row.get("outcome"), "c": bool(row.get("correct")), "fk": row.get("failure_kind"),
                    "L": row.get("optimal_length"), "b": row.get("blocks"), "enc": row.get("encoding"),
                    "pl": row.get("plan_length"), "why": row.get("reason"), "opt": bool(row.get("optimal")),
                    "rec": row.get("recorded_verdict"), "tok": row.get("completion_tokens"), "cost": row.get("cost"),
                    "tk": row.get("task") if row.get("task") not in (None, "t1") else None, **detail}
            if prompt:
                item["p"] = prompts.setdefault(prompt, len(prompts))
            if problem:
                problem_key = (row.get("part"), row.get("id"), row.get("encoding"))
                if problem_key not in problems:
                    problems[problem_key] = len(instances)
                    instances.append(problem)
                item["k"] = problems[problem_key]
            if item["final"]:
                last_answer[(index, *key[:3])] = len(items)
            items.append(_clean(item))
    return {"title": title, "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "version": __version__, "runs": cards, "prompts": list(prompts), "instances": instances, "items": items,
            "pairs": pair_runs(runs, last_answer)}


def _answer_order(row: dict) -> tuple:
    """(part, id as a number, sample, round)."""
    part, number, sample, round_ = _turn(row)
    return (str(part), number if isinstance(number, (int, float)) else float("inf"), str(number), sample, round_)


def _turn(row: dict) -> tuple:
    """(part, id, sample, round) of a score row (a missing sample or round is 0)."""
    sample, round_ = row.get("sample"), row.get("round")
    return (row.get("part"), row.get("id"), int(sample) if sample == sample and sample is not None else 0,
            int(round_) if round_ == round_ and round_ is not None else 0)


def _modified(run: Run | None) -> str | None:
    if run is None:
        return None
    try:
        stamp = (run.folder / "responses.jsonl").stat().st_mtime
    except OSError:
        return None
    return datetime.fromtimestamp(stamp, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _repeated_ids(rows: list[dict]) -> set:
    parts: dict = {}
    for row in rows:
        parts.setdefault(row.get("id"), set()).add(row.get("part"))
    return {number for number, seen in parts.items() if len(seen) > 1}


def _clean(item: dict) -> dict:
    """No NaN (JSON has none) and no empty fields (the page is smaller)."""
    out = {}
    for key, value in item.items():
        if value is None or (isinstance(value, float) and value != value):
            continue
        if hasattr(value, "item"):
            value = value.item()
        out[key] = value
    return out


def _details(run: Run, rows: list[dict]) -> dict[tuple, dict]:
    """Per answer: the prompt, the answer, where the plan was read, the plan and its walk."""
    from planbench.answers import extract
    from planbench.results.score import read_answer
    from planbench.results.show import walk

    info = run.info
    encoding = encodings.get(info["encoding"])
    responses = {(r.get("part") or info["set"], r["id"], r.get("sample", 0), int(r.get("round") or 0)): r
                 for r in read_responses(run, report=lambda line: None)}
    if (info.get("task") or "t1") != "t1":
        return _task_details(run, rows, responses)
    instance_set = run_set(run)
    asked = prompts_asked(run, instance_set, encoding)
    extractor = (rows[0].get("extractor") if rows else None) or info.get("extractor") or "default"
    out = {}
    problems: dict[str, dict] = {}
    for row in rows:
        key = _turn(row)
        response = responses.get(key)
        instance = instance_set.find(row.get("part"), row.get("id"))
        if response is None or instance is None:
            continue
        encoding = run.encoding_for(instance.part)
        if instance.key not in problems:
            problems[instance.key] = _problem(instance, encoding)
        text = str(response.get("text") or "")
        detail: dict = {"a": text, "prompt": asked.get((row.get("part"), row.get("id"), row.get("sample", 0))),
                        "problem": problems[instance.key]}
        if response.get("user_message"):
            detail["um"] = response["user_message"]
        translation = (response.get("recorded") or {}).get("raw_translation")
        plan, _, reading = read_answer(text, encoding, extractor, translation, instance.problem.name_span) if text.strip() \
            else ((), None, None)
        if extractor == "default" and reading is None and text.strip():
            reading = extract(text, encoding, instance.problem.name_span)
        if reading is not None:
            detail["cand"] = [[c.start, c.end, c.kind, i == reading.chosen] for i, c in enumerate(reading.candidates)]
        if plan:  # on a problem with no plan too: where the false plan breaks
            try:
                detail["walk"] = walk(instance, encoding, plan)
            except (KeyError, IndexError, ValueError):
                pass
        out[key] = detail
    return out


def _task_details(run: Run, rows: list[dict], responses: dict) -> dict[tuple, dict]:
    """Tasks 2-8: the prompt asked (recorded, else built again) and the answer; the
    verdict's reason is the row's, and where the other reading differs, its reason too."""
    from planbench.results.show import task_walk
    from planbench.tasks import records as tasks

    task = tasks.get(run.info.get("task"))
    encoding = encodings.get(run.info["encoding"])
    asked = asked_prompts(run.folder)
    built = tasks.by_instance(task, set_location(run), encoding.name, tasks.run_options(run.info))
    out = {}
    for row in rows:
        key = (row.get("part"), row.get("id"), row.get("sample", 0), row.get("round") or 0)
        response = responses.get(key)
        if response is None:
            continue
        question = built.get(key[:2])
        text = str(response.get("text") or "")
        detail: dict = {"a": text, "prompt": asked.get(key[:3]) or (question.text if question else None)}
        if question is not None:  # what the verdict (the row's reading) was judged against, and the plan's walk
            extractor = row.get("extractor") if row.get("extractor") in ("default", "planbench") else "default"
            detail["judged"] = [list(line) for line in task.judged_against(question, encoding, extractor)]
            walked = task_walk(task, question, encoding, extractor, text)
            if walked is not None:
                detail["walk"] = walked
        if row.get("other_correct") is not None and bool(row.get("other_correct")) != bool(row.get("correct")):
            other = "planbench" if (row.get("extractor") or "default") == "default" else "default"
            detail["other"] = (f"the {other} reading judges it {'right' if row['other_correct'] else 'wrong'}"
                               + (f" ({row['other_reason']})" if row.get("other_reason") else ""))
        out[key] = detail
    return out


def _problem(instance, encoding) -> dict:
    """What the answer view shows of the problem: the goal and an optimal plan in the
    encoding's words, or why no plan exists (the solver's reason)."""
    from planbench.results.show import goal_words, no_plan_words, plan_words

    out = {"goal": goal_words(instance, encoding)}
    if instance.solvable:
        out["plan"] = plan_words(encoding, instance.plan)
    else:
        out["none"] = no_plan_words(instance, encoding)
    return out


def write_html(path: Path, data: dict, sections_html: str, figures: list[tuple[str, str]]) -> None:
    """The page: static sections (the Markdown report's tables) and figures (SVG) around
    the interactive part, which the script fills in from the embedded data."""
    packed = base64.b64encode(gzip.compress(json.dumps(data, separators=(",", ":")).encode(), 6)).decode("ascii")
    figures_html = "".join(f'<figure aria-label="{html.escape(name)}">{svg}</figure>' for name, svg in figures)  # the plot titles itself
    page = (_asset("report.html").replace("__TITLE__", html.escape(data["title"]))
            .replace("__STYLE__", _asset("report.css"))
            .replace("__FIGURES__", figures_html)
            .replace("__SECTIONS__", sections_html)
            .replace("__DATA__", packed)
            .replace("__SCRIPT__", _asset("report.js")))
    path.write_text(page, encoding="utf-8")


def _asset(name: str) -> str:
    """The page's template, style sheet or script (``page/``): kept as files of their own
    language so that they read, lint and diff as HTML, CSS and JavaScript."""
    return (PAGE_FOLDER / name).read_text(encoding="utf-8")
