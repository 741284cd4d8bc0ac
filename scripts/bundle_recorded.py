"""Maintenance: copy PlanBench's recorded results files into recorded/ (gzipped), for
`planbench reproduce`: task 1's (responses/) and tasks 1-8 on 3 blocks (tasks/responses/). Run from the repository root with ../shared/planbench-ref present.
The files keep PlanBench's folder and model in their names: <folder>__<engine>__<task>.json.gz.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REF = Path(os.environ.get("PLANBENCH_REF", ROOT.parent / "shared" / "planbench-ref"))


def main() -> None:
    out = ROOT / "recorded"
    out.mkdir(exist_ok=True)
    found = [*(REF / "responses").glob("*/*/*.json"), *(REF / "tasks" / "responses").glob("*/*/*.json")]
    for path in sorted(found):
        folder, engine = path.parts[-3], path.parts[-2]
        target = out / f"{folder}__{engine}__{path.stem}.json.gz"
        target.write_bytes(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))
        print(target.relative_to(ROOT), target.stat().st_size)


if __name__ == "__main__":
    main()
