"""An Inspect log of the ``planbench/planbench`` task (``.eval`` or ``.json``) into a run directory.

``planbench import LOG.eval --out DIR`` writes what ``planbench run`` would have: ``run.json``
(the task's settings, which the task recorded in the log's metadata, with the model and
endpoint), ``prompts.jsonl`` (the messages Inspect sent) and ``responses.jsonl`` (one line per
answer, per turn of a conversation, with usage, model and seconds, priced at planbench's
prices where it has the model). Epochs are samples; Inspect's verdict of each final answer is
kept beside it as the recorded verdict, so ``planbench score`` prints the agreement.

Only this module's readers need Inspect (``inspect_ai.log.read_eval_log``): imported lazily,
with one line saying how to install it when it is missing.
"""

from __future__ import annotations

import re
from pathlib import Path

from planbench.errors import InputError
from planbench.inspect.answers import answer_line, model_name
from planbench.inspect.questions import SETTINGS_KEY, sample_id
from planbench.redact import redact
from planbench.runs import PROMPTS_FILE, Run, holds_a_run, move_aside, read_run, writable_folder, write_run

INSTALL = "reading Inspect logs needs Inspect AI: pip install 'planbench[inspect]'"


def is_inspect_log(path: str | Path) -> bool:
    """An Inspect log by its form: a ``.eval`` archive, or JSON opening with Inspect's
    ``"version"`` field (PlanBench's results files open with their task or domain)."""
    path = Path(path)
    if path.suffix == ".eval":
        return True
    if path.suffix != ".json":
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(256).decode("utf-8", "ignore")
    except OSError:
        return False
    return re.match(r'\s*\{\s*"version"\s*:\s*\d+\s*,\s*"status"', head) is not None


def read_log(path: Path):
    """The whole log (samples included); one line when it cannot be read."""
    try:
        from inspect_ai.log import read_eval_log
    except ImportError:
        raise InputError(str(path), 0, INSTALL) from None
    if not path.is_file():
        raise InputError(str(path), 0, "no such file")
    try:
        return read_eval_log(str(path), resolve_attachments=True)
    except Exception as error:  # noqa: BLE001 - a damaged zip, bad JSON, a log of another version: all one line
        first = (str(error).strip().splitlines() or [""])[0][:160]
        raise InputError(str(path), 0, f"not a readable Inspect log ({type(error).__name__}: {first})") from None


def import_log(path: str | Path, out: str | Path, force: bool = False) -> tuple[Run, list[str]]:
    """A ``planbench/planbench`` log as a run directory; returns the run and the problems met
    (samples that failed or cannot be placed), which never stop the import. A folder holding
    another run is kept: refused, or moved aside with ``force``; re-importing the same log
    into its own folder replaces it."""
    path, out = Path(path), Path(out)
    log = read_log(path)
    settings = (log.eval.metadata or {}).get(SETTINGS_KEY)
    if not isinstance(settings, dict):
        raise InputError(str(path), 0, f"a log of task {log.eval.task!r}, not of planbench/planbench (no "
                         f"'{SETTINGS_KEY}' settings in its metadata)")
    if not log.samples:
        raise InputError(str(path), 0, "holds no samples (was it written with --no-log-samples, or did it stop "
                         "before the first one finished?)")
    problems = _make_room(out, path, force)
    model = model_name(log.eval.model)
    responses, prompts = [], {}
    for sample in log.samples:
        metadata = sample.metadata or {}
        missing = [k for k in ("set", "part", "id", "encoding") if k not in metadata]
        if missing:
            problems.append(f"{path}: sample {sample.id} has no {', '.join(missing)} in its metadata; skipped")
            continue
        lines, messages = _sample_lines(sample, metadata, model)
        responses.extend(lines)
        prompts[(metadata["part"], metadata["id"], sample.epoch - 1)] = _prompt_line(metadata, messages, sample)
    if not responses:
        raise InputError(str(path), 0, "none of its samples is an answer to a planbench question")
    failed = sum(1 for line in responses if line.get("error"))
    if failed:
        problems.append(f"{path}: {failed} answer(s) failed in Inspect (scored no_response)")
    if log.status != "success":
        problems.append(f"{path}: the eval ended with status {log.status!r}: {len(log.samples)} sample(s) imported")
    run = write_run(out, _run_info(log, settings, path, out, model), responses)
    _write_prompts(out, prompts)
    return run, problems


def _sample_lines(sample, metadata: dict, model: str) -> tuple[list[dict], list[dict]]:
    """The answers of one sample (one per turn), and the messages first sent. Each model call
    of the sample is a turn (its usage is the call's); a sample that failed before any answer
    is one line with its error, which planbench scores ``no_response``."""
    calls = [event for event in sample.events if getattr(event, "event", None) == "model"]
    follow_ups = [m.text for m in sample.messages if m.role == "user"][1:]
    key = f"inspect:{sample.uuid or sample_id(metadata['part'], metadata['id'])}"
    if calls:
        turns = [(call.output, _scrub(call.error)) for call in calls]
    elif sample.output.choices:
        turns = [(sample.output, None)]
    else:
        turns = [(None, None)]
    failure = _scrub(sample.error.message) if sample.error else "no answer in the log"
    lines = []
    for round_, (output, error) in enumerate(turns):
        answered = output is not None and bool(output.choices) and not error  # a failed call logs an empty choice
        lines.append(answer_line(metadata, sample.epoch - 1, model, output if answered else None,
                                 None if answered else (error or failure), key=f"{key}#{round_}", round_=round_,
                                 user_message=follow_ups[round_ - 1] if 0 < round_ <= len(follow_ups) else None))
    last = lines[-1]
    score = _score_of(sample)
    if score is not None:
        last["recorded"] = score
    sent = calls[0].input if calls else (sample.input if isinstance(sample.input, list) else [])
    messages = [{"role": m.role, "content": m.text} for m in sent if m.role in ("system", "user")]
    return lines, messages


def _score_of(sample) -> dict | None:
    """Inspect's verdict of the sample's final answer, as planbench keeps a recorded verdict."""
    score = (sample.scores or {}).get("planbench_scorer")
    if score is None:
        return None
    value = score.value
    verdict = None if value != value else value == "C"  # NaN: unscored (no answer)
    return {"verdict": verdict, "how": f"Inspect scorer ({(score.metadata or {}).get('extractor', 'default')})",
            "explanation": score.explanation}


def _prompt_line(metadata: dict, messages: list[dict], sample) -> dict:
    fields = {k: metadata.get(k) for k in ("set", "part", "id", "encoding", "style", "example_id", "blocks",
                                           "optimal_length")}
    return {**fields, "task": metadata.get("task", "t1"), "messages": messages, "sample": sample.epoch - 1,
            "request": f"inspect:{sample.uuid or sample.id}#0"}


def _write_prompts(out: Path, prompts: dict) -> None:
    import json

    with (out / PROMPTS_FILE).open("w", encoding="utf-8") as handle:
        for key in sorted(prompts, key=lambda k: (str(k[0]), int(k[1]), k[2])):
            handle.write(json.dumps(prompts[key], ensure_ascii=False) + "\n")


def _run_info(log, settings: dict, path: Path, out: Path, model: str) -> dict:
    """run.json: the task's settings as ``planbench run`` records its own, the model and a
    clean endpoint, and where the answers came from. Nothing of model_args (it may hold keys)."""
    config = log.eval.config
    generate = log.eval.model_generate_config
    epochs = config.epochs or 1
    reducers = [str(r) for r in (config.epochs_reducer or [])]
    strategy = settings.get("strategy") or "single"
    if epochs > 1 and strategy == "single" and "planbench/vote" in reducers:
        strategy = "vote"  # the K answers are read as planbench reads a vote
    info = {
        "name": out.name, "set": settings["set"], "encoding": settings["encoding"], "style": settings.get("style"),
        "task": settings.get("task", "t1"), "model": model, "base_url": redact(log.eval.model_base_url) or None,
        "samples": epochs, "strategy": strategy, "rounds": settings.get("rounds"),
        "extractor": settings.get("extractor", "default"), "system": settings.get("system"),
        "fix_quirks": settings.get("fix_quirks", False), "wording": settings.get("wording", "current"),
        "temperature": generate.temperature, "max_tokens": generate.max_tokens,
        "reasoning_effort": generate.reasoning_effort, "limit": config.limit if isinstance(config.limit, int) else None,
        "source": str(path), "imported": True, "engine": "inspect",
        "inspect": {"model": log.eval.model, "task": log.eval.task, "run_id": log.eval.run_id,
                    "eval_id": log.eval.eval_id, "created": log.eval.created, "status": log.status,
                    "epochs_reducer": reducers, "version": (log.eval.packages or {}).get("inspect_ai")},
        "planbench_version": settings.get("planbench_version"),
    }
    return info


def _scrub(text: str | None) -> str | None:
    """An error message's first line without the key an endpoint may quote back."""
    return redact(text.splitlines()[0][:300]) if text else text


def _make_room(out: Path, source: Path, force: bool) -> list[str]:
    """Never replace recorded work: a folder holding another run is refused, or moved aside
    with ``force``; an earlier import of this same log is replaced."""
    if not holds_a_run(out):
        writable_folder(out, "run directory")
        return []
    try:
        previous = read_run(out).info
    except InputError:
        previous = {}
    if previous.get("imported") and previous.get("source") == str(source):
        return []
    if not force:
        what = f" (an import of {previous['source']})" if previous.get("source") else ""
        raise InputError(str(out), 0, f"already holds a run{what}; choose another --out, or --force to move it aside")
    problems = [f"{out}: the run that was there is kept at {move_aside(out)}"]
    writable_folder(out, "run directory")
    return problems

