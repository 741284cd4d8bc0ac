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
