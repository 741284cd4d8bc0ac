"""Maintenance: copy PlanBench's recorded results files into recorded/ (gzipped), for
`planbench reproduce`: task 1's (responses/) and tasks 1-8 on 3 blocks (tasks/responses/). Run from the repository root with ../shared/planbench-ref present.
The files keep PlanBench's folder and model in their names: <folder>__<engine>__<task>.json.gz.
"""

from __future__ import annotations

import argparse
import gzip
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REF = Path(os.environ.get("PLANBENCH_REF", ROOT.parent / "shared" / "planbench-ref"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT,
                        help="folder to write recorded/ into (default: this repository; CI writes elsewhere and "
                             "compares with what is committed)")
    out = parser.parse_args().out / "recorded"
    out.mkdir(parents=True, exist_ok=True)
    found = [*(REF / "responses").glob("*/*/*.json"), *(REF / "tasks" / "responses").glob("*/*/*.json")]
    for path in sorted(found):
        folder, engine = path.parts[-3], path.parts[-2]
        target = out / f"{folder}__{engine}__{path.stem}.json.gz"
        target.write_bytes(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))
        print(target, target.stat().st_size)


if __name__ == "__main__":
    main()
