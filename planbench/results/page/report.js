"use strict";
// report.html's script. Every figure it shows (accuracy, intervals, pass@k, cost, the paired
// comparisons) was computed in Python (planbench.results.metrics and .compare) and is embedded
// in the page; the script computes none, it only picks rows, counts the answers a filter
// selects, and draws tables.
const START = {run: "", outcome: "", kind: "", encoding: "", blocks: "", length: "", round: "counted", q: ""};
let D = null, F = {...START}, PAGE = 0, PAIR = null;
const SIZE = 200;
const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
const pct = v => (v === undefined || v === null || isNaN(v)) ? "n/a" : (100 * v).toFixed(1) + "%";
const signed = v => (v === undefined || v === null || isNaN(v)) ? "n/a" : (v >= 0 ? "+" : "") + (100 * v).toFixed(1);
// As planbench.results.metrics.dollars: $0.0070, $1,234 from $100 up, $0.0000025 below $0.0001.
const dollars = v => (v === undefined || v === null || isNaN(v)) ? "n/a" :
  (v = Number(v.toFixed(10))) >= 100 ? "$" + Math.round(v).toLocaleString("en-US") :  // rounded first, as metrics.dollars
  v > 0 && v < 0.0001 ? "$" + v.toFixed(Math.min(20, 1 - Math.floor(Math.log10(v)))) : "$" + v.toFixed(4);
const pvalue = p => p >= 0.001 ? Number(p.toPrecision(2)).toString() : p.toExponential(1);

async function load() {
  const raw = Uint8Array.from(atob(document.getElementById("data").textContent.trim()), c => c.charCodeAt(0));
  const stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream("gzip"));
  D = JSON.parse(await new Response(stream).text());
  D.items.forEach((item, n) => item.n = n);
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

// ------------------------------------------------------------------ filters
function options(values, label) {
  return `<option value="">${label}: all</option>` + values.map(v => `<option value="${esc(v)}">${esc(v)}</option>`).join("");
}
function uniq(key) {
  return [...new Set(D.items.map(key).filter(v => v !== undefined && v !== null))]
    .sort((a, b) => (typeof a === "number" && typeof b === "number") ? a - b : String(a).localeCompare(String(b), "en", {numeric: true}));
}
function filters() {
  const el = document.getElementById("filters");
  const defs = [["run", D.runs.map(r => r.name)], ["outcome", uniq(i => i.o)], ["kind", uniq(i => i.fk)],
    ["encoding", uniq(i => i.enc)], ["blocks", uniq(i => i.b)], ["length", uniq(i => i.L === undefined ? "no plan" : i.L)]];
  el.innerHTML = defs.map(([k, v]) => `<label>${k} <select data-f="${k}">${options(v, k)}</select></label>`).join("") +
    `<label>answers <select data-f="round"><option value="counted">those accuracy counts</option>` +
    `<option value="final">last of each conversation</option><option value="">every turn</option></select></label>` +
    `<label>search <input type="search" id="search" data-f="q" placeholder="words in the answers" size="22"></label>` +
    `<button id="clear">clear</button><span id="share" class="share"></span>`;
  el.querySelectorAll("select").forEach(s => s.addEventListener("change", () => { F[s.dataset.f] = s.value; PAGE = 0; render(); }));
  let timer = null;
  document.getElementById("search").addEventListener("input", e => {
    clearTimeout(timer);
    timer = setTimeout(() => { F.q = e.target.value; PAGE = 0; render(); }, 150);
  });
  document.getElementById("clear").addEventListener("click", () => setFilters({}));
}
function setFilters(values) {
  F = {...START, ...values}; PAGE = 0;
  document.querySelectorAll("#filters [data-f]").forEach(s => s.value = F[s.dataset.f] ?? "");
  render(); document.getElementById("answers").scrollIntoView({behavior: "smooth"});
}
// Search reads the answers as the models wrote them (lower-cased once, when first searched).
const lower = i => i.lc ?? (i.lc = (i.a ?? "").toLowerCase());
function selected(extra = {}) {
  const f = {...F, ...extra};
  const q = (f.q || "").trim().toLowerCase();
  return D.items.filter(i => (f.round !== "final" || i.final) && (f.round !== "counted" || i.j) &&
    (!f.run || D.runs[i.r].name === f.run) && (!f.outcome || i.o === f.outcome) && (!f.kind || i.fk === f.kind) &&
    (!f.encoding || i.enc === f.encoding) && (!f.blocks || String(i.b) === String(f.blocks)) &&
    (!f.length || String(i.L === undefined ? "no plan" : i.L) === String(f.length)) && (!q || lower(i).includes(q)));
}
// Filters other than the run pick answers; they never change a run's accuracy (computed in
// Python over the answers it counts). What they pick is said as a share of the answers in view.
const narrowing = () => ["outcome", "kind", "encoding", "blocks", "length", "q"].some(k => F[k]);
function share(all) {
  const pool = selected({outcome: "", kind: "", encoding: "", blocks: "", length: "", q: ""});
  const what = F.round === "counted" ? "answers accuracy counts" : F.round === "final" ? "last answers" : "answers (every turn)";
  document.getElementById("share").innerHTML = narrowing() ?
    `selects <b>${all.length.toLocaleString("en-US")}</b> of ${pool.length.toLocaleString("en-US")} ${what}` +
    `${F.run ? " of " + esc(F.run) : ""} (<b>${pct(pool.length ? all.length / pool.length : NaN)}</b>)` :
    `${pool.length.toLocaleString("en-US")} ${what}${F.run ? " of " + esc(F.run) : ""}`;
}
function link(count, values) {
  return count ? `<a href="javascript:void 0" data-set='${esc(JSON.stringify(values))}'>${count}</a>` : "0";
}

// ------------------------------------------------------------------ tables
const OUTCOMES = ["valid", "invalid", "correct", "incorrect", "unparseable", "truncated", "no_response", "refused", "false_plan",
  "false_refusal"];
const shownRuns = () => D.runs.filter(run => !F.run || run.name === F.run);
function costCell(r, key) {
  if (r.cost_known === false) return `<span class="muted">cost unknown</span>`;
  return r[key] === undefined ? "" : dollars(r[key]);
}
function overall(picked) {
  // What a run's cost is divided by: task 1's valid plans, tasks 2-8's right answers (as the summary line says)
  const tasks = shownRuns().map(run => (run.settings.task || "t1") === "t1");
  const PER_RIGHT = tasks.every(t => t) ? "per valid plan" : tasks.some(t => t) ? "per valid plan / right answer" : "per right answer";
  const counts = {};
  if (narrowing()) picked.forEach(i => counts[i.r] = (counts[i.r] || 0) + 1);
  const pools = {};
  if (narrowing()) selected({run: "", outcome: "", kind: "", encoding: "", blocks: "", length: "", q: ""}).forEach(i => pools[i.r] = (pools[i.r] || 0) + 1);
  const rows = shownRuns().map(run => {
    const r = D.runs.indexOf(run);
    return {run: run.name, ...run.summary, right: run.summary.correct, done: run.done, picked: counts[r] || 0, pool: pools[r] || 0,
            blank: run.blank || []};
  });
  const has = key => rows.some(r => r[key] !== undefined);
  const incomplete = rows.some(r => r.done && r.done.complete === false);
  const priced = rows.some(r => r.cost !== undefined || r.cost_known === false);
  const cols = ["run", "n", "answered", "right", "accuracy", ...(has("answer_accuracy") ? ["per answer"] : []),
    ...(has("pass_at_k") ? ["pass@k"] : []), ...(rows.every(r => r.blank.includes("optimal")) ? [] : ["optimal"]), ...OUTCOMES.filter(o => o !== "correct" && rows.some(r => r[o])),
    ...(has("recorded_accuracy") ? ["recorded", "agreement"] : []),  // as report.md: ours beside PlanBench's verdicts
    ...(priced ? ["cost", "per instance", PER_RIGHT] : []), ...(incomplete ? ["complete"] : []),
    ...(narrowing() ? ["selected"] : [])];
  // A count that means nothing for a run's task is blank, not 0 (a t7 run has no "valid" answers: its states are correct or incorrect)
  table("overall", cols, rows, (r, c) => {
    if (r.blank.includes(c)) return "";
    if (c === "accuracy") return `${pct(r.accuracy)} <span class="muted">(${pct(r.ci_low)}–${pct(r.ci_high)})</span>`;
    if (c === "per answer") return r.answer_accuracy === undefined ? "" :
      `${pct(r.answer_accuracy)} <span class="muted">(${r.answer_correct}/${r.answers}; ${pct(r.answer_ci_low)}–${pct(r.answer_ci_high)})</span>`;
    if (c === "pass@k") return r.pass_at_k === undefined ? "" : `${pct(r.pass_at_k)} <span class="muted">(k=${r.samples}, ${r.instances} instances)</span>`;
    if (c === "complete") return !r.done || r.done.complete === undefined ? "" : r.done.complete ? "yes" : `incomplete: answered ${r.done.answered} of ${r.done.planned}`;
    if (c === "recorded") return r.recorded_accuracy === undefined ? "" : pct(r.recorded_accuracy);
    if (c === "agreement") return r.agreement === undefined ? "" : pct(r.agreement);
    if (c === "cost") return costCell(r, "cost");
    if (c === "per instance") return costCell(r, "cost_per_instance");
    if (c === PER_RIGHT) return costCell(r, "cost_per_valid");
    if (c === "selected") return `${link(r.picked, {...F, run: r.run})} <span class="muted">(${pct(r.pool ? r.picked / r.pool : NaN)})</span>`;
    if (c === "run") return esc(r.run);
    if (c === "right") return link(r.right, {run: r.run});
    if (OUTCOMES.includes(c)) return link(r[c], {run: r.run, outcome: c});
    if (c === "n" || c === "answered") return link(r[c], {run: r.run});
    return esc(r[c]);
  }, (r, c) => ({"per answer": r.answer_accuracy, "pass@k": r.pass_at_k, "recorded": r.recorded_accuracy,
    "agreement": r.agreement, "complete": (r.done || {}).answered, "cost": r.cost,
    "per instance": r.cost_per_instance, [PER_RIGHT]: r.cost_per_valid, "selected": r.picked}[c] ?? r[c]));
}
const lengthOf = L => L === undefined || L === null ? "no plan" : L;
function bylength() {
  const runs = shownRuns();
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
// The Markdown report's other tables (cost, rounds, vote, problems with no plan...): static
// HTML with a row per run; the run filter shows its row.
function sections() {
  document.querySelectorAll("table.section tr[data-run]").forEach(tr => tr.hidden = !!F.run && tr.dataset.run !== F.run);
  document.querySelectorAll("#cards .card").forEach((card, r) => card.hidden = !!F.run && D.runs[r].name !== F.run);
}

// ------------------------------------------------------------------ figures
// Every artist of a run carries the id "<figure>.run<index>.<n>" (planbench.results.plots; a
// legend entry of several runs "<figure>.key.run2.run5.<n>"), so the run filter shows that
// run's lines, points, bars and legend entries and hides the others'.
function figures() {
  const want = F.run ? D.runs.findIndex(r => r.name === F.run) : -1;
  document.querySelectorAll("figure svg [id*='.run']").forEach(el => {
    const runs = [...el.id.matchAll(/\.run(\d+)(?=\.)/g)].map(m => Number(m[1]));
    if (runs.length) el.style.display = want < 0 || runs.includes(want) ? "" : "none";
  });
}

// ------------------------------------------------------------------ comparison
let PAIRS = null;  // "a,b" (a < b) -> the pair
function pairOf(a, b) {
  if (!PAIRS) PAIRS = new Map(D.pairs.map(p => [`${p.a},${p.b}`, p]));
  return PAIRS.get(`${Math.min(a, b)},${Math.max(a, b)}`);
}
// Runs that pair, directly or through others (the same instances, the same task): one grid each.
function pairedGroups() {
  const root = D.runs.map((run, r) => r);
  const find = r => root[r] === r ? r : (root[r] = find(root[r]));
  D.pairs.forEach(p => { root[find(p.a)] = find(p.b); });
  const groups = new Map();
  new Set(D.pairs.flatMap(p => [p.a, p.b])).forEach(r => groups.set(find(r), [...(groups.get(find(r)) || []), r]));
  return [...groups.values()].map(g => g.sort((a, b) => a - b)).sort((x, y) => x[0] - y[0]);
}
// A square grid per group, a row and a column per run: the cell of A's row and B's column is
// A − B (the pair's difference, its sign turned where A comes later) with McNemar's p (the
// same either way round); it opens the pair as planbench compare prints it.
function grid() {
  const el = document.getElementById("grids");
  if (!D.pairs.length) {
    document.getElementById("compare-section").hidden = true;
    return;
  }
  const want = F.run ? D.runs.findIndex(r => r.name === F.run) : -1;
  const what = g => [...new Set(g.map(r => [D.runs[r].settings.set, D.runs[r].settings.task].filter(Boolean).join(" · ")))].join(", ");
  el.innerHTML = pairedGroups().filter(g => want < 0 || g.includes(want)).map(group => {
    const runs = group.filter(r => want < 0 || r === want || pairOf(r, want));
    const cols = want < 0 ? runs : [want];
    const number = r => runs.indexOf(r) + 1;
    return `<h3 class="group">${runs.length} runs: ${esc(what(runs))}</h3><div class="scroll"><table class="grid"><thead><tr><th>A</th>` +
      cols.map(b => `<th title="${esc(D.runs[b].name)}">B = ${number(b)}</th>`).join("") +
      "</tr></thead><tbody>" + runs.map(a => `<tr><td>${number(a)}. ${esc(D.runs[a].name)}</td>` + cols.map(b => {
        const pair = a !== b ? pairOf(a, b) : null;
        if (!pair) return `<td class="muted">${a === b ? "—" : ""}</td>`;
        const all = pair.rows[0], d = a < b ? all.d : -all.d;
        const mark = all.p < 0.05 ? (d > 0 ? "up" : "down") : "";
        return `<td class="cell ${mark}"><a href="javascript:void 0" data-pair="${a},${b}" title="${esc(D.runs[a].name)} − ${esc(D.runs[b].name)}">` +
          `${signed(d)} <span class="muted">p ${pvalue(all.p)}</span></a></td>`;
      }).join("") + "</tr>").join("") + "</tbody></table></div>";
  }).join("");
  el.querySelectorAll("a[data-pair]").forEach(a => a.addEventListener("click", () => {
    PAIR = a.dataset.pair.split(",").map(Number); comparison();
    document.getElementById("compare").scrollIntoView({behavior: "smooth"});
  }));
}
function comparison() {
  const el = document.getElementById("compare");
  const want = F.run ? D.runs.findIndex(r => r.name === F.run) : -1;
  if (!PAIR || (want >= 0 && !PAIR.includes(want))) {  // the run filter: a pair of that run
    const first = D.pairs.find(p => want < 0 || p.a === want || p.b === want);
    PAIR = first ? [first.a, first.b] : null;
  }
  const pair = PAIR && pairOf(...PAIR);
  if (!pair) { el.innerHTML = want >= 0 ? `<p class="muted">${esc(F.run)} has no answers in common with another run.</p>` : ""; return; }
  const turned = PAIR[0] > PAIR[1] ? `<p class="muted">(shown as ${esc(D.runs[pair.a].name)} against ${esc(D.runs[pair.b].name)}: A is the run the report lists first, as planbench compare A B would print it.)</p>` : "";
  const [A, B] = [D.runs[pair.a].name, D.runs[pair.b].name];
  const choose = (id, chosen) => `<select id="${id}">` + D.runs.map((run, r) =>
    `<option value="${r}" ${r === chosen ? "selected" : ""}>${esc(run.name)}</option>`).join("") + "</select>";
  const rows = pair.rows.map(r => `<tr><td>${esc(r.group)}</td><td>${r.n}</td><td>${pct(r.A)}</td><td>${pct(r.B)}</td>` +
    `<td>${signed(r.d)}</td><td>${r.lo === undefined || r.lo === null ? "n/a" : signed(r.lo) + " to " + signed(r.hi)}</td>` +
    `<td>${r.ao}</td><td>${r.bo}</td><td>${pvalue(r.p)}</td></tr>`).join("");
  const answers = (list, right, wrong) => `<details class="discordant"><summary>${list.length} instance(s): right in ${esc(right)}, ` +
    `wrong in ${esc(wrong)}</summary><p class="instances">` + list.map(([x, y]) => {
      const i = D.items[x ?? y];
      return `<span>${esc(i.part)}/${esc(i.id)}: ` + [[x, "A"], [y, "B"]].map(([n, side]) =>
        n === null || n === undefined ? side : `<a href="#${address(D.items[n])}">${side}</a>`).join(" · ") + "</span>";
    }).join("") + "</p></details>";
  el.innerHTML = `<p>A ${choose("pick-a", pair.a)} against B ${choose("pick-b", pair.b)}</p>` +
    turned + `<p class="muted">A = ${esc(A)}; B = ${esc(B)}. ${esc(pair.pairs)}${pair.left_out.length ? "; left out: " + esc(pair.left_out.join("; ")) : ""}.</p>` +
    `<div class="scroll"><table id="paired"><thead><tr><th>group</th><th>pairs</th><th>A</th><th>B</th><th>A−B</th>` +
    `<th>95% CI (paired bootstrap)</th><th>A only</th><th>B only</th><th>McNemar p</th></tr></thead><tbody>${rows}</tbody></table></div>` +
    answers(pair.a_only, "A", "B") + answers(pair.b_only, "B", "A");
  const picked = () => {
    const a = Number(document.getElementById("pick-a").value), b = Number(document.getElementById("pick-b").value);
    if (a !== b && pairOf(a, b)) { PAIR = [a, b]; comparison(); }
    else el.querySelector("p").insertAdjacentHTML("beforeend", ` <span class="muted">(no answers in common)</span>`);
  };
  document.getElementById("pick-a").addEventListener("change", picked);
  document.getElementById("pick-b").addEventListener("change", picked);
}

// ------------------------------------------------------------------ answers
function answers(all) {
  const pages = Math.max(1, Math.ceil(all.length / SIZE));
  PAGE = Math.min(PAGE, pages - 1);
  const shown = all.slice(PAGE * SIZE, (PAGE + 1) * SIZE);
  document.getElementById("pager").innerHTML = `${all.length} answers; page ${PAGE + 1} of ${pages} ` +
    `<button id="prev" ${PAGE ? "" : "disabled"}>previous</button><button id="next" ${PAGE < pages - 1 ? "" : "disabled"}>next</button>`;
  document.getElementById("prev").onclick = () => { PAGE--; answers(all); };
  document.getElementById("next").onclick = () => { PAGE++; answers(all); };
  const cols = ["run", "id", "sample", "round", "blocks", "optimal length", "outcome", "failure", "plan length"];
  const el = document.getElementById("answers");
  el.innerHTML = "<thead><tr>" + cols.map(c => `<th>${c}</th>`).join("") + "</tr></thead><tbody>" + shown.map(i =>
    `<tr><td>${esc(D.runs[i.r].name)}</td><td><a href="#${address(i)}">${esc(i.part)}/${esc(i.id)}</a></td><td>${i.s}</td><td>${i.t}</td>` +
    `<td>${esc(i.b)}</td><td>${esc(i.L ?? "no plan")}</td>${outcomeCell(i)}<td>${esc(i.fk ?? "")}</td><td>${esc(i.pl ?? "")}</td></tr>`).join("") + "</tbody>";
}
// A task's answer is coloured right or wrong by its task's rule: t2's valid plan longer than
// optimal is wrong, and says so (it read as a green "valid").
function outcomeCell(i) {
  if (!i.tk) return `<td class="verdict-${esc(i.o)}">${esc(i.o)}</td>`;
  const text = i.o === "valid" && !i.c ? "valid, not optimal" : i.o;
  return `<td class="verdict-${i.c ? "correct" : "incorrect"}">${esc(text)}</td>`;
}
// An answer's address: run/id/sample[/round], or run/part/id/sample[/round] where the id is in two parts
// (planbench-600), as planbench show takes PART/ID. Each part encoded alone, so a name may hold a "/".
function address(i, round) {
  const ref = String(i.ref).split("/").map(encodeURIComponent).join("/");
  return `${encodeURIComponent(D.runs[i.r].name)}/${ref}/${i.s}` + (i.final && !round ? "" : `/${i.t}`);
}
function render() {
  const picked = selected();
  share(picked); overall(picked); bylength(); grid(); comparison(); sections(); figures(); answers(picked);
  if (location.hash.length > 1) route(false);
}
function route(scroll = true) {
  const box = document.getElementById("answer");
  const parts = location.hash.slice(1).split("/").map(decodeURIComponent);
  if (parts.length < 3) { box.className = "hidden"; return; }
  const r = D.runs.findIndex(x => x.name === parts[0]);
  const inPart = parts.length >= 4 && D.items.some(i => i.r === r && i.part === parts[1]);  // run/part/id/sample
  const ref = inPart ? `${parts[1]}/${parts[2]}` : parts[1];
  const [sample, turn] = parts.slice(inPart ? 3 : 2);
  const conversation = D.items.filter(i => i.r === r && (i.ref === ref || String(i.id) === ref || `${i.part}:${i.id}` === ref
                                                      || `${i.part}/${i.id}` === ref) && String(i.s) === sample)
    .sort((a, b) => a.t - b.t);
  if (!conversation.length) { box.className = ""; box.innerHTML = `<p>No answer ${esc(location.hash)} in this report.</p>`; return; }
  const current = turn === undefined ? conversation[conversation.length - 1] : conversation.find(i => String(i.t) === turn) || conversation[0];
  box.className = "";
  box.innerHTML = view(current, conversation);
  if (scroll) box.scrollIntoView();
}
// The next answer after this one, in the order of the list and within its filters, that is
// not right; past the end of the list, the first.
function nextFailing(current) {
  const list = selected();
  const failing = i => !i.c && i.n !== current.n;
  const at = list.findIndex(i => i.n === current.n);
  const after = at >= 0 ? list.slice(at + 1) : list.filter(i => i.n > current.n);
  return after.find(failing) || list.find(failing);
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
function problem(i) {
  const p = i.k === undefined ? null : D.instances[i.k];
  if (!p) return "";
  const plan = p.plan ? `<details id="optimal-plan"><summary>An optimal plan (${p.plan.length} steps)</summary><ol>` +
    p.plan.map(step => `<li>${esc(step)}</li>`).join("") + "</ol></details>" : "";
  return `<p id="goal"><b>Goal:</b> ${esc(p.goal)}</p>` +
    (p.none ? `<p id="no-plan"><b>No plan exists:</b> ${esc(p.none)}.</p>` : "") + plan;
}
function verdict(i) {
  // A task's answer is right or wrong by that task's rule (t2: a valid plan longer than
  // optimal is wrong), which the outcome alone does not say; plan generation's outcome does.
  const why = i.why ? " — " + esc(i.why) : "";
  if (i.tk) return `<p>Verdict: <span class="verdict-${i.c ? "correct" : "incorrect"}">${i.c ? "right" : "wrong"}</span>` +
    ` <span class="muted">(${esc(i.o)})</span>${why}</p>`;
  return `<p>Verdict: <span class="verdict-${esc(i.o)}">${esc(i.o)}</span>${why}</p>`;
}
// A task 2-8 answer: what it was judged against (the goal and an optimal plan, the right
// verdict, the true state), in the encoding's words, as planbench show prints it.
function judged(i) {
  if (!i.judged || !i.judged.length) return "";
  return `<h4>Judged against</h4><table id="judged" class="judged">` +
    i.judged.map(([label, text]) => `<tr><th>${esc(label)}</th><td>${esc(text)}</td></tr>`).join("") + "</table>";
}
function view(i, conversation) {
  const run = D.runs[i.r];
  const turns = conversation.length > 1 ? `<p>Conversation: ` + conversation.map(t =>
    `<a href="#${address(t, true)}">${t.t === i.t ? "<b>" : ""}round ${t.t} (${esc(t.o)})${t.t === i.t ? "</b>" : ""}</a>`).join(" · ") + `</p>` : "";
  const prompt = i.p !== undefined ? `<details><summary>Prompt</summary><pre>${esc(D.prompts[i.p])}</pre></details>` : "";
  const message = i.um ? `<h4>Message before this answer</h4><pre>${esc(i.um)}</pre>` : "";
  let walk = "<p class='muted'>No plan was read.</p>";
  const other = i.other !== undefined ? `<p>The two readings differ: ${esc(i.other)}.</p>` : "";
  if (i.walk) {
    walk = `<table class="trace"><tr><th>step</th><th>action</th><th>after it</th></tr><tr><td>start</td><td></td><td>${esc(i.walk.initial)}</td></tr>` +
      i.walk.steps.map(s => `<tr class="${s.ok ? "ok" : "fail"}"><td>${s.ok ? "" : "✗ "}${s.n}</td><td>${esc(s.text)}${s.text !== s.pddl ? ` <span class="muted">${esc(s.pddl)}</span>` : ""}</td><td>${esc(s.ok ? s.change : s.why)}</td></tr>`).join("") +
      (i.walk.end ? `<tr class="${i.walk.valid ? "ok" : "fail"}"><td>end</td><td colspan="2">${esc(i.walk.end)}</td></tr>` : "") + "</table>";
  }
  const next = nextFailing(i);
  const nav = `<p class="nav">${next ? `<a class="next-failing" href="#${address(next)}">next failing answer →</a> ` +
    `<span class="muted">(${esc(D.runs[next.r].name)}: ${esc(next.part)}/${esc(next.id)}, ${esc(next.o)}; in the answers listed)</span>` :
    "<span class='muted'>no other failing answer in the answers listed</span>"} · <a href="#">close</a></p>`;
  // a task's question may ask for another plan than the instance's (t4: a prefix); "judged against" gives its length
  const length = i.L === undefined || i.L === null ? "no plan exists" : `${i.tk ? "the instance's " : ""}optimal length ${esc(i.L)}`;
  return nav + `<h3 id="answer-title">${esc(run.name)}: ${esc(i.part)}/${esc(i.id)}, sample ${i.s}${conversation.length > 1 ? ", round " + i.t : ""}</h3>` +
    verdict(i) +
    `<p class="muted">${i.tk ? esc(i.tk) + "; " : ""}${esc(i.b)} blocks${i.tk && i.L === undefined ? "" : "; " + length}; ${esc(i.enc)}${i.rec !== undefined ? "; PlanBench's recorded verdict: " + esc(i.rec) : ""}</p>` +
    problem(i) + turns + prompt + message + `<h4>Answer${i.cand && i.cand.length ? ' <span class="muted">(the plan read is marked)</span>' : ""}</h4><pre id="answer-text">${marked(i.a ?? "", i.cand)}</pre>` +
    other + (i.tk ? judged(i) + (i.walk ? `<h4>The validator's walk</h4>${walk}` : "") : `<h4>The validator's walk</h4>${walk}`) + nav;
}
load();
