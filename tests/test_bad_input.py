"""Bad, odd and hostile input for every command: one line on stderr, exit status 2, no
traceback, in bounded time; and nothing recorded is replaced or lost."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from openai_server import OpenAIServer
from planbench.resources import data_dir

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples"
UNWRITABLE = "/proc/planbench-cannot-write-here"  # even root cannot create files in /proc
RECORDED = "blocksworld_3__gpt-4o_chat__task_1_plan_generation_zero_shot.json.gz"


def planbench(*args: str, timeout: float = 60, env: dict | None = None, cwd: Path | None = None):
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "planbench", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})}, cwd=cwd)
    return done, time.monotonic() - started


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, str]:
    """Malformed inputs of every kind, written once."""
    folder = tmp_path_factory.mktemp("bad")
    paths: dict[str, str] = {}

    def write(name: str, data: bytes | str) -> str:
        path = folder / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
        paths[name] = str(path)
        return str(path)

    recorded = json.loads(gzip.decompress((data_dir("recorded") / RECORDED).read_bytes()))
    write("not-json.json", "{not json")
    write("a-list.json", "[1, 2, 3]")
    (folder / "blocksworld_3" / "x_chat").mkdir(parents=True)
    write("blocksworld_3/x_chat/records-not-objects.json", json.dumps({"instances": [1, "two", None]}))
    write("blocksworld_3/x_chat/huge-id.json", '{"instances": [{"instance_id": ' + "9" * 5000 + "}]}")
    write("blocksworld_3/x_chat/nested.json", "[" * 100_000 + "]" * 100_000)
    (folder / "blocksworld_hard" / "x_chat").mkdir(parents=True)
    write("blocksworld_hard/x_chat/task_1_plan_generation_backprompting_zero_shot_pddl.json",
          json.dumps({"instances": [{"instance_id": 1, "messages": "not a list", "step_wise_dict": []}]}))
    write("truncated.json.gz", gzip.compress(json.dumps(recorded).encode())[:500])
    write("pricing-latin1.yaml", "models:\n  gpt-x: {input: 1, output: 2}  # caf\xe9\n".encode("latin-1"))
    write("pricing-bad.yaml", "models: [1, 2")
    write("pricing-shape.yaml", "models:\n  gpt-x: {input: cheap}\n")
    write("plan-latin1.txt", "(unstack b c) ; caf\xe9\n".encode("latin-1"))
    write("binary.pddl", b"\x00\x01\x02")
    write("problem-1000.pddl", _big_problem(1000))
    example = (EXAMPLE / "blocksworld-instance-2.pddl").read_text()
    deep_goal = example.replace("(and\n(on c a))", "(and " * 3000 + "(on c a)" + ")" * 3000)
    assert deep_goal.count("(and") == 3000
    write("goal-3000-deep.pddl", deep_goal)
    write("plan-instance-2.txt", "(unstack a b)\n(put-down a)\n(unstack d c)\n(put-down d)\n(pick-up c)\n(stack c a)\n")
    return paths


def _big_problem(n: int) -> str:
    import random

    from planbench import encodings
    from planbench.sets.generate import random_problem
    from planbench.world.problem import to_pddl

    return to_pddl(random_problem(n, random.Random(3)), encodings.get("blocksworld"))


def _run_dir(folder: Path, lines: list[str] | bytes, info: dict | list | str | None = None) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    run_info = {"set": "planbench-3", "encoding": "blocksworld", "style": "zero-shot", "model": "x"}
    (folder / "run.json").write_text(info if isinstance(info, str) else json.dumps(info if info is not None else run_info))
    data = lines if isinstance(lines, bytes) else "".join(line + "\n" for line in lines).encode()
    (folder / "responses.jsonl").write_bytes(data)
    return str(folder)


GOOD = json.dumps({"part": "planbench-3", "id": 1, "sample": 0, "text": "1. Unstack the orange block from the red block"})


def cases(files: dict, tmp: Path) -> list[tuple[tuple, str]]:
    """(arguments, words the one line must contain)."""
    out = tmp / "out"
    existing_set = tmp / "existing-set"
    existing_set.mkdir()
    (existing_set / "manifest.jsonl").write_text("{}\n")
    bw_domain = str(data_dir("domains") / "blocksworld" / "domain.pddl")
    bw_problem = str(EXAMPLE / "blocksworld-instance-2.pddl")
    return [
        # validate and solve
        (("validate", bw_domain, bw_problem, files["plan-latin1.txt"]), "not a UTF-8 text file"),
        (("validate", bw_domain, files["binary.pddl"], "-"), "not a text file"),
        (("solve", bw_problem, "--max-seconds", "-1"), "--max-seconds"),
        (("solve", bw_problem, "--max-seconds", "0"), "--max-seconds"),
        (("solve", bw_problem, "--max-seconds", "nan"), "not a finite number"),
        (("solve", str(tmp / "missing.pddl")), "cannot read"),
        (("solve", files["problem-1000.pddl"], "--max-seconds", "1"), "no proven optimal plan"),
        (("solve", files["goal-3000-deep.pddl"]), None),  # works: nested conjunctions are one conjunction
        (("validate", bw_domain, files["goal-3000-deep.pddl"], files["plan-instance-2.txt"]), None),
        # generate
        (("generate", "--blocks", "1", "--out", str(out / "g1")), "1 block has no goal"),
        (("generate", "--blocks", "3", "--count", "10000", "--out", str(out / "g2")), "allow 132"),
        (("generate", "--blocks", "3", "--count", "100", "--unique-up-to-renaming", "--out", str(out / "g3")),
         "allow 22 distinct up to renaming"),
        (("generate", "--blocks", "3", "--lengths", "100-100", "--out", str(out / "g4")), "at most 8 steps"),
        (("generate", "--blocks", "3", "--lengths", "8-8", "--per-length", "50", "--out", str(out / "g5")),
         "24 instances"),
        (("generate", "--count", "-5", "--out", str(out / "g6")), "--count"),
        (("generate", "--lengths", "2-4", "--per-length", "0", "--out", str(out / "g7")), "--per-length"),
        (("generate", "--blocks", "4-", "--out", str(out / "g8")), "not a number or a range"),
        (("generate", "--out", ""), "empty"),
        (("generate", "--out", UNWRITABLE), "cannot write"),
        (("generate", "--out", str(existing_set)), "is not empty"),
        # prompts
        (("prompts", "--set", "planbench-3", "--style", "zero-shot", "--out", UNWRITABLE + "/p.jsonl"), "cannot write"),
        (("prompts", "--set", "planbench-3", "--style", "nope", "--out", str(out / "p.jsonl")), "unknown prompt style"),
        (("prompts", "--set", "nope", "--style", "zero-shot", "--out", str(out / "p.jsonl")), "unknown instance set"),
        # import
        (("import", files["not-json.json"], "--out", str(out / "i1")), "not a complete JSON"),
        (("import", files["a-list.json"], "--out", str(out / "i2")), "not a PlanBench results file"),
        (("import", files["blocksworld_3/x_chat/records-not-objects.json"], "--out", str(out / "i3")), "none of its 3"),
        (("import", files["blocksworld_3/x_chat/huge-id.json"], "--out", str(out / "i4")), "not a PlanBench results"),
        (("import", files["blocksworld_3/x_chat/nested.json"], "--out", str(out / "i5")), "nested too deeply"),
        (("import", files["blocksworld_hard/x_chat/task_1_plan_generation_backprompting_zero_shot_pddl.json"],
          "--out", str(out / "i6")), "none of its 1"),
        (("import", files["truncated.json.gz"], "--out", str(out / "i7")), ".gz"),
        (("import", str(data_dir("recorded") / RECORDED), "--out", UNWRITABLE), "cannot write"),
        # score, report, reproduce, show
        (("score", _run_dir(tmp / "empty", [])), "no answers to score"),
        (("score", _run_dir(tmp / "strangers", [json.dumps({"part": "planbench-3", "id": 5000, "text": "x"})])),
         "not in set planbench-3"),
        (("score", _run_dir(tmp / "list-info", [GOOD], [1, 2])), "not a run description"),
        (("score", _run_dir(tmp / "no-set", [GOOD], {"encoding": "blocksworld"})), "no 'set'"),
        (("score", _run_dir(tmp / "info-latin1", [GOOD], "{\"set\": \"caf\xe9\"}")), "run.json"),
        (("score", _run_dir(tmp / "good", [GOOD]), "--by", "nope"), "no column nope"),
        (("score", str(tmp / "not-a-run")), "not a run directory"),
        (("report", _run_dir(tmp / "good2", [GOOD]), "--out", UNWRITABLE), "cannot write"),
        (("reproduce", "--out", UNWRITABLE), "cannot write"),
        (("resume", _run_dir(tmp / "list-info2", [GOOD], [1]),), "not a run description"),
        (("resume", _run_dir(tmp / "imported", [GOOD], {"set": "planbench-3", "encoding": "blocksworld",
                                                       "imported": True})), "nothing to send"),
        (("resume", _run_dir(tmp / "bad-attempts", [GOOD], {"set": "planbench-3", "encoding": "blocksworld",
                                                            "style": "zero-shot", "model": "optimal",
                                                            "max_attempts": 0})), "max_attempts"),
        (("score", _run_dir(tmp / "good3", [GOOD]), "--extractor", "nope"), "unknown extractor"),
        (("show", _run_dir(tmp / "good4", [GOOD]), "77"), "no answer for instance 77"),
        (("prompts", "--set", "planbench-3", "--style", "zero-shot", "--wording", "1999", "--out",
          str(out / "p2.jsonl")), "unknown wording"),
        # run: options refused up front
        *[(("run", "--set", "planbench-3", "--style", "zero-shot", "--model", "optimal", "--out",
            str(out / f"r-{number}"), *option), words) for number, (option, words) in enumerate([
            (("--limit", "-1"), "--limit"), (("--limit", "0"), "--limit"), (("--samples", "-3"), "--samples"),
            (("--samples", "0"), "--samples"), (("--concurrency", "0"), "--concurrency"),
            (("--concurrency", "-4"), "--concurrency"), (("--max-attempts", "0"), "--max-attempts"),
            (("--max-tokens", "0"), "--max-tokens"), (("--temperature", "5"), "--temperature"),
            (("--max-cost", "-1"), "--max-cost"), (("--timeout", "0"), "--timeout"),
            (("--base-url", "not a url"), "not an http(s) URL"),
            (("--pricing", files["pricing-latin1.yaml"]), "not UTF-8"),
            (("--pricing", files["pricing-bad.yaml"]), "not YAML"),
            (("--pricing", files["pricing-shape.yaml"]), "prices need numbers"),
            (("--reasoning-effort", "maximal"), "--reasoning-effort"), (("--api", "soap"), "--api"),
            (("--workers", "0"), "--workers"), (("--rpm", "0"), "--rpm")])],
        (("run", "--set", "planbench-3", "--style", "zero-shot", "--model", "optimal", "--out", ""), "empty"),
        (("run", "--set", "planbench-3", "--style", "zero-shot", "--model", "optimal", "--out", UNWRITABLE),
         "cannot write"),
        (("run", "--set", "planbench-3", "--style", "zero-shot", "--model", "optimal", "--out", str(out / "r2"),
          "--cache-dir", UNWRITABLE, "--limit", "2", "--no-score"), None),  # works: the cache is only a warning
    ]


def test_bad_input_is_one_line_and_exit_2(files, tmp_path) -> None:
    """The corpus: every case exits 2 (or, where marked None, succeeds) within 20 s, with
    one line on stderr and no traceback."""
    table = cases(files, tmp_path)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda case: planbench(*case[0], cwd=tmp_path), table))
    failures = []
    for (args, words), (done, seconds) in zip(table, results):
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        expected = 0 if words is None else 2
        if words is None:
            lines = [line for line in lines if "cache cannot be used" not in line]
        ok = (done.returncode == expected and "Traceback" not in done.stderr and seconds < 20
              and (words is None or (len(lines) == 1 and words in lines[0])))
        if not ok:
            failures.append(f"{args}: exit {done.returncode}, {seconds:.1f} s, stderr {done.stderr[-600:]!r}")
    assert not failures, "\n".join(failures)
    assert len(table) >= 60


def test_bad_lines_of_a_run_are_reported_and_the_rest_scored(tmp_path) -> None:
    good = [json.dumps({"part": "planbench-3", "id": i, "sample": 0, "text": "1. Pick up the red block",
                        "usage": {"prompt_tokens": "12", "completion_tokens": 7}, "cost": "0.001"}) for i in (1, 2, 3)]
    bad = ["[1, 2]", json.dumps({"text": "no id"}), json.dumps({"id": "abc"}), json.dumps({"id": None}),
           json.dumps({"id": 4, "usage": {"prompt_tokens": "many"}})]
    data = ("\n".join(good[:2] + bad) + "\n").encode() + b'{"id": 9, "text": "caf\xc3' + b"\n" + (good[2] + "\n").encode()
    data += '{"id": 10, "text": "cut \u00e9'.encode()[:-1]  # the last line cut inside a character
    folder = _run_dir(tmp_path / "run", data)
    done, _ = planbench("score", folder)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    for words in ("responses.jsonl:3: a JSON list", "responses.jsonl:4: no 'id'", "id 'abc' is not a number",
                  "responses.jsonl:6: id None", "usage.prompt_tokens is 'many'"):
        assert words in done.stderr, (words, done.stderr)
    assert "3/3 valid" not in done.stdout and "/3 " in done.stdout  # the three good answers are scored
    scores = (tmp_path / "run" / "scores.csv").read_text().splitlines()
    assert len(scores) == 1 + 3


def test_nothing_recorded_is_replaced(tmp_path) -> None:
    """import over a run made by `run`, generate over a set: refused, files unchanged;
    --force keeps the old one aside."""
    run_dir = tmp_path / "run"
    done, _ = planbench("run", "--set", "planbench-3", "--style", "zero-shot", "--model", "optimal", "--limit", "3",
                        "--out", str(run_dir), "--no-score")
    assert done.returncode == 0, done.stderr
    before = {p.name: p.read_bytes() for p in run_dir.iterdir()}
    done, _ = planbench("import", str(data_dir("recorded") / RECORDED), "--out", str(run_dir))
    assert done.returncode == 2 and "already holds a run" in done.stderr
    assert {p.name: p.read_bytes() for p in run_dir.iterdir()} == before
    done, _ = planbench("import", str(data_dir("recorded") / RECORDED), "--out", str(run_dir), "--force")
    assert done.returncode == 0, done.stderr
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("run.replaced-")]
    assert len(aside) == 1 and (aside[0] / "responses.jsonl").read_bytes() == before["responses.jsonl"]
    # The same file imported again is the same run: allowed.
    assert planbench("import", str(data_dir("recorded") / RECORDED), "--out", str(run_dir))[0].returncode == 0
    made = tmp_path / "set"
    assert planbench("generate", "--blocks", "3", "--count", "5", "--out", str(made))[0].returncode == 0
    manifest = (made / "manifest.jsonl").read_bytes()
    done, _ = planbench("generate", "--blocks", "4", "--count", "3", "--out", str(made))
    assert done.returncode == 2 and (made / "manifest.jsonl").read_bytes() == manifest


def test_a_run_directory_has_one_writer(tmp_path) -> None:
    """A second run on a directory in use is refused, naming the holder; a lock left by a
    process that is gone is taken over."""
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / ".planbench.lock").write_text(f"{os.getpid()}\n")  # held by a live process: this one
    args = ("run", "--set", "planbench-3", "--style", "zero-shot", "--model", "optimal", "--limit", "2", "--out",
            str(folder), "--no-score")
    done, _ = planbench(*args)
    assert done.returncode == 2 and f"pid {os.getpid()}" in done.stderr
    assert not (folder / "responses.jsonl").exists()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (folder / ".planbench.lock").write_text(dead.stdout)
    done, _ = planbench(*args)
    assert done.returncode == 0, done.stderr
    assert len((folder / "responses.jsonl").read_text().splitlines()) == 2
    assert not (folder / ".planbench.lock").exists()


def test_odd_answers_finish_the_run(tmp_path) -> None:
    """Content as a list of text parts, usage counts as strings, and a responses.jsonl
    whose last line was cut inside a character: the run finishes, every answer scored."""
    def odd(payload: dict) -> dict:
        message = payload["choices"][0]["message"]
        message["content"] = [{"type": "text", "text": message["content"][:20]}, {"type": "text", "text": message["content"][20:]}]
        payload["usage"] = {k: str(v) for k, v in payload["usage"].items() if not isinstance(v, dict)}
        return payload

    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "responses.jsonl").write_bytes('{"part": "planbench-3", "id": 1, "text": "caf\u00e9'.encode()[:-1])
    with OpenAIServer() as server:
        server.shape = odd
        done, _ = planbench("run", "--set", "planbench-3", "--style", "zero-shot", "--model", "gpt-4o-mini",
                            "--base-url", server.base_url, "--limit", "5", "--out", str(folder), "--cache-dir",
                            str(tmp_path / "cache"), env={"OPENAI_API_KEY": "sk-test"})
        assert done.returncode == 0, done.stderr
        assert server.requests == 5
    assert "Traceback" not in done.stderr
    assert "5/5 valid" in done.stdout or "/5 valid" in done.stdout
    rows = (folder / "scores.csv").read_text().splitlines()
    assert len(rows) == 6
    answers = [json.loads(line) for line in (folder / "responses.jsonl").read_text(errors="replace").splitlines()[1:]]
    assert all(a["text"].startswith("1. Pick up the red block") for a in answers)
    assert all(a["usage"]["prompt_tokens"] == 100 for a in answers)


def test_killing_the_parent_ends_the_workers(tmp_path) -> None:
    """--workers 2, the parent killed alone: its workers stop within a few seconds."""
    with OpenAIServer(latency=0.5) as server:
        process = subprocess.Popen([sys.executable, "-m", "planbench", "run", "--set", "planbench-600", "--style",
                                    "zero-shot", "--model", "gpt-4o-mini", "--base-url", server.base_url,
                                    "--workers", "2", "--concurrency", "4", "--out", str(tmp_path / "run"),
                                    "--cache-dir", str(tmp_path / "cache"), "--no-score"],
                                   env={**os.environ, "OPENAI_API_KEY": "sk-test"}, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while server.requests < 8 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.requests >= 8
        process.kill()
        process.wait()
        time.sleep(3)
        settled = server.requests
        time.sleep(2)
        assert server.requests == settled  # nobody is sending any more


# ---------------------------------------------------------------- issue 18's probe: the findings
# One test (or one parametrized case) per finding of the list, named after its line:
# lost_* (answers lost), secret_* (secrets), traceback_* (tracebacks), hang_* (hangs),
# wrong_* (silently wrong). Each failed before its fix.


# A run's progress on a stderr that is not a terminal: plain lines, not messages about the input.
PROGRESS = re.compile(r"planbench: (answers|conversations) \d+/\d+ \(\d+%\), ")


def one_line(done, words: str, code: int = 2) -> str:
    """The command stopped with ``code`` and one line on stderr holding ``words`` (beside
    the progress lines a run writes where stderr is not a terminal)."""
    lines = [line for line in done.stderr.splitlines() if line.strip() and not PROGRESS.match(line)]
    assert done.returncode == code and "Traceback" not in done.stderr, (done.returncode, done.stderr[-2000:])
    assert len(lines) == 1 and words in lines[0], done.stderr[-2000:]
    return lines[0]


def disk_of(size: int):
    """A disk that holds ``size`` bytes per file, for a child process: RLIMIT_FSIZE, with
    SIGXFSZ ignored so a write past it fails with EFBIG as on a full disk (a tmpfs would
    need root; a limit any user can set, so CI can run this)."""
    import resource
    import signal

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    return limit


def planbench_limited(*args: str, size: int, timeout: float = 120, env: dict | None = None):
    return subprocess.run([sys.executable, "-m", "planbench", *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, preexec_fn=disk_of(size))


@pytest.fixture(scope="module")
def a_run(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("recorded") / "run"
    done, _ = planbench("run", "--set", "planbench-3", "--style", "zero-shot", "--model", "optimal", "--limit", "3",
                        "--out", str(folder))
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture
def recorded_run(a_run, tmp_path) -> Path:
    """A run directory of three answers, scored and reported, for one test to use."""
    import shutil

    return Path(shutil.copytree(a_run, tmp_path / "run"))


def _contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.mark.parametrize("command", ["export", "prompts", "report", "batch export"])
@pytest.mark.parametrize("how", ["direct", "dot-dot", "symlink"])
def test_lost_outputs_never_go_into_a_run_directory(recorded_run, tmp_path, command, how) -> None:
    """Answers lost: `export --out RUN/responses.jsonl` and `prompts --out RUN/responses.jsonl`
    wrote over the recorded answers. Every output refuses a path inside a run directory,
    however it is spelled."""
    before = _contents(recorded_run)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "link").symlink_to(recorded_run)
    target = {"direct": recorded_run / "responses.jsonl",
              "dot-dot": tmp_path / "elsewhere" / ".." / "run" / "responses.jsonl",
              "symlink": tmp_path / "link" / "responses.jsonl"}[how]
    if command == "report":
        target = target.parent
    args = {"export": ("export", str(recorded_run), "--format", "jsonl", "--out", str(target)),
            "prompts": ("prompts", "--set", "planbench-3", "--style", "zero-shot", "--out", str(target)),
            "report": ("report", str(recorded_run), "--out", str(target)),
            "batch export": ("batch", "export", "--set", "planbench-3", "--style", "zero-shot", "--model", "m",
                             "--out", str(target))}[command]
    done, _ = planbench(*args)
    one_line(done, "inside the run directory")
    assert _contents(recorded_run) == before


def _big_answers(path: Path, count: int) -> Path:
    """Recorded answers of about 10 kB each (a replay model's), so answers, not prompts,
    fill the disk first."""
    with path.open("w") as out:
        for number in range(1, count + 1):
            text = "1. Pick up the red block\n" + "I think about it. " * 550
            out.write(json.dumps({"part": "planbench-3", "id": number, "sample": 0, "text": text}) + "\n")
    return path


def test_lost_a_full_disk_during_run_keeps_every_whole_answer(tmp_path) -> None:
    """Answers lost: a disk that filled during `run` left a cut line and a traceback. Now:
    exit 1, one line with what was kept and how to go on; only whole lines on disk; the same
    command then finishes the run."""
    source = _big_answers(tmp_path / "answers.jsonl", 20)
    folder = tmp_path / "run"
    args = ("run", "--set", "planbench-3", "--style", "zero-shot", "--model", f"replay:{source}", "--limit", "20",
            "--out", str(folder), "--no-score", "--concurrency", "1")
    done = planbench_limited(*args, size=60_000)  # prompts.jsonl fits (~33 kB); five answers and a bit do not
    line = one_line(done, "the disk is full", code=1)
    assert "every whole answer written is kept" in line and "run the same command" in line
    data = (folder / "responses.jsonl").read_bytes()
    assert data.endswith(b"\n") and len(data) < 60_000
    kept = [json.loads(text) for text in data.decode().splitlines()]
    assert len(kept) == 5 and all(k["text"] for k in kept)
    done, _ = planbench(*args)
    assert done.returncode == 0, done.stderr
    answers = [json.loads(text) for text in (folder / "responses.jsonl").read_text().splitlines()]
    assert sorted(a["id"] for a in answers) == list(range(1, 21))


SECRET = "sk-SECRET-in-the-url-1234"


@pytest.mark.parametrize("form", ["userinfo", "query"])
def test_secret_in_base_url_reaches_no_file_and_no_console(tmp_path, form) -> None:
    """Secrets: a key inside --base-url (`http://user:KEY@host/v1`, `?key=KEY`) was written to
    run.json, responses.jsonl and scores.csv (an endpoint's error quoting the URL). Now
    redacted in every file and line; resume asks for the URL again and works with it.
    Neither form works: the SDK's aiohttp refuses credentials in a URL, and puts the path
    after the query, which the server refuses quoting it, key and all."""
    folder = tmp_path / "run"
    env = {"OPENAI_API_KEY": "sk-env-key"}
    with OpenAIServer() as server:
        url = (f"http://user:{SECRET}@{server.host}/v1" if form == "userinfo"
               else f"http://{server.host}/v1?key={SECRET}")
        ran, _ = planbench("run", "--set", "planbench-3", "--style", "zero-shot", "--model", "gpt-4o-mini",
                           "--base-url", url, "--limit", "3", "--max-attempts", "1", "--out", str(folder),
                           "--cache-dir", str(tmp_path / "cache"), env=env)
        assert ran.returncode == 1 and "every request failed" in ran.stderr, ran.stderr
        if form == "query":
            assert server.requests == 3 and "no route /v1/?key=[redacted]" in (folder / "responses.jsonl").read_text()
        scored, _ = planbench("score", str(folder))
        reported, _ = planbench("report", str(folder), "--out", str(tmp_path / "report"))
        exported, _ = planbench("export", str(folder), "--format", "jsonl", "--out", str(tmp_path / "scores.jsonl"))
        asked, _ = planbench("resume", str(folder), "--no-score", env=env)
        resumed, _ = planbench("resume", str(folder), "--no-score", "--base-url", url, env=env)
    assert scored.returncode == reported.returncode == exported.returncode == 0, scored.stderr + reported.stderr
    assert "[redacted]" in one_line(asked, "--base-url")
    assert resumed.returncode in (0, 1) and "this run directory holds a different run" not in resumed.stderr
    files = [*folder.iterdir(), *(tmp_path / "report").iterdir(), tmp_path / "scores.jsonl"]
    names = {f.name for f in files}
    assert {"run.json", "responses.jsonl", "scores.csv", "report.md", "report.html", "scores.jsonl"} <= names
    assert not [f.name for f in files if f.is_file() and SECRET in f.read_text(errors="replace")]
    printed = "".join(d.stdout + d.stderr for d in (ran, scored, reported, exported, asked, resumed))
    assert SECRET not in printed and "[redacted]" in json.loads((folder / "run.json").read_text())["base_url"]


@pytest.mark.parametrize("field, value", [
    ("round", '"abc"'), ("round", "[1]"), ("round", "1" + "0" * 30), ("id", "9" * 5000),
    ("usage", '{"completion_tokens": Infinity}'), ("usage", '{"prompt_tokens": "Infinity"}'), ("cost", "NaN"),
    ("recorded", '"abc"'), ("recorded", '{"verdicts": "x"}'),
], ids=["round-abc", "round-list", "round-10e30", "id-5000-digits", "usage-Infinity", "usage-Infinity-text",
        "cost-NaN", "recorded-abc", "recorded-verdicts-x"])
def test_traceback_odd_fields_of_responses_jsonl(tmp_path, field, value) -> None:
    """Tracebacks: a responses.jsonl `round` of "abc", [1] or 10**30, an id of 5,000 digits,
    usage Infinity / NaN (score); a `recorded` (PlanBench's verdict, tasks 2-8's further
    ones) that is not an object (score, report, export of a task run). Now the line is named
    and skipped; the rest is scored. (A NaN usage count was already named and skipped; a NaN
    cost was taken silently.)"""
    bad = GOOD[:-1] + f', "{field}": {value}}}' if field != "id" else GOOD.replace('"id": 1', f'"id": {value}')
    folder = _run_dir(tmp_path / "run", [GOOD.replace('"id": 1', '"id": 2'), bad])
    done, _ = planbench("score", folder)
    one_line(done, "responses.jsonl:2:", code=0)
    assert len((tmp_path / "run" / "scores.csv").read_text().splitlines()) == 2


def test_traceback_garbage_prompts_jsonl_in_report(tmp_path) -> None:
    """Tracebacks: a garbage prompts.jsonl (report). Now the prompts it cannot read are not
    shown; the report is written."""
    folder = Path(_run_dir(tmp_path / "run", [GOOD]))
    (folder / "prompts.jsonl").write_text('{"messages": "abc", "part": 1}\n[1, 2]\n{"messages": [1, "x"]}\n'
                                          '{"part": "planbench-3", "id": 1, "messages": [{"role": "user"}]}\n')
    done, _ = planbench("report", str(folder), "--out", str(tmp_path / "report"))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert (tmp_path / "report" / "report.html").stat().st_size > 1000


def test_traceback_binary_manifest_in_a_generated_set(tmp_path) -> None:
    """Tracebacks: a binary manifest.jsonl in a generated set (prompts)."""
    (tmp_path / "set").mkdir()
    (tmp_path / "set" / "manifest.jsonl").write_bytes(b"\x00\xff\xfe\x01binary\n")
    done, _ = planbench("prompts", "--set", str(tmp_path / "set"), "--style", "zero-shot", "--out", "-")
    one_line(done, "manifest.jsonl:1: not UTF-8")


@pytest.mark.parametrize("value", ["nan", "1e308"])
def test_traceback_batch_max_mb(tmp_path, value) -> None:
    """Tracebacks: `--batch-max-mb nan` and `1e308`."""
    done, _ = planbench("run", "--set", "planbench-3", "--style", "zero-shot", "--model", "gpt-4o-mini", "--batch",
                        "--batch-max-mb", value, "--out", str(tmp_path / "run"), env={"OPENAI_API_KEY": "sk-test"})
    one_line(done, "--batch-max-mb")
    assert not (tmp_path / "run").exists()


def test_traceback_score_on_a_read_only_run_directory(recorded_run) -> None:
    """Tracebacks: `score` on a read-only run directory. Now the summary is printed and one
    line says scores.csv could not be written; the answers are untouched. (Root ignores
    mode bits, so there scores.csv is also made a folder, which nobody can write as a file.)"""
    (recorded_run / "scores.csv").unlink()
    if os.geteuid() == 0:
        (recorded_run / "scores.csv").mkdir()
    before = _contents(recorded_run)
    recorded_run.chmod(0o555)
    try:
        done, _ = planbench("score", str(recorded_run))
    finally:
        recorded_run.chmod(0o755)
    one_line(done, "scores.csv: cannot write there")
    assert "3/3 valid" in done.stdout and _contents(recorded_run) == before


def test_traceback_export_out_a_directory(recorded_run, tmp_path) -> None:
    """Tracebacks: `export --out` a directory."""
    done, _ = planbench("export", str(recorded_run), "--format", "jsonl", "--out", str(tmp_path))
    one_line(done, "is a folder")


@pytest.mark.parametrize("command", ["import", "generate", "report"])
def test_traceback_a_full_disk(recorded_run, tmp_path, command) -> None:
    """Tracebacks: a full disk in import, generate and report (run: the test above). Now
    exit 1 and one line with what was kept and how to go on."""
    args, kept = {
        "import": (("import", str(data_dir("recorded") / RECORDED), "--out", str(tmp_path / "imported")),
                   "is untouched"),
        "generate": (("generate", "--blocks", "4", "--count", "100", "--out", str(tmp_path / "set")),
                     "--force"),
        "report": (("report", str(recorded_run), "--out", str(tmp_path / "report")), "untouched"),
    }[command]
    done = planbench_limited(*args, size=20_000)
    line = one_line(done, "the disk is full", code=1)
    assert kept in line and "free space" in line


def test_hang_samples_beyond_what_fits(tmp_path) -> None:
    """Hangs: `--samples 1000000000000`. Now refused at once, in one line."""
    done, seconds = planbench("run", "--set", "planbench-3", "--style", "zero-shot", "--model", "optimal",
                              "--samples", "1000000000000", "--out", str(tmp_path / "run"), timeout=60)
    one_line(done, "--samples")
    assert seconds < 20 and not (tmp_path / "run" / "prompts.jsonl").exists()


def test_hang_generate_keeps_its_time_limit(tmp_path) -> None:
    """Hangs: `generate --blocks 100000 --max-seconds 5` ran past its limit. Now it stops
    within it (plus a little), saying so."""
    done, seconds = planbench("generate", "--blocks", "100000", "--max-seconds", "5", "--count", "1", "--out",
                              str(tmp_path / "set"), timeout=120)
    one_line(done, "time limit (5 s)")
    assert seconds < 5 + 6


def test_hang_timeout_bounds_the_whole_request(tmp_path) -> None:
    """Hangs: an endpoint that sends headers and then a byte a second was never timed out by
    `--timeout 3`. Now the request is cut off after 3 s and recorded as no response."""
    with OpenAIServer(script=["trickle"]) as server:
        done, seconds = planbench("run", "--set", "planbench-3", "--style", "zero-shot", "--model", "gpt-4o-mini",
                                  "--base-url", server.base_url, "--timeout", "3", "--max-attempts", "1", "--limit",
                                  "1", "--out", str(tmp_path / "run"), "--cache-dir", str(tmp_path / "cache"),
                                  env={"OPENAI_API_KEY": "sk-test"}, timeout=60)
    one_line(done, "no whole answer within 3 s (--timeout)", code=1)  # the run's only request failed
    assert seconds < 3 + 12
    answer = json.loads((tmp_path / "run" / "responses.jsonl").read_text())
    assert answer["text"] is None and "within 3 s" in answer["error"]


def _manifest(folder: Path, records: list[dict]) -> str:
    folder.mkdir()
    (folder / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return str(folder)


@pytest.mark.parametrize("fault, words", [
    ("duplicate ids", "manifest.jsonl:4: instance 2 again (first on line 2)"),
    ("no instance", "manifest.jsonl: holds no instance"),
    ("a gold plan that does not solve its problem", "manifest.jsonl:3: instance 3: its gold plan does not solve"),
    ("a gold plan not of the stated length", "manifest.jsonl:2: instance 2: its gold plan has 4 steps, not the "
                                             "stated length 6"),
])
def test_wrong_a_bad_generated_set_is_refused(tmp_path, fault, words) -> None:
    """Silently wrong: a generated set whose manifest has duplicate ids, no instance, or a
    gold plan that does not solve its problem (or is not of the stated length) was accepted."""
    from planbench.sets.instances import load_set

    records = [i.to_record() for i in load_set("planbench-3").scored()[:3]]
    assert records[1]["length"] == 4
    if fault == "duplicate ids":
        records.append(dict(records[1]))
    elif fault == "no instance":
        records = []
    elif fault.startswith("a gold plan that"):
        records[2]["plan"] = list(reversed(records[2]["plan"]))
    else:
        records[1]["length"] = 6
    folder = _manifest(tmp_path / "set", records)
    done, _ = planbench("prompts", "--set", folder, "--style", "zero-shot", "--out", "-")
    one_line(done, words)


def test_wrong_an_infinite_price_is_refused(tmp_path) -> None:
    """Silently wrong: a price of `.inf` gave `$inf`."""
    pricing = tmp_path / "pricing.yaml"
    pricing.write_text("models:\n  gpt-x: {input: .inf, output: 1}\n")
    done, _ = planbench("run", "--set", "planbench-3", "--style", "zero-shot", "--model", "gpt-x", "--pricing",
                        str(pricing), "--limit", "1", "--dry-run")
    assert "pricing.yaml" in one_line(done, "finite")


def test_wrong_temperature_nan_is_refused(tmp_path) -> None:
    """Silently wrong: `--temperature nan` was accepted, recorded, and silently not sent."""
    done, _ = planbench("run", "--set", "planbench-3", "--style", "zero-shot", "--model", "optimal", "--temperature",
                        "nan", "--limit", "1", "--out", str(tmp_path / "run"))
    one_line(done, "--temperature")
    assert not (tmp_path / "run" / "run.json").exists()


# ---------------------------------------------------------------- tasks 2-8: the same probe
# The sweep of issue 18 §3 over the paths PlanBench's tasks 2-8 added (prompts --task, import
# of task files, score / show / report / export of task runs, run and batch export --task):
# one case per finding, each failed before its fix.

T3_FILE = "blocksworld_3__gpt-4_chat__task_3_plan_verification.json"
UNSOLVABLE_T3_FILE = "unsolvable_blocksworld__gpt-4_chat__task_3_plan_verification.json"
T3_RUN = {"set": "planbench-3", "encoding": "blocksworld", "style": "one-shot", "task": "t3", "model": "x"}


def _task_file(count: int = 3, edit=None, name: str = T3_FILE) -> dict:
    """The first ``count`` of GPT-4's recorded 3-block answers to a task (PlanBench's file),
    each record passed through ``edit``."""
    data = json.loads(gzip.decompress((data_dir("recorded") / (name + ".gz")).read_bytes()))
    data["instances"] = data["instances"][:count]
    for record in data["instances"]:
        (edit or (lambda r: None))(record)
    return data


def _write_results(folder: Path, data: dict, name: str = T3_FILE) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps(data))
    return str(folder / name)


def _set_without_a_gold_plan(folder: Path) -> str:
    """A set file of four 3-block instances whose third has no gold plan written."""
    from planbench.sets.instances import load_set

    records = [i.to_record() for i in load_set("planbench-3").scored()[:4]]
    records[2]["plan"] = []
    del records[2]["length"]
    return _manifest(folder, records)


def task_cases(tmp: Path) -> list[tuple[tuple, str | None]]:
    """(arguments, words the one line must contain; None: the command works)."""
    out = tmp / "out"
    t7_run = dict(T3_RUN, task="t7")
    numbers = iter([2.5, True])
    return [
        # prompts --task '' was task 1 (a script's empty variable asked another task than meant)
        (("prompts", "--set", "planbench-3", "--task", "", "--out", str(out / "p1.jsonl")), "--task: is empty"),
        # t3 asked on a set where one instance has no gold plan: its empty plan was shown as the valid example
        (("prompts", "--set", _set_without_a_gold_plan(tmp / "no-gold"), "--task", "t3", "--out",
          str(out / "p2.jsonl")), "has no gold plan"),
        # a t3 file of the unsolvable folder: the line named an instance, not the file
        (("import", _write_results(tmp / "unsolvable", _task_file(), UNSOLVABLE_T3_FILE), "--out", str(out / "i1")),
         UNSOLVABLE_T3_FILE),
        # every answer not text: the line said none was an answer, not why
        (("import", _write_results(tmp / "no-text", _task_file(edit=lambda r: r.update(llm_raw_response=5))),
          "--out", str(out / "i2")), "'llm_raw_response' is not text"),
        # an instance_id of 2.5 or true was read as instance 2 or 1
        (("import", _write_results(tmp / "odd-ids", _task_file(2, lambda r: r.update(instance_id=next(numbers)))),
          "--out", str(out / "i3")), "instance_id 2.5"),
        # an extracted_llm_plan list of numbers: a traceback
        (("import", _write_results(tmp / "extracted", _task_file(edit=lambda r: r.update(extracted_llm_plan=[1, 2]))),
          "--out", str(out / "i4")), None),
        # run.json's seed "abc": a traceback in score, show and report
        (("score", _run_dir(tmp / "seed", [GOOD], dict(t7_run, seed="abc"))), "run.json: seed 'abc'"),
        # run.json's task "t9": the line blamed --task, which nobody gave
        (("score", _run_dir(tmp / "task", [GOOD], dict(t7_run, task="t9"))), "run.json: task 't9'"),
        # batch export --samples 10**12 wrote requests until killed (run refused it)
        (("batch", "export", "--set", "planbench-3", "--task", "t3", "--model", "m", "--samples", "1000000000000",
          "--out", str(out / "b.jsonl")), "--samples"),
    ]


def test_tasks_bad_input_is_one_line_and_exit_2(tmp_path) -> None:
    """The table above: each case exits 2 with one line holding its words (or, where None,
    works) within 20 s, never a traceback."""
    table = task_cases(tmp_path)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda case: planbench(*case[0], cwd=tmp_path, timeout=30), table))
    failures = []
    for (args, words), (done, seconds) in zip(table, results):
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        ok = (done.returncode == (0 if words is None else 2) and "Traceback" not in done.stderr and seconds < 20
              and (words is None or (len(lines) == 1 and words in lines[0])))
        if not ok:
            failures.append(f"{args[:6]}: exit {done.returncode}, {seconds:.1f} s, stderr {done.stderr[-600:]!r}")
    assert not failures, "\n".join(failures)


def test_tasks_wrong_a_bundled_file_without_its_task_field(tmp_path) -> None:
    """Silently wrong: a task file named as recorded/ names them (FOLDER__ENGINE__TASK.json)
    and without a 'task' field was imported as task 1, its verdicts judged as plans."""
    data = _task_file()
    del data["task"]
    folder = tmp_path / "run"
    done, _ = planbench("import", _write_results(tmp_path, data), "--out", str(folder))
    assert done.returncode == 0, done.stderr
    assert json.loads((folder / "run.json").read_text())["task"] == "t3"


def test_tasks_lost_in_the_noise_repeated_records_are_counted(tmp_path) -> None:
    """A file of 300 records repeating 3 instances printed 297 lines; now the first few and
    how many more."""
    data = _task_file()
    data["instances"] *= 100
    done, _ = planbench("import", _write_results(tmp_path, data), "--out", str(tmp_path / "run"))
    lines = done.stderr.splitlines()
    assert done.returncode == 0 and len(lines) <= 6 and "292 more" in lines[-1], done.stderr[-2000:]


SURROGATE = "The above plan is valid \ud800 (half a character)"  # JSON "\ud800": valid JSON, not encodable text


@pytest.mark.parametrize("where", ["import", "show", "run"])
def test_tasks_traceback_a_lone_surrogate_in_an_answer(tmp_path, where) -> None:
    """Tracebacks: an answer holding half of a UTF-16 pair (JSON's "\\ud800", as a server
    that cuts an emoji sends it) stopped import (a run directory half written), show and
    export, and run (the answer lost). Now it is read with U+FFFD in its place."""
    folder = tmp_path / "run"
    if where == "show":
        _run_dir(folder, [json.dumps({"part": "planbench-3", "id": 1, "text": SURROGATE})], T3_RUN)
        done, _ = planbench("show", str(folder), "1")
        assert done.returncode == 0 and "valid \ufffd (half" in done.stdout, done.stderr[-2000:]
        return
    if where == "import":
        data = _task_file(edit=lambda r: r.update(llm_raw_response=SURROGATE))
        done, _ = planbench("import", _write_results(tmp_path, data), "--out", str(folder))
    else:
        with OpenAIServer() as server:
            server.answer = lambda body: SURROGATE
            done, _ = planbench("run", "--set", "planbench-3", "--task", "t3", "--model", "gpt-4o-mini", "--base-url",
                                server.base_url, "--limit", "1", "--out", str(folder), "--no-score", "--cache-dir",
                                str(tmp_path / "cache"), env={"OPENAI_API_KEY": "sk-test"})
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert "valid \ufffd (half" in json.loads((folder / "responses.jsonl").read_text().splitlines()[0])["text"]


def test_tasks_show_makes_an_answers_control_characters_visible(tmp_path) -> None:
    """An answer's terminal escapes, NUL, BEL and bidi overrides went raw to the terminal
    (a model's answer could retitle the window, or hide why its verdict was not read); now
    each is shown as its escape."""
    text = "The above plan is \u202einvalid\u202c\x1b]0;owned\x07\x00."
    answer = json.dumps({"part": "planbench-3", "id": 1, "text": text})
    done, _ = planbench("show", _run_dir(tmp_path / "run", [answer], T3_RUN), "1")
    assert done.returncode == 0, done.stderr
    assert not set("\x1b\x07\x00\u202e") & set(done.stdout)
    assert "\\u202einvalid\\u202c\\x1b]0;owned\\x07\\x00." in done.stdout
