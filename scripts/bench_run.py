"""Benchmark: runner throughput against a local OpenAI-compatible server with 50 ms latency.

    python scripts/bench_run.py [--requests 2000] [--concurrency 64] [--latency 0.05] [--repeat 3]

The server (tests/openai_server.py) runs in its own process; the runner sends the
requests through the real OpenAI SDK with a fresh cache and run directory each time. The
ideal is concurrency / latency requests per second; the last line prints the median rate
over the repeats and its ratio to the ideal (target: at least 50%). The clock starts after
``import openai``: the SDK's import takes about a second on its own, once per run, which
is start-up, not throughput; it is printed, with the rate it would give if counted.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from planbench.run.execute import execute
from planbench.run.runner import RunConfig

ROOT = Path(__file__).resolve().parent.parent


def one_run(base_url: str, requests: int, concurrency: int) -> tuple[int, int, float]:
    """(answers, errors, seconds) for one run of ``requests`` requests."""
    samples = -(-requests // 500)
    with tempfile.TemporaryDirectory() as folder:
        config = RunConfig(set="planbench-500", encoding="blocksworld", style="zero-shot", model="bench-model",
                           base_url=base_url, api_key_env="PLANBENCH_BENCH_KEY", samples=samples,
                           concurrency=concurrency, limit=-(-requests // samples),
                           cache_dir=str(Path(folder) / "cache"), timeout=30)
        start = time.perf_counter()
        tally = execute(config, Path(folder) / "run", show_progress=False)
        return tally.done, tally.errors, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    import openai  # noqa: F401 - start-up, timed apart from the runs

    imported = time.perf_counter() - start
    print(f"import openai: {imported:.2f} s (not counted)")
    server = subprocess.Popen([sys.executable, str(ROOT / "tests" / "openai_server.py"), str(args.latency)],
                              stdout=subprocess.PIPE, text=True)
    rates = []
    try:
        base_url = server.stdout.readline().strip()
        for _ in range(args.repeat):
            done, errors, elapsed = one_run(base_url, args.requests, args.concurrency)
            rates.append(done / elapsed)
            print(f"{done} answers ({errors} errors) in {elapsed:.2f} s: {done / elapsed:,.0f} requests/s "
                  f"({done / (elapsed + imported):,.0f} with the import)")
    finally:
        server.terminate()
    rate = statistics.median(rates)
    ideal = args.concurrency / args.latency
    print(f"runner {rate:,.0f} requests/s (median of {len(rates)}), ideal {ideal:,.0f} requests/s "
          f"(concurrency {args.concurrency} / {args.latency * 1000:.0f} ms), ratio {rate / ideal:.0%}")


if __name__ == "__main__":
    main()
