"""The README's pictures of report.html, taken again: real runs, a real report, real Chromium.

    python scripts/report_screenshots.py --out docs [--size 40] [--keep DIR]

Six runs of three models (single answers, a 5-answer vote, three rounds of revision, two
prompt styles) go through ``planbench run`` against the test server
(``tests/openai_server.py``), whose made-up models answer planbench-3 with the optimal plan
or that plan less one step, by a seeded draw at each model's skill (a revision is likelier
right, a longer plan likelier wrong), and spend each model's typical output tokens; ``planbench report`` reports them, and headless Chromium
(Debian's, driven by Playwright) photographs the page: the overall table
(``report-overview.png``), the comparison view (``report-compare.png``), a failing answer
(``report-answer.png``), and the effort figure (``accuracy-by-effort.png``). The pictures
are reduced to a 128-colour palette to stay small. ``--keep DIR`` keeps the runs and report.
Without ``--out`` the pictures go to a temporary folder (a check that the script still works,
as CI runs it with a small ``--size``) and the README's stay as they are.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from openai_server import OpenAIServer  # noqa: E402 - the tests' server, from its folder

# model -> (share of first answers right, output tokens of an answer)
MODELS = {"gpt-4o-mini": (0.45, 160), "gpt-4o": (0.6, 240), "o3-mini": (0.9, 1900)}
RUNS = (("gpt-4o-mini", "zero-shot", ()), ("gpt-4o-mini", "zero-shot", ("--strategy", "vote", "--samples", "5")),
        ("gpt-4o", "zero-shot", ("--strategy", "revise", "--rounds", "3")), ("gpt-4o", "zero-shot", ()),
        ("gpt-4o", "one-shot", ()), ("o3-mini", "zero-shot", ()))
SHOWN_PAIR = "2,3"  # the comparison pictured: gpt-4o revising against gpt-4o answering once
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


class DemoServer(OpenAIServer):
    """The test server with models of different skill and verbosity on planbench-3."""

    def __init__(self) -> None:
        super().__init__()
        from planbench.prompts import prompt_records
        from planbench.sets.instances import load_set
        from planbench.world import encodings

        self.blocksworld = encodings.get("blocksworld")
        planbench_3 = load_set("planbench-3")
        self.instances = {r["messages"][-1]["content"]: planbench_3.find(r["part"], r["id"])
                          for style in ("zero-shot", "one-shot")
                          for r in prompt_records(planbench_3, self.blocksworld, style)}
        self.served: dict[str, int] = {}

    def _draw(self, body: dict) -> tuple[object, int | None, int]:
        """(instance, the step its plan leaves out or None, output tokens) of this request,
        seeded by what it asks."""
        messages = body.get("messages") or []
        asked = next(m["content"] for m in messages if m.get("content") in self.instances)
        instance = self.instances[asked]
        skill, tokens = MODELS.get(body.get("model"), (0.3, 200))
        rounds = sum(1 for m in messages if m.get("role") == "assistant")
        key = json.dumps(messages, sort_keys=True) + body.get("model", "")
        again = self.served[key] = self.served.get(key, -1) + 1  # the k-th answer to the same request
        digest = hashlib.sha256(f"{key}|{again}".encode()).digest()
        draw = int.from_bytes(digest[:4], "big") / 2 ** 32
        hard = (instance.length or 0) / 16  # longer plans go wrong more often
        missing = None if draw < skill + 0.12 * rounds - hard else digest[5] % len(instance.plan)
        return instance, missing, int(tokens * (0.7 + 0.6 * digest[4] / 255))

    def _chat(self, body: dict) -> dict:
        """The test server's answer, with this model's plan and output tokens."""
        instance, missing, tokens = self._draw(body)
        self.answer = lambda _: self._plan_text(instance, missing)  # noqa: E731 - the next answer super() writes
        payload = super()._chat(body)
        payload["usage"].update(completion_tokens=tokens, total_tokens=100 + tokens)
        payload["usage"]["completion_tokens_details"]["reasoning_tokens"] = tokens - 120 if tokens > 1000 else 0
        return payload

    def _plan_text(self, instance, missing: int | None) -> str:
        """The optimal plan, or the plan with one step left out (wrong answers differ)."""
        plan = [a for n, a in enumerate(instance.plan) if n != missing]
        return "\n".join(f"{n}. {self.blocksworld.action_to_text(a)}" for n, a in enumerate(plan, 1))


def make_runs(folder: Path, instances: int) -> list[Path]:
    """The six runs, through ``planbench run`` against the demo server."""
    env = {**os.environ, "OPENAI_API_KEY": "sk-demo-not-a-key"}
    made = []
    with DemoServer() as server:
        for model, style, extra in RUNS:
            strategy = extra[1] if extra else "single"
            out = folder / f"{model}-{style}-{strategy}"
            done = subprocess.run([sys.executable, "-m", "planbench", "run", "--set", "planbench-3", "--style", style,
                                   "--model", model, "--base-url", server.base_url, "--limit", str(instances),
                                   "--cache-dir", str(folder / "cache"), "--out", str(out), "--no-score",
                                   "--concurrency", "4", *extra], capture_output=True, text=True, env=env, timeout=600)
            if done.returncode != 0:
                raise SystemExit(f"planbench run {model} {style} {strategy} failed: {done.stderr.strip()}")
            made.append(out)
    return made


def small_png(source: Path | bytes, target: Path) -> None:
    """A PNG in a 128-colour palette (a screenshot of tables and lines loses nothing seen)."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source).convert("RGB")
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)


def photograph(report: Path, out: Path) -> dict[str, float]:
    """The four pictures; returns seconds the page took to open."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Chromium is not installed (apt-get install chromium)")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 760})
        started = time.monotonic()
        page.goto(report.resolve().as_uri())
        page.wait_for_selector("#overall tbody tr")
        opened = time.monotonic() - started
        small_png(page.screenshot(), out / "report-overview.png")
        page.add_style_tag(content=".filters{position:static}")  # pictures of parts of the page, without the bar
        page.locator(f".grid a[data-pair='{SHOWN_PAIR}']").click()
        page.wait_for_selector("#paired")
        page.locator("#compare details").first.evaluate("d => d.open = true")
        small_png(page.locator("#compare-section").screenshot(), out / "report-compare.png")
        page.select_option("select[data-f='outcome']", "invalid")
        page.locator("#answers tbody a").first.click()
        page.wait_for_selector("#answer-title")
        page.locator("#optimal-plan").evaluate("d => d.open = true")
        small_png(page.locator("#answer").screenshot(), out / "report-answer.png")
        browser.close()
    small_png(report.parent / "accuracy_by_effort.png", out / "accuracy-by-effort.png")
    return {"opened": opened}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=None, help="Folder for the pictures (docs: the README's).")
    parser.add_argument("--size", "--instances", dest="instances", type=int, default=40,
                        help="planbench-3 instances per run.")
    parser.add_argument("--keep", type=Path, default=None, help="Keep the runs and the report in this folder.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        runs = make_runs(folder / "runs", args.instances)
        report = folder / "report"
        done = subprocess.run([sys.executable, "-m", "planbench", "report", *map(str, runs), "--out", str(report)],
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise SystemExit(f"planbench report failed: {done.stderr.strip()}")
        pictures = args.out or Path(scratch) / "pictures"
        pictures.mkdir(parents=True, exist_ok=True)
        timing = photograph(report / "report.html", pictures)
        for name in ("report-overview.png", "report-compare.png", "report-answer.png", "accuracy-by-effort.png"):
            print(f"{pictures / name}: {(pictures / name).stat().st_size / 1000:.0f} kB")
    print(f"report.html opened in {timing['opened']:.2f} s")


if __name__ == "__main__":
    main()
