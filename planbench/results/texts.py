"""The words behind each row of scores: the prompt asked, the answer, the gold plan.

scores.csv holds verdicts and numbers; the texts stay in the run's own files (prompts.jsonl,
responses.jsonl) and the set. The report's answer view and ``planbench.load(...,
with_text=True)`` both read them from there, so the text beside a verdict is the text that
was judged.
"""

from __future__ import annotations

from planbench.runs import Run, asked_prompts, read_responses

TEXT_COLUMNS = ("prompt", "answer", "gold_plan")


def prompts_asked(run: Run, instance_set, encoding) -> dict[tuple, str]:
    """The prompt of each (part, id, sample): from prompts.jsonl, or rendered again (runs
    imported from PlanBench's files, whose prompts ours equal byte for byte)."""
    out = asked_prompts(run.folder)
    if out:
        return out
    from planbench.prompts import queries_and_examples, render

    style = run.info.get("style") or "zero-shot"
    try:
        pairs = queries_and_examples(instance_set, style)
    except Exception:  # noqa: BLE001 - a display aid: a style we cannot render shows no prompt
        return out
    for instance, example in pairs:
        try:
            text = render(instance, encoding, style, example)
        except Exception:  # noqa: BLE001
            continue
        for sample in range(int(run.info.get("samples") or 1)):
            out[(instance.part, instance.id, sample)] = text
    return out


def latest_answers(responses: list[dict], default_part: str) -> dict[tuple, dict]:
    """The answer that counts for each (part, id, sample, round): a resumed run appends
    retries, and the last answer counts, unless it failed where an earlier one did not."""
    latest: dict[tuple, dict] = {}
    for response in responses:
        key = (response.get("part") or default_part, response.get("id"), response.get("sample", 0),
               int(response.get("round") or 0))
        if key not in latest or not response.get("error") or latest[key].get("error"):
            latest[key] = response
    return latest


def text_rows(run: Run, rows: list[tuple]) -> dict[str, list]:
    """For rows given as (part, id, sample, round): the message each answer replied to (the
    prompt in round 0, the critique or revision request after), the answer, and an optimal
    plan of the instance (PlanBench's gold where it has one) in the encoding's PDDL names
    (None where no plan exists)."""
    from planbench.kept_sets import run_set
    from planbench.world import encodings

    encoding = encodings.get(run.info["encoding"])
    instance_set = run_set(run)
    prompts = prompts_asked(run, instance_set, encoding)
    answers = latest_answers(read_responses(run, report=lambda line: None), run.info["set"])
    out: dict[str, list] = {name: [] for name in TEXT_COLUMNS}
    for part, number, sample, round_ in rows:
        response = answers.get((part, number, sample, round_)) or {}
        instance = instance_set.find(part, number)
        out["prompt"].append(response.get("user_message") if round_ else prompts.get((part, number, sample)))
        out["answer"].append(response.get("text"))
        gold = instance.gold(encoding.name) if instance is not None and instance.solvable else None
        out["gold_plan"].append(" ".join(encoding.action_to_pddl(step) for step in gold) if gold else None)
    return out
