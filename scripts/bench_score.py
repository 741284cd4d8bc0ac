"""Benchmark: answers per second from raw text to verdict (extract + validate), one core.

    python scripts/bench_score.py [--repeat 3]

All recorded answers bundled with the package (PlanBench's response files, 4,700 answers
in three encodings). The first pass is cold (no line seen before); later passes reuse the
extractor's per-line memo, as a long run does. The last line: cold and warm rates
against the 5,000/s target.
"""

from __future__ import annotations

import argparse
import statistics
import time

from planbench import encodings
from planbench.answers import extract
from planbench.results.importer import describe, load_results
from planbench.sets.instances import load_set
from planbench.resources import data_dir
from planbench.world.validate import validate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    items = []
    for path in sorted(data_dir("recorded").glob("*.json.gz")):
        data = load_results(path)
        info = describe(path, data)
        encoding = encodings.get(info["encoding"])
        instance_set = load_set(info["set"])
        for record in data["instances"]:
            text = record.get("llm_raw_response")
            instance = instance_set.find(info["part"], int(record["instance_id"]))
            if text and instance is not None:
                items.append((text, encoding, instance.problem))
    print(f"answers: {len(items)}")
    rates = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        for text, encoding, problem in items:
            validate(problem, extract(text, encoding).plan)
        rates.append(len(items) / (time.perf_counter() - start))
    cold, warm = rates[0], statistics.median(rates[1:]) if len(rates) > 1 else rates[0]
    print(f"extract + validate: cold {cold:,.0f} answers/s, warm {warm:,.0f} answers/s; target 5,000/s "
          f"(cold {cold / 5000:.1f}x)")


if __name__ == "__main__":
    main()
