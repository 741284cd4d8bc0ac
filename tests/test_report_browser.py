"""report.html as a person uses it: in headless Chromium (Debian's package, driven by
Playwright), no network, no console errors; from the front page to a failing answer's
walk in two clicks; an answer's own address; responsive with 20 runs x 600 answers.

Skipped, saying why, where Chromium or Playwright is missing (CI installs both)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install '.[test]')")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def open_page(browser, path: Path, fragment: str = ""):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.resolve().as_uri() + fragment)
    page.wait_for_selector("#overall tbody tr", timeout=30_000)
    return page, errors, requests


@pytest.fixture(scope="module")
def reproduced(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reproduce") / "report"
    done = subprocess.run([sys.executable, "-m", "planbench", "reproduce", "--out", str(out)], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return out / "report.html"


def test_a_failing_answer_is_two_clicks_from_the_front_page(browser, reproduced) -> None:
    page, errors, requests = open_page(browser, reproduced)
    bundled = Path(__file__).resolve().parent.parent / "recorded"
    assert page.locator("#overall tbody tr").count() == len(list(bundled.glob("*.json.gz")))
    page.locator("#overall tbody tr").filter(has_text="gpt-4o-blocksworld-zero-shot").locator(
        "a[data-set*='invalid']").click()  # click 1: the invalid count of one run
    page.locator("#answers tbody tr a").first.click()  # click 2: its first answer
    page.wait_for_selector("#answer-title")
    assert page.locator("#answer-title").inner_text().startswith("gpt-4o-blocksworld-zero-shot:")
    assert "invalid" in page.locator("#answer p").first.inner_text()
    failing = page.locator(".trace tr.fail")
    assert failing.count() >= 1
    assert "cannot be done" in failing.first.inner_text() or "not reached" in failing.first.inner_text()
    assert page.locator("#answer-text mark.plan").count() >= 1  # the plan read is marked in the answer
    assert not errors and all(url.startswith("file:") or url.startswith("data:") for url in requests)


def test_every_answer_has_its_own_address(browser, reproduced) -> None:
    page, errors, _ = open_page(browser, reproduced, "#o1-mini-mystery_blocksworld_3-zero-shot/17/0")
    page.wait_for_selector("#answer-title")
    assert page.locator("#answer-title").inner_text() == "o1-mini-mystery_blocksworld_3-zero-shot: planbench-3/17, sample 0"
    assert "overcome object" in page.locator(".trace").inner_text()  # the walk speaks Mystery
    page.locator("th", has_text="accuracy").first.click()  # sorting works and keeps the page alive
    assert not errors


def test_a_task_answer_shows_where_the_two_readings_differ(browser, reproduced) -> None:
    """A t7 answer the two readings judge differently: the page says so, with the other
    reading's verdict and reason, and shows no validator walk (the answer is a state)."""
    import csv

    scores = reproduced.parent / "runs" / "blocksworld_3__gpt-4_chat__task_7_plan_execution" / "scores.csv"
    with open(scores) as handle:
        row = next(r for r in csv.DictReader(handle) if r["correct"] != r["other_correct"])
    page, errors, _ = open_page(browser, reproduced, f"#gpt-4-blocksworld_3-t7/{row['id']}/0")
    page.wait_for_selector("#answer-title")
    answer = page.locator("#answer").inner_text()
    judged = "right" if row["other_correct"] == "True" else "wrong"
    assert f"The two readings differ: the planbench reading judges it {judged}" in answer
    assert "t7; 3 blocks" in answer and page.locator("#answer .trace").count() == 0
    assert not errors


def test_twenty_runs_of_six_hundred_stay_responsive(browser, tmp_path) -> None:
    from planbench import encodings
    from planbench.sets.instances import load_set
    from planbench.results.report import write_report
    from planbench.results.score import score_run
    from planbench.runs import read_run

    blocksworld = encodings.get("blocksworld")
    instances = load_set("planbench-600").scored()
    runs, sources = {}, {}
    for number in range(20):
        folder = tmp_path / f"run-{number:02d}"
        folder.mkdir()
        (folder / "run.json").write_text(json.dumps({"set": "planbench-600", "encoding": "blocksworld",
                                                     "style": "zero-shot", "model": f"model-{number % 7}",
                                                     "name": f"run-{number:02d}"}))
        lines = []
        for index, instance in enumerate(instances):
            plan = list(instance.plan)
            if (index + number) % 3 == 0:
                plan = plan[1:]  # a wrong plan for a third of the answers
            text = "\n".join(f"{n}. {blocksworld.action_to_text(a)}" for n, a in enumerate(plan, 1))
            lines.append(json.dumps({"part": instance.part, "id": instance.id, "sample": 0, "text": text}))
        (folder / "responses.jsonl").write_text("\n".join(lines) + "\n")
        run = read_run(folder)
        runs[run.name], sources[run.name] = score_run(run), run
    write_report(runs, tmp_path / "report", sources=sources)
    started = time.monotonic()
    page, errors, _ = open_page(browser, tmp_path / "report" / "report.html")
    loaded = time.monotonic() - started
    assert page.locator("#overall tbody tr").count() == 20
    started = time.monotonic()
    page.select_option("select[data-f='outcome']", "invalid")
    page.wait_for_function("document.querySelector('#pager').textContent.includes('4000 answers')")
    filtered = time.monotonic() - started
    size = (tmp_path / "report" / "report.html").stat().st_size
    print(f"20 runs x 600: report.html {size / 1e6:.1f} MB, loaded in {loaded:.2f} s, filtered in {filtered:.2f} s")
    assert loaded < 15 and filtered < 3, (loaded, filtered)
    assert not errors
