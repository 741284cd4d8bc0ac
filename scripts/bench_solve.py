"""Benchmark: our optimal solver on PlanBench's hard set and on large random problems,
against Fast Downward A*/LM-cut (through up-fast-downward) in the same run.

    python scripts/bench_solve.py [--fd-cap 10] [--sizes 20,30,40,60,100] [--seeds 20] [--no-fd] [--cap 60]
                                  [--hard 110]

Prints, per hard instance: blocks, optimal length, our time, Fast Downward's time (or
"> cap"). Then the median and worst time of ours on random instances of each size
(uniform random initial state and goal, as the generator makes them), each given --cap
seconds to prove its plan optimal; the target at 100 blocks: median under 2 s, every one
proven within 60 s. The last line:
our total on the hard set, Fast Downward's total on the instances it solved within the
cap, the ratio on those instances, and how many each solved.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from planbench import reference
from planbench.sets.generate import random_problem
from planbench.sets.instances import load_set
from planbench.world.solve import SolverLimit, solve
from planbench.world.validate import validate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fd-cap", type=float, default=10.0, help="seconds per instance for Fast Downward")
    parser.add_argument("--sizes", default="20,30,40,60,100")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--cap", type=float, default=60.0, help="seconds to prove each random problem optimal")
    parser.add_argument("--no-fd", action="store_true")
    parser.add_argument("--hard", type=int, default=110, help="the first N hard instances (CI runs a few)")
    args = parser.parse_args()

    hard = load_set("planbench-hard-110").scored()[: args.hard]
    ours: dict[int, float] = {}
    theirs: dict[int, float] = {}
    print(f"{'id':>4} {'blocks':>6} {'length':>6} {'ours s':>9} {'FD s':>9}")
    for instance in hard:
        solution = solve(instance.problem)
        assert solution.length == instance.length and validate(instance.problem, solution.plan).valid
        ours[instance.id] = solution.seconds
        fd = "-"
        if not args.no_fd:
            start = time.perf_counter()
            result = reference.fast_downward(instance.problem, timeout=args.fd_cap)
            elapsed = time.perf_counter() - start
            if result.plan is not None and elapsed <= args.fd_cap:
                assert result.length == instance.length
                theirs[instance.id] = result.seconds
                fd = f"{result.seconds:9.3f}"
            else:
                fd = f"> {args.fd_cap:g}"
        print(f"{instance.id:>4} {instance.blocks:>6} {instance.length:>6} {solution.seconds:9.4f} {fd:>9}", flush=True)

    for size in (int(s) for s in args.sizes.split(",")):
        times, lengths = [], []
        for seed in range(args.seeds):
            rng = random.Random(f"bench-{size}-{seed}")
            problem = None
            while problem is None:
                problem = random_problem(size, rng)
            try:
                solution = solve(problem, max_seconds=args.cap)
                assert validate(problem, solution.plan).valid
                times.append(solution.seconds)
                lengths.append(solution.length)
            except SolverLimit:
                times.append(float("inf"))
        proven = sum(t != float("inf") for t in times)
        print(f"random {size} blocks, {args.seeds} seeds: median {statistics.median(times):.3f} s, "
              f"worst {max(times):.3f} s, {proven}/{args.seeds} proven optimal within {args.cap:g} s, "
              f"optimal lengths {min(lengths, default=0)}-{max(lengths, default=0)}", flush=True)

    ours_total = sum(ours.values())
    both = sorted(theirs)
    ours_on_both = sum(ours[i] for i in both)
    theirs_total = sum(theirs.values())
    ratio = f"{theirs_total / ours_on_both:,.0f}x" if both and ours_on_both else "n/a"
    print(f"hard set: ours {ours_total:.3f} s for {len(ours)}/{len(hard)} (all proven optimal); "
          f"Fast Downward {theirs_total:.1f} s for {len(theirs)}/{len(hard)} within {args.fd_cap:g} s each; "
          f"on those {len(both)}: ours {ours_on_both:.3f} s, ratio {ratio}")


if __name__ == "__main__":
    main()
