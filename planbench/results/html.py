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
from planbench.sets.instances import load_set
from planbench.runs import Run, asked_prompts, read_responses

SETTINGS = ("model", "base_url", "set", "encoding", "style", "task", "strategy", "rounds", "samples", "extractor",
            "temperature", "max_tokens", "reasoning_effort", "api", "system", "planbench_version", "source",
            "recorded_verdicts", "imported", "limit", "max_cost", "engine")


def report_data(runs: dict[str, list[dict]], sources: dict[str, Run], title: str,
                results: dict[str, dict] | None = None) -> dict:
    """What the page shows, as one JSON-ready dict. ``results`` (name ->
    :func:`~planbench.results.metrics.run_results`) are the figures of the overall and
    by-length tables, computed here if not given."""
    import pandas as pd

    from planbench.results.metrics import judged_rows, run_results

    prompts: dict[str, int] = {}
    items = []
    cards = []
    for index, (name, rows) in enumerate(runs.items()):
        run = sources.get(name)
        info = run.info if run else {}
        figures = (results or {}).get(name) or run_results(rows, run)
        cards.append({"name": name, "settings": {k: info.get(k) for k in SETTINGS if info.get(k) is not None},
                      "folder": str(run.folder) if run else None,
                      "modified": _modified(run), "summary": _clean(figures["results"]),
                      "done": _clean(figures["completeness"]),
                      "bylength": [_clean(r) for r in figures["by_optimal_length"]]})
        details = _details(run, rows) if run else {}
        repeated = _repeated_ids(rows)
        frame = pd.DataFrame(rows)
        counted = {_turn(r) for r in judged_rows(frame).to_dict("records")} if "outcome" in frame else set()
        for row in rows:
            if row.get("outcome") is None:
                continue
            key = _turn(row)
            detail = details.get(key, {})
            prompt = detail.pop("prompt", None)
            item = {"r": index, "part": row.get("part"), "id": row.get("id"), "j": key in counted,
                    "ref": f"{row.get('part')}:{row.get('id')}" if row.get("id") in repeated else str(row.get("id")),
                    "s": row.get("sample", 0), "t": row.get("round") or 0, "final": row.get("final", True) is not False,
                    "o": row.get("outcome"), "c": bool(row.get("correct")), "fk": row.get("failure_kind"),
                    "L": row.get("optimal_length"), "b": row.get("blocks"), "enc": row.get("encoding"),
                    "pl": row.get("plan_length"), "why": row.get("reason"), "opt": bool(row.get("optimal")),
                    "rec": row.get("recorded_verdict"), "tok": row.get("completion_tokens"), "cost": row.get("cost"),
                    "tk": row.get("task") if row.get("task") not in (None, "t1") else None, **detail}
            if prompt:
                item["p"] = prompts.setdefault(prompt, len(prompts))
            items.append(_clean(item))
    return {"title": title, "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "version": __version__, "runs": cards, "prompts": list(prompts), "items": items}


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
    instance_set = load_set(info["set"])
    asked = _asked(run, instance_set, encoding)
    extractor = (rows[0].get("extractor") if rows else None) or info.get("extractor") or "default"
    out = {}
    for row in rows:
        key = _turn(row)
        response = responses.get(key)
        instance = instance_set.find(row.get("part"), row.get("id"))
        if response is None or instance is None:
            continue
        text = str(response.get("text") or "")
        detail: dict = {"a": text, "prompt": asked.get((row.get("part"), row.get("id"), row.get("sample", 0)))}
        if response.get("user_message"):
            detail["um"] = response["user_message"]
        translation = (response.get("recorded") or {}).get("raw_translation")
        encoding = run.encoding_for(instance.part)
        plan, _, reading = read_answer(text, encoding, extractor, translation, instance.problem.name_span) if text.strip() \
            else ((), None, None)
        if extractor == "default" and reading is None and text.strip():
            reading = extract(text, encoding, instance.problem.name_span)
        if reading is not None:
            detail["cand"] = [[c.start, c.end, c.kind, i == reading.chosen] for i, c in enumerate(reading.candidates)]
        if plan and instance.solvable:
            try:
                detail["walk"] = walk(instance, encoding, plan)
            except (KeyError, IndexError, ValueError):
                pass
        out[key] = detail
    return out


def _task_details(run: Run, rows: list[dict], responses: dict) -> dict[tuple, dict]:
    """Tasks 2-8: the prompt asked (recorded, else built again) and the answer; the
    verdict's reason is the row's, and where the other reading differs, its reason too."""
    from planbench.tasks import records as tasks

    asked = asked_prompts(run.folder)
    built = tasks.by_instance(tasks.get(run.info.get("task")), run.info["set"], run.info["encoding"],
                              tasks.run_options(run.info))
    out = {}
    for row in rows:
        key = (row.get("part"), row.get("id"), row.get("sample", 0), row.get("round") or 0)
        response = responses.get(key)
        if response is None:
            continue
        prompt = asked.get(key[:3]) or (built[key[:2]].text if key[:2] in built else None)
        detail: dict = {"a": str(response.get("text") or ""), "prompt": prompt}
        if row.get("other_correct") is not None and bool(row.get("other_correct")) != bool(row.get("correct")):
            other = "planbench" if (row.get("extractor") or "default") == "default" else "default"
            detail["other"] = (f"the {other} reading judges it {'right' if row['other_correct'] else 'wrong'}"
                               + (f" ({row['other_reason']})" if row.get("other_reason") else ""))
        out[key] = detail
    return out


def _asked(run: Run, instance_set, encoding) -> dict[tuple, str]:
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


def write_html(path: Path, data: dict, sections_html: str, figures: list[tuple[str, str]]) -> None:
    """The page: static sections (the Markdown report's tables) and figures (SVG) around
    the interactive part, which the script fills in from the embedded data."""
    packed = base64.b64encode(gzip.compress(json.dumps(data, separators=(",", ":")).encode(), 6)).decode("ascii")
    figures_html = "".join(f'<figure aria-label="{html.escape(name)}">{svg}</figure>' for name, svg in figures)  # the plot titles itself
    page = (PAGE.replace("__TITLE__", html.escape(data["title"]))
            .replace("__STYLE__", STYLE)
            .replace("__FIGURES__", figures_html)
            .replace("__SECTIONS__", sections_html)
            .replace("__DATA__", packed)
            .replace("__SCRIPT__", SCRIPT))
    path.write_text(page, encoding="utf-8")


STYLE = """
body{font-family:system-ui,-apple-system,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#243b53;color:#fff;padding:14px 24px}header h1{margin:0;font-size:20px}
header small{opacity:.8}main{padding:12px 24px;max-width:1500px}
h2{font-size:17px;margin:22px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:10px}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px 12px;font-size:12px}
.card h3{margin:0 0 6px;font-size:13px;word-break:break-all}.card dl{margin:0;display:grid;grid-template-columns:auto 1fr;gap:1px 8px}
.card dt{color:#666}.card dd{margin:0;word-break:break-all}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:12.5px;background:#fff;margin-bottom:8px}
th,td{border:1px solid #d5d5d5;padding:3px 7px;text-align:right;white-space:nowrap}
th{background:#eef1f4;cursor:pointer;user-select:none}th.sorted-asc:after{content:" ▲"}th.sorted-desc:after{content:" ▼"}
td:first-child,th:first-child{text-align:left}td a{color:#1a5fb4;text-decoration:none}td a:hover{text-decoration:underline}
.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:center;background:#fff;border:1px solid #ddd;padding:8px;border-radius:6px}
.filters label{font-size:12px}.filters select,.filters input{font-size:12px}
.pager{margin:6px 0;font-size:12px}.pager button{margin-right:6px}
#answer{background:#fff;border:1px solid #bbb;border-radius:6px;padding:10px 14px;margin-top:12px}
#answer.hidden{display:none}pre{white-space:pre-wrap;word-wrap:break-word;font-size:12px;background:#f6f8fa;padding:8px;
border-radius:4px;max-height:520px;overflow:auto}mark.plan{background:#ffe08a}mark.cand{background:#e3ecf7}
.trace td,.trace th{text-align:left;white-space:normal}.trace tr.fail td{background:#fde2e1;font-weight:600}
.trace tr.ok td:first-child{color:#2b7a0b}.verdict-valid,.verdict-refused,.verdict-correct{color:#2b7a0b;font-weight:600}
.verdict-invalid,.verdict-false_plan,.verdict-false_refusal,.verdict-unparseable,.verdict-incorrect{color:#b3261e;font-weight:600}
figure{margin:10px 0;background:#fff;border:1px solid #ddd;padding:6px}figure svg{max-width:100%;height:auto}
figcaption{font-size:13px;font-weight:600}details{margin:6px 0}.muted{color:#777}
"""

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>__TITLE__</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>__STYLE__</style></head>
<body><header><h1>__TITLE__</h1><small id="generated"></small></header><main>
<section><h2>Overall</h2><p class="muted">Accuracy: right answers (valid plans; refusals where no plan exists) /
answered, each conversation's last answer (a vote run: the majority answer per instance, every answer's accuracy
beside it); Wilson 95% interval, clustered by instance with several answers per instance; the same figures as
report.md and the summary line. Every count opens its answers; headers sort.</p>
<div class="scroll"><table id="overall"></table></div></section>
<section><details id="runs"><summary><h2 id="runs-heading" style="display:inline">Runs: every setting</h2></summary>
<div class="cards" id="cards"></div></details></section>
<section><h2>Filters</h2><div class="filters" id="filters"></div></section>
<section><h2>Accuracy by optimal plan length</h2><div class="scroll"><table id="bylength"></table></div></section>
<section><h2>Answers</h2><div class="pager" id="pager"></div><div class="scroll"><table id="answers"></table></div>
<div id="answer" class="hidden"></div></section>
<section><h2>Figures</h2>__FIGURES__</section>
<section><h2>Tables of the Markdown report</h2><details><summary>show</summary>__SECTIONS__</details></section>
</main>
<script id="data" type="application/octet-stream">__DATA__</script>
<script>__SCRIPT__</script></body></html>
"""

SCRIPT = r"""
"use strict";
const START = {run: "", outcome: "", kind: "", encoding: "", blocks: "", length: "", round: "counted"};
let D = null, F = {...START}, PAGE = 0;
const SIZE = 200;
const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
const pct = v => (v === undefined || v === null || isNaN(v)) ? "n/a" : (100 * v).toFixed(1) + "%";
async function load() {
  const raw = Uint8Array.from(atob(document.getElementById("data").textContent.trim()), c => c.charCodeAt(0));
  const stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream("gzip"));
  D = JSON.parse(await new Response(stream).text());
  document.getElementById("generated").textContent = `planbench ${D.version}, ${D.generated}, ${D.items.length} answers`;
  cards(); filters(); render(); window.addEventListener("hashchange", route); route();
  if (D.runs.length <= 4) document.getElementById("runs").open = true;
}
function cards() {
  document.getElementById("cards").innerHTML = D.runs.map(r => `<div class="card"><h3>${esc(r.name)}</h3><dl>` +
    Object.entries(r.settings).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(typeof v === "object" ? JSON.stringify(v) : v)}</dd>`).join("") +
    (r.folder ? `<dt>folder</dt><dd>${esc(r.folder)}</dd>` : "") + (r.modified ? `<dt>answers of</dt><dd>${esc(r.modified)}</dd>` : "") +
    `</dl></div>`).join("");
}
function options(values, label) {
  return `<option value="">${label}: all</option>` + values.map(v => `<option value="${esc(v)}">${esc(v)}</option>`).join("");
}
function uniq(key) { return [...new Set(D.items.map(key).filter(v => v !== undefined && v !== null))].sort((a, b) => (a > b) - (a < b)); }
function filters() {
  const el = document.getElementById("filters");
  const defs = [["run", D.runs.map(r => r.name)], ["outcome", uniq(i => i.o)], ["kind", uniq(i => i.fk)],
    ["encoding", uniq(i => i.enc)], ["blocks", uniq(i => i.b)], ["length", uniq(i => i.L === undefined ? "no plan" : i.L)]];
  el.innerHTML = defs.map(([k, v]) => `<label>${k} <select data-f="${k}">${options(v, k)}</select></label>`).join("") +
    `<label>answers <select data-f="round"><option value="counted">those accuracy counts</option>` +
    `<option value="final">last of each conversation</option><option value="">every turn</option></select></label>` +
    `<button id="clear">clear</button>`;
  el.querySelectorAll("select").forEach(s => s.addEventListener("change", () => { F[s.dataset.f] = s.value; PAGE = 0; render(); }));
  document.getElementById("clear").addEventListener("click", () => setFilters({}));
}
function setFilters(values) {
  F = {...START, ...values}; PAGE = 0;
  document.querySelectorAll("#filters select").forEach(s => s.value = F[s.dataset.f] ?? "");
  render(); document.getElementById("answers").scrollIntoView({behavior: "smooth"});
}
function selected(extra = {}) {
  const f = {...F, ...extra};
  return D.items.filter(i => (f.round !== "final" || i.final) && (f.round !== "counted" || i.j) &&
    (!f.run || D.runs[i.r].name === f.run) && (!f.outcome || i.o === f.outcome) && (!f.kind || i.fk === f.kind) &&
    (!f.encoding || i.enc === f.encoding) && (!f.blocks || String(i.b) === String(f.blocks)) &&
    (!f.length || String(i.L === undefined ? "no plan" : i.L) === String(f.length)));
}
function link(count, values) {
  return count ? `<a href="javascript:void 0" data-set='${esc(JSON.stringify(values))}'>${count}</a>` : "0";
}
const OUTCOMES = ["valid", "invalid", "correct", "incorrect", "unparseable", "truncated", "no_response", "refused", "false_plan",
  "false_refusal"];
// The tables show the figures computed in Python (planbench.results.metrics), the same as
// report.md, summary.csv, results.json and the summary line: no accuracy or interval is
// computed here. The run filter picks the rows; counts open the answers they count.
function overall() {
  const rows = D.runs.filter(run => !F.run || run.name === F.run).map(run =>
    ({run: run.name, ...run.summary, right: run.summary.correct, done: run.done}));
  const has = key => rows.some(r => r[key] !== undefined);
  const incomplete = rows.some(r => r.done && r.done.complete === false);
  const cols = ["run", "n", "answered", "right", "accuracy", ...(has("answer_accuracy") ? ["per answer"] : []),
    ...(has("pass_at_k") ? ["pass@k"] : []), "optimal", ...OUTCOMES.filter(o => o !== "correct" && rows.some(r => r[o])),
    ...(incomplete ? ["complete"] : [])];
  table("overall", cols, rows, (r, c) => {
    if (c === "accuracy") return `${pct(r.accuracy)} <span class="muted">(${pct(r.ci_low)}–${pct(r.ci_high)})</span>`;
    if (c === "per answer") return r.answer_accuracy === undefined ? "" :
      `${pct(r.answer_accuracy)} <span class="muted">(${r.answer_correct}/${r.answers}; ${pct(r.answer_ci_low)}–${pct(r.answer_ci_high)})</span>`;
    if (c === "pass@k") return r.pass_at_k === undefined ? "" : `${pct(r.pass_at_k)} <span class="muted">(k=${r.samples}, ${r.instances} instances)</span>`;
    if (c === "complete") return !r.done || r.done.complete === undefined ? "" : r.done.complete ? "yes" : `incomplete: answered ${r.done.answered} of ${r.done.planned}`;
    if (c === "run") return esc(r.run);
    if (c === "right") return link(r.right, {run: r.run});
    if (OUTCOMES.includes(c)) return link(r[c], {run: r.run, outcome: c});
    if (c === "n" || c === "answered") return link(r[c], {run: r.run});
    return esc(r[c]);
  }, (r, c) => c === "per answer" ? r.answer_accuracy : c === "pass@k" ? r.pass_at_k : c === "complete" ? (r.done || {}).answered : r[c]);
}
const lengthOf = L => L === undefined || L === null ? "no plan" : L;
function bylength() {
  const runs = D.runs.filter(run => !F.run || run.name === F.run);
  const lengths = [...new Set(runs.flatMap(run => run.bylength.map(c => lengthOf(c.optimal_length))))].sort((a, b) =>
    (a === "no plan") - (b === "no plan") || a - b);
  const rows = runs.map(run => {
    const row = {run: run.name};
    run.bylength.forEach(c => { if (c.answered) row[lengthOf(c.optimal_length)] = c; });
    return row;
  }).filter(r => lengths.some(L => r[L]));
  table("bylength", ["run", ...lengths], rows, (r, c) => c === "run" ? esc(r.run) :
    (r[c] ? `${pct(r[c].accuracy)} (${link(r[c].correct, {run: r.run, length: String(c)})}/${link(r[c].answered, {run: r.run, length: String(c)})})` : ""),
    (r, c) => c === "run" ? r.run : (r[c] ? r[c].accuracy : -1));
}
const SORT = {};
function table(id, cols, rows, cell, key = (r, c) => r[c]) {
  const s = SORT[id];
  if (s) rows = [...rows].sort((a, b) => { const x = key(a, s.col), y = key(b, s.col); return (x > y ? 1 : x < y ? -1 : 0) * s.dir; });
  const el = document.getElementById(id);
  el.innerHTML = "<thead><tr>" + cols.map(c => `<th data-col="${esc(c)}" class="${s && String(s.col) === String(c) ? (s.dir > 0 ? "sorted-asc" : "sorted-desc") : ""}">${esc(c)}</th>`).join("") +
    "</tr></thead><tbody>" + rows.map(r => "<tr>" + cols.map(c => `<td>${cell(r, c)}</td>`).join("") + "</tr>").join("") + "</tbody>";
  el.querySelectorAll("th").forEach(th => th.addEventListener("click", () => {
    const col = cols.find(c => String(c) === th.dataset.col);
    SORT[id] = {col, dir: SORT[id] && SORT[id].col === col ? -SORT[id].dir : 1}; render();
  }));
  el.querySelectorAll("a[data-set]").forEach(a => a.addEventListener("click", () => setFilters(JSON.parse(a.dataset.set))));
}
function answers() {
  const all = selected();
  const pages = Math.max(1, Math.ceil(all.length / SIZE));
  PAGE = Math.min(PAGE, pages - 1);
  const shown = all.slice(PAGE * SIZE, (PAGE + 1) * SIZE);
  document.getElementById("pager").innerHTML = `${all.length} answers; page ${PAGE + 1} of ${pages} ` +
    `<button id="prev" ${PAGE ? "" : "disabled"}>previous</button><button id="next" ${PAGE < pages - 1 ? "" : "disabled"}>next</button>`;
  document.getElementById("prev").onclick = () => { PAGE--; answers(); };
  document.getElementById("next").onclick = () => { PAGE++; answers(); };
  const cols = ["run", "id", "sample", "round", "blocks", "optimal length", "outcome", "failure", "plan length"];
  const el = document.getElementById("answers");
  el.innerHTML = "<thead><tr>" + cols.map(c => `<th>${c}</th>`).join("") + "</tr></thead><tbody>" + shown.map(i =>
    `<tr><td>${esc(D.runs[i.r].name)}</td><td><a href="#${address(i)}">${esc(i.part)}/${esc(i.id)}</a></td><td>${i.s}</td><td>${i.t}</td>` +
    `<td>${esc(i.b)}</td><td>${esc(i.L ?? "no plan")}</td><td class="verdict-${esc(i.o)}">${esc(i.o)}</td><td>${esc(i.fk ?? "")}</td><td>${esc(i.pl ?? "")}</td></tr>`).join("") + "</tbody>";
}
function address(i) { return `${encodeURIComponent(D.runs[i.r].name)}/${encodeURIComponent(i.ref)}/${i.s}` + (i.final ? "" : `/${i.t}`); }
function render() { overall(); bylength(); answers(); }
function route() {
  const box = document.getElementById("answer");
  const parts = decodeURIComponent(location.hash.slice(1)).split("/");
  if (parts.length < 3) { box.className = "hidden"; return; }
  const [run, ref, sample, turn] = parts;
  const r = D.runs.findIndex(x => x.name === run);
  const conversation = D.items.filter(i => i.r === r && (i.ref === ref || String(i.id) === ref || `${i.part}:${i.id}` === ref) && String(i.s) === sample)
    .sort((a, b) => a.t - b.t);
  if (!conversation.length) { box.className = ""; box.innerHTML = `<p>No answer ${esc(location.hash)} in this report.</p>`; return; }
  const current = turn === undefined ? conversation[conversation.length - 1] : conversation.find(i => String(i.t) === turn) || conversation[0];
  box.className = "";
  box.innerHTML = view(current, conversation);
  box.scrollIntoView();
}
function marked(text, candidates) {
  if (!candidates || !candidates.length) return esc(text);
  const spans = [...candidates].sort((a, b) => a[0] - b[0]);
  let out = "", at = 0;
  for (const [start, end, kind, chosen] of spans) {
    if (start < at) continue;
    out += esc(text.slice(at, start)) + `<mark class="${chosen ? "plan" : "cand"}" title="${chosen ? "the plan read" : "another candidate (" + esc(kind) + ")"}">` + esc(text.slice(start, end)) + "</mark>";
    at = end;
  }
  return out + esc(text.slice(at));
}
function view(i, conversation) {
  const run = D.runs[i.r];
  const turns = conversation.length > 1 ? `<p>Conversation: ` + conversation.map(t =>
    `<a href="#${encodeURIComponent(run.name)}/${encodeURIComponent(t.ref)}/${t.s}/${t.t}">${t.t === i.t ? "<b>" : ""}round ${t.t} (${esc(t.o)})${t.t === i.t ? "</b>" : ""}</a>`).join(" · ") + `</p>` : "";
  const prompt = i.p !== undefined ? `<details><summary>Prompt</summary><pre>${esc(D.prompts[i.p])}</pre></details>` : "";
  const message = i.um ? `<h4>Message before this answer</h4><pre>${esc(i.um)}</pre>` : "";
  let walk = "<p class='muted'>No plan was read.</p>";
  const other = i.other !== undefined ? `<p>The two readings differ: ${esc(i.other)}.</p>` : "";
  if (i.walk) {
    walk = `<table class="trace"><tr><th>step</th><th>action</th><th>after it</th></tr><tr><td>start</td><td></td><td>${esc(i.walk.initial)}</td></tr>` +
      i.walk.steps.map(s => `<tr class="${s.ok ? "ok" : "fail"}"><td>${s.ok ? "" : "✗ "}${s.n}</td><td>${esc(s.text)}${s.text !== s.pddl ? ` <span class="muted">${esc(s.pddl)}</span>` : ""}</td><td>${esc(s.ok ? s.change : s.why)}</td></tr>`).join("") +
      (i.walk.end ? `<tr class="${i.walk.valid ? "ok" : "fail"}"><td>end</td><td colspan="2">${esc(i.walk.end)}</td></tr>` : "") + "</table>";
  }
  return `<h3 id="answer-title">${esc(run.name)}: ${esc(i.part)}/${esc(i.id)}, sample ${i.s}${conversation.length > 1 ? ", round " + i.t : ""}</h3>` +
    `<p>Verdict: <span class="verdict-${esc(i.o)}">${esc(i.o)}</span>${i.why ? " — " + esc(i.why) : ""}</p>` +
    `<p class="muted">${i.tk ? esc(i.tk) + "; " : ""}${esc(i.b)} blocks; optimal length ${esc(i.L ?? "none (no plan exists)")}; ${esc(i.enc)}${i.rec !== undefined ? "; PlanBench's recorded verdict: " + esc(i.rec) : ""}</p>` +
    turns + prompt + message + `<h4>Answer <span class="muted">(the plan read is marked)</span></h4><pre id="answer-text">${marked(i.a ?? "", i.cand)}</pre>` +
    other + (i.tk ? "" : `<h4>The validator's walk</h4>${walk}`) + `<p><a href="#">close</a></p>`;
}
load();
"""
