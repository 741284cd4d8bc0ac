"""Benchmark: render every style of planbench-600 in all three PlanBench encodings.

    python scripts/bench_prompts.py [--repeat 3]

Prints the time per style and, on the last line, the median total over the repeats
(one fresh process, set loaded once) against the 2 s target.
"""

from __future__ import annotations

import argparse
import statistics
import time

from planbench import encodings
from planbench.sets.instances import load_set
from planbench.prompts import STYLES, prompt_records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    instance_set = load_set("planbench-600")
    names = ("blocksworld", "mystery", "randomized")
    for name in names:
        encodings.get(name).domain_name
    print(f"loading the set and encodings: {time.perf_counter() - start:.3f} s")
    totals = []
    for repeat in range(args.repeat):
        total = 0.0
        count = 0
        for style in STYLES:
            begin = time.perf_counter()
            for name in names:
                count += len(prompt_records(instance_set, encodings.get(name), style))
            elapsed = time.perf_counter() - begin
            total += elapsed
            if repeat == 0:
                print(f"{style:>15}: {elapsed:.3f} s")
        totals.append(total)
    median = statistics.median(totals)
    print(f"{count} prompts (5 styles x 3 encodings x 600) in {median:.3f} s (median of {args.repeat}); "
          f"target 2 s, ratio {2 / median:.1f}x under")


if __name__ == "__main__":
    main()
