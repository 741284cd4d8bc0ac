"""report.html's views as a researcher uses them, in headless Chromium (issue 20, items 5, 7,
12, 13 and 15): filters that say what they select and leave accuracy alone, the run filter
on every table and figure, search over answers, the answer view of a plan for a problem with
no plan, the comparison view against ``planbench compare``, legends off the data, and cost on
the front page. Every figure checked is counted here by hand or printed by the CLI.

Runs: written by hand (tests/handmade.py), PlanBench's GPT-4o-mini answers to its unsolvable
problems (imported from the reference data), and real runs against the test server."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from chromium import browser, open_page, pytestmark  # noqa: F401 - the fixture, the helper, the skip
from conftest import ref_path
from handmade import hand_made_run
from openai_server import OpenAIServer
from planbench.results.metrics import dollars
from planbench.sets.instances import load_set
from planbench.world import encodings

INSTANCES = load_set("planbench-3").scored()
FIRST_SIX = [instance.id for instance in INSTANCES[:6]]
UNSOLVABLE = "responses/unsolvable_blocksworld/gpt-4o-mini-2024-07-18_chat/task_1_plan_generation_zero_shot.json"
UNS = "gpt-4o-mini-2024-07-18-unsolvable_blocksworld-zero-shot"  # the imported run's name
BLOCKSWORLD = encodings.get("blocksworld")


def planbench(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "planbench", *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "OPENAI_API_KEY": "sk-test-views", **(env or {})})
    assert done.returncode == 0, done.stderr
    return done


def alpha_right(instance, sample=0) -> bool:
    return instance.id <= 60


def beta_right(instance, sample=0) -> bool:
    return instance.id % 2 == 0


def vote_right(instance, sample) -> bool:
    return sample < (2 if FIRST_SIX.index(instance.id) < 4 else 1)


@pytest.fixture(scope="module")
def hand(tmp_path_factory) -> Path:
    """Four runs, reported together: alpha (right on ids 1-60), beta (right on even ids), a
    3-answer vote on six instances (the majority right on four), and PlanBench's GPT-4o-mini
    on its 100 unsolvable problems (a plan every time: 100 false plans)."""
    folder = tmp_path_factory.mktemp("hand")
    hand_made_run(folder / "alpha", alpha_right)
    hand_made_run(folder / "beta", beta_right)
    hand_made_run(folder / "vote", vote_right, samples=3, strategy="vote", count=6)
    planbench("import", str(ref_path(*UNSOLVABLE.split("/"))), "--out", str(folder / "uns"))
    planbench("report", *(str(folder / n) for n in ("alpha", "beta", "vote", "uns")), "--out", str(folder / "report"))
    return folder


def table(page, selector: str) -> dict[str, dict[str, str]]:
    """A table's rows by their first cell, each as header -> text."""
    header = [th.inner_text() for th in page.locator(f"{selector} thead th").all()]
    return {row.locator("td").first.inner_text(): dict(zip(header, [td.inner_text() for td in row.locator("td").all()]))
            for row in page.locator(f"{selector} tbody tr").all() if row.is_visible()}


def choose(page, name: str, value: str) -> None:
    page.select_option(f"select[data-f='{name}']", value)


# ------------------------------------------------------------------ 5. filters


def test_filters_leave_accuracy_alone_and_say_what_they_select(browser, hand) -> None:
    """outcome = invalid: every run's accuracy stays what it is; 'selected' gives each run's
    invalid answers and their share of its counted answers; the bar says how many of all
    (before: the page filtered the answers and said nothing of the share)."""
    page, errors, _ = open_page(browser, hand / "report" / "report.html")
    before = {run: cells["accuracy"] for run, cells in table(page, "#overall").items()}
    choose(page, "outcome", "invalid")
    page.wait_for_function("document.querySelector('#overall thead').textContent.includes('selected')")
    after = table(page, "#overall")
    assert {run: cells["accuracy"] for run, cells in after.items()} == before
    invalid = {"alpha": sum(not alpha_right(i) for i in INSTANCES), "beta": sum(not beta_right(i) for i in INSTANCES),
               "vote": 2, UNS: 0}  # the vote: its majority answer, wrong on two of six; no plan: false plans
    counted = {"alpha": 100, "beta": 100, "vote": 6, UNS: 100}
    for run, count in invalid.items():
        assert after[run]["selected"] == f"{count} ({100 * count / counted[run]:.1f}%)"
    total, pool = sum(invalid.values()), sum(counted.values())
    assert page.locator("#share").inner_text() == (f"selects {total} of {pool} answers accuracy counts "
                                                   f"({100 * total / pool:.1f}%)")
    assert page.locator("#pager").inner_text().startswith(f"{total} answers")
    assert not errors


def test_the_run_filter_reaches_every_table_and_figure(browser, hand) -> None:
    """run = beta: one row in the overall and length tables and in every other table with a
    run column; in the figures only beta's lines, points, bars and legend entries show; the
    comparison grid keeps the runs that pair with beta."""
    page, errors, _ = open_page(browser, hand / "report" / "report.html")
    shown_before = page.evaluate("document.querySelectorAll(\"figure svg [id*='.run']\").length")
    choose(page, "run", "beta")
    assert list(table(page, "#overall")) == ["beta"] and list(table(page, "#bylength")) == ["beta"]
    sections = page.locator("table.section tr[data-run]")
    visible = [row.get_attribute("data-run") for row in sections.all() if row.is_visible()]
    assert sections.count() > len(visible) and set(visible) == {"beta"}
    drawn = page.evaluate("""[...document.querySelectorAll("figure svg [id*='.run']")].map(el =>
        [el.id, getComputedStyle(el).display !== 'none'])""")
    assert len(drawn) == shown_before
    beta = 1  # the report's second run
    for gid, visible in drawn:
        runs = [int(n) for n in re.findall(r"\.run(\d+)(?=\.)", gid)]
        assert visible == (beta in runs), gid
    assert any(visible for _, visible in drawn)
    grid = [row.split(". ", 1)[1] for row in table(page, ".grid")]
    assert grid == ["alpha", "beta", "vote"]  # the unsolvable run shares no instance with beta
    assert not errors


def test_search_over_the_answers(browser, hand) -> None:
    """Words typed in the search box pick the answers that contain them, as written (case
    aside): 'stack the red block' in every answer of every run, then in alpha's, counted
    here in the runs' own responses."""
    def containing(run: str) -> int:
        return sum("stack the red block" in json.loads(line)["text"].lower()
                   for line in (hand / run / "responses.jsonl").read_text().splitlines())

    page, errors, _ = open_page(browser, hand / "report" / "report.html")
    choose(page, "round", "")  # every answer, each sample of the vote too
    page.fill("#search", "Stack the RED block")
    expected = sum(containing(run) for run in ("alpha", "beta", "vote", "uns"))
    assert 0 < expected < 306
    page.wait_for_function(f"document.querySelector('#pager').textContent.startsWith('{expected} answers')")
    choose(page, "run", "alpha")
    assert page.locator("#pager").inner_text().startswith(f"{containing('alpha')} answers")
    assert page.locator("#share").inner_text() == (f"selects {containing('alpha')} of 100 answers (every turn) of alpha "
                                                   f"({containing('alpha'):.1f}%)")
    assert not errors


# ------------------------------------------------------------------ 7. the answer view


def test_a_plan_for_a_problem_with_no_plan_shows_its_walk_and_why_none_exists(browser, hand) -> None:
    """GPT-4o-mini's false plan for unsolvable problem 10: the validator's walk (before: "No
    plan was read."), the goal, and why no plan exists naming the goal atom PlanBench added
    to make it so (its labels); "no plan exists" where the page said "optimal length None".
    planbench show says the same."""
    instance = load_set("planbench-unsolvable").find("planbench-unsolvable", 10)
    added = BLOCKSWORLD.atom_to_text(("on", *instance.unsolvable["added"]))
    page, errors, _ = open_page(browser, hand / "report" / "report.html", f"#{UNS}/10/0")
    page.wait_for_selector("#answer-title")
    view = page.locator("#answer")
    assert "false_plan" in view.inner_text() and "None" not in view.inner_text()
    assert "no plan exists" in view.locator("p.muted").first.inner_text()
    assert page.locator(".trace tr.fail").count() == 1 and page.locator(".trace tr").count() >= 3
    why = page.locator("#no-plan").inner_text()
    assert added in why and ("two blocks on one" in why or "in two places" in why or "in a cycle" in why)
    assert page.locator("#goal").inner_text() == "Goal: " + " and ".join(
        BLOCKSWORLD.atom_to_text(a) for a in instance.problem.goal)
    assert page.locator("#optimal-plan").count() == 0
    shown = planbench("show", str(hand / "uns"), "10").stdout
    assert "no plan exists" in shown and "optimal length None" not in shown and added in shown
    assert not errors


def test_answers_in_id_order_an_optimal_plan_and_the_next_failing_answer(browser, hand) -> None:
    """alpha's answers list as numbers sort (1, 2, 3 ... 10, not 1, 10, 100); its answer to
    the first instance shows an optimal plan, step by step; 'next failing answer' goes to the
    first answer alpha got wrong, id 61, then to 62."""
    page, errors, _ = open_page(browser, hand / "report" / "report.html")
    choose(page, "run", "alpha")
    ids = [int(a.inner_text().split("/")[1]) for a in page.locator("#answers tbody tr td:nth-child(2) a").all()]
    assert ids == sorted(instance.id for instance in INSTANCES)
    first = INSTANCES[0]
    page.evaluate(f"location.hash = 'alpha/{first.id}/0'")
    page.wait_for_selector("#answer-title")
    page.locator("#optimal-plan").evaluate("d => d.open = true")
    assert [li.inner_text() for li in page.locator("#optimal-plan li").all()] == [
        BLOCKSWORLD.action_to_text(a) for a in first.plan]
    wrong = [instance.id for instance in INSTANCES if not alpha_right(instance)]
    for expected in wrong[:2]:
        page.locator(".next-failing").first.click()
        page.wait_for_function(f"document.querySelector('#answer-title').textContent.endsWith('/{expected}, sample 0')")
        assert "invalid" in page.locator("#answer").inner_text()
    assert not errors


# ------------------------------------------------------------------ 12. the comparison view


def cli_rows(stdout: str) -> dict[str, list[str]]:
    """``planbench compare``'s table: group -> its cells."""
    rows = {}
    for line in stdout.splitlines():
        match = re.match(r"(all|length \d+|no plan)\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+ to \S+|n/a)\s+(\d+)\s+(\d+)\s+(\S+)$",
                         line)
        if match:
            rows[match.group(1)] = list(match.groups()[1:])
    return rows


def test_the_comparison_view_is_planbench_compare(browser, hand) -> None:
    """alpha against beta in the page: every row of ``planbench compare alpha beta`` (pairs,
    accuracies, difference, its paired bootstrap interval, the discordant counts, McNemar's
    p), overall and by length; the instances right in one run only, counted here, each a
    link to both answers; the vote against alpha says what it pairs as compare does."""
    page, errors, _ = open_page(browser, hand / "report" / "report.html")
    page.locator(".grid a[data-pair='0,1']").click()
    page.wait_for_selector("#paired")
    shown = {cells["group"]: cells for cells in table(page, "#paired").values()}
    printed = cli_rows(planbench("compare", str(hand / "alpha"), str(hand / "beta")).stdout)
    assert set(shown) == set(printed) and len(printed) == 5  # all, and lengths 2, 4, 6, 8
    for group, (pairs, a, b, difference, interval, a_only, b_only, p) in printed.items():
        cells = shown[group]
        assert [cells["pairs"], cells["A"], cells["B"], cells["A−B"], cells["95% CI (paired bootstrap)"],
                cells["A only"], cells["B only"]] == [pairs, a, b, difference, interval, a_only, b_only]
        assert float(cells["McNemar p"]) == pytest.approx(float(p), rel=0.05)
    only_alpha = [i.id for i in INSTANCES if alpha_right(i) and not beta_right(i)]
    only_beta = [i.id for i in INSTANCES if beta_right(i) and not alpha_right(i)]
    summaries = [s.inner_text() for s in page.locator("#compare details summary").all()]
    assert summaries == [f"{len(only_alpha)} instance(s): right in A, wrong in B",
                         f"{len(only_beta)} instance(s): right in B, wrong in A"]
    page.locator("#compare details").first.evaluate("d => d.open = true")
    listed = page.locator("#compare details").first.locator(".instances span")
    assert [int(s.inner_text().split(":")[0].split("/")[1]) for s in listed.all()] == only_alpha
    for side, run, right in (("A", "alpha", "valid"), ("B", "beta", "invalid")):
        listed.first.locator("a", has_text=side).click()
        page.wait_for_selector("#answer-title")
        assert page.locator("#answer-title").inner_text() == f"{run}: planbench-3/{only_alpha[0]}, sample 0"
        assert right in page.locator("#answer").inner_text()
    page.locator(".grid a[data-pair='2,0']").click()  # the vote's row, alpha's column: shown as alpha against the vote
    page.wait_for_function("document.querySelector('#compare').textContent.includes('B = vote')")
    pairs_line = next(line for line in planbench("compare", str(hand / "alpha"), str(hand / "vote")).stdout.splitlines()
                      if line.startswith("pairs: "))
    assert pairs_line in page.locator("#compare").inner_text()
    assert not errors


# ------------------------------------------------------------------ 13. legends off the data


@pytest.mark.parametrize("report, figures", [("hand", 2), ("priced", 3)])
def test_legends_sit_outside_the_data(browser, request, report, figures) -> None:
    """In every figure of the page, the legend's box meets no panel's data area (before: a
    legend in each panel, over the lines of 3-block Blocksworld). The hand-made runs have
    no token counts, so no effort figure; the priced ones have all three."""
    made = request.getfixturevalue(report)
    folder = made[0] if isinstance(made, tuple) else made
    page, errors, _ = open_page(browser, folder / "report" / "report.html")
    boxes = page.evaluate("""[...document.querySelectorAll('figure svg')].map(svg => {
        const box = el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
        const legend = svg.querySelector("[id$='.legend']");
        return {legend: legend ? box(legend) : null, areas: [...svg.querySelectorAll("[id$='.area']")].map(box)};
    })""")
    assert len(boxes) == figures
    for figure in boxes:
        left, top, right, bottom = figure["legend"]
        assert figure["areas"] and right > left and bottom > top
        for a_left, a_top, a_right, a_bottom in figure["areas"]:
            assert right <= a_left or left >= a_right or bottom <= a_top or top >= a_bottom, (figure["legend"], figure["areas"])
    assert not errors


# ------------------------------------------------------------------ 15. cost on the front page

# The test server's answer: 100 prompt tokens (10 cached), 20 output; at USD per million tokens
# gpt-4o: 2.50 in, 1.25 cached, 10.00 out; gpt-4o-mini: 0.15, 0.075, 0.60.
GPT_4O = (90 * 2.50 + 10 * 1.25 + 20 * 10.00) / 1e6
GPT_4O_MINI = (90 * 0.15 + 10 * 0.075 + 20 * 0.60) / 1e6


def optimal_on_even_ids():
    """The server's answer: the optimal plan to a planbench-3 problem with an even id, that
    plan without its first step to the others (revisions included: the problem is the
    conversation's first message)."""
    from planbench.prompts import prompt_records

    asked = {r["messages"][-1]["content"]: load_set("planbench-3").find(r["part"], r["id"])
             for r in prompt_records(load_set("planbench-3"), BLOCKSWORLD, "zero-shot")}

    def answer(body: dict) -> str:
        instance = next(asked[m["content"]] for m in body["messages"] if m.get("content") in asked)
        plan = list(instance.plan)[0 if instance.id % 2 == 0 else 1:]
        return "\n".join(f"{n}. {BLOCKSWORLD.action_to_text(a)}" for n, a in enumerate(plan, 1))
    return answer


@pytest.fixture(scope="module")
def priced(tmp_path_factory) -> tuple[Path, str]:
    """Real runs against the test server (the optimal plan where the id is even): gpt-4o once on 4 instances, gpt-4o revising 3
    times on 4, gpt-4o-mini voting 3 answers on 4, and a model without a price on 3;
    reported together. Returns the folder and what ``planbench score`` printed."""
    folder = tmp_path_factory.mktemp("priced")
    runs = {"single": ("gpt-4o", "--limit", "4"), "revise": ("gpt-4o", "--strategy", "revise", "--rounds", "3",
                                                           "--limit", "4"),
            "vote": ("gpt-4o-mini", "--strategy", "vote", "--samples", "3", "--limit", "4"),
            "unpriced": ("acme-planner-1", "--limit", "3")}
    with OpenAIServer() as server:
        server.answer = optimal_on_even_ids()
        for name, (model, *extra) in runs.items():
            planbench("run", "--set", "planbench-3", "--style", "zero-shot", "--model", model, "--base-url",
                      server.base_url, "--out", str(folder / name), "--cache-dir", str(folder / "cache"),
                      "--no-score", *extra)
    scored = planbench("score", *(str(folder / name) for name in runs), "--by", "").stdout
    planbench("report", *(str(folder / name) for name in runs), "--out", str(folder / "report"))
    return folder, scored


def test_cost_on_the_front_page(browser, priced) -> None:
    """The overall table says what each run spent, per instance and per valid plan, as the
    summary line does and as counted here: every turn of every sample (16 answers of the
    revision, 12 of the vote); "cost unknown" for a model without a price, never $0. The
    cost, rounds and vote tables are sections of the page in their own right (before:
    collapsed at the bottom); the effort figure has every run."""
    folder, scored = priced
    page, errors, _ = open_page(browser, folder / "report" / "report.html")
    cells = table(page, "#overall")
    spent = {"single": 4 * GPT_4O, "revise": 16 * GPT_4O, "vote": 12 * GPT_4O_MINI}
    for run, total in spent.items():
        line = next(line for line in scored.splitlines() if line.startswith(f"{run}:"))
        cost, per_instance = re.search(r"; cost (\$[\d.]+), (\$[\d.]+) per instance", line).groups()
        assert cells[run]["cost"] == cost == dollars(total)  # the figures counted here, written as every output writes them
        assert cells[run]["per instance"] == per_instance == dollars(total / 4)
        valid = sum(instance.id % 2 == 0 for instance in INSTANCES[:4])
        assert cells[run]["valid"] == str(valid) and valid > 0
        assert cells[run]["per valid plan"] == dollars(total / valid)
    assert cells["unpriced"]["cost"] == cells["unpriced"]["per instance"] == "cost unknown"
    for title in ("Cost", "Accuracy by round", "Majority vote"):
        heading = page.locator("main section > h2", has_text=title).first
        assert heading.is_visible(), title
    cost_rows = page.locator("section", has=page.get_by_role("heading", name="Cost", exact=True)).locator("tr[data-run]")
    assert sorted(row.get_attribute("data-run") for row in cost_rows.all()) == ["revise", "single", "vote"]
    drawn = page.evaluate("[...document.querySelectorAll(\"figure svg [id^='effort.run']\")].map(el => el.id)")
    assert {int(re.match(r"effort\.run(\d+)\.", gid).group(1)) for gid in drawn} == {0, 1, 2, 3}
    assert not errors


# ------------------------------------------------------------------ the README's pictures


def test_the_readme_pictures_can_be_taken_again(tmp_path) -> None:
    """scripts/report_screenshots.py, small: real runs, a report, four small pictures."""
    script = Path(__file__).resolve().parent.parent / "scripts" / "report_screenshots.py"
    done = subprocess.run([sys.executable, str(script), "--size", "6", "--out", str(tmp_path)], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    for name in ("report-overview.png", "report-compare.png", "report-answer.png", "accuracy-by-effort.png"):
        picture = (tmp_path / name).read_bytes()
        assert picture[:8] == b"\x89PNG\r\n\x1a\n" and 5_000 < len(picture) < 120_000, name
    assert "report.html opened in" in done.stdout
