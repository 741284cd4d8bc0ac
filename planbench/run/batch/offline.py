"""``planbench batch export`` / ``batch import``: batch files for engines planbench does not
drive, above all vLLM's ``vllm run-batch`` on a GPU machine.

``export`` writes the next turn of every unfinished conversation as request lines (OpenAI's
batch format, which vLLM reads) and, beside them, a manifest (``NAME.planbench.json``) with
the run's settings. ``import`` reads the engine's results (OpenAI's output format, which
vLLM writes) into a run directory, made from the manifest the first time and appended to
after that; a multi-turn strategy goes round by round: ``export --from RUN_DIR`` writes the
next round's requests. Request keys here are made without an endpoint, so they do not
collide with a live run's cache.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, replace
from pathlib import Path

from planbench import __version__
from planbench.errors import InputError
from planbench.run.batch.files import read_results, request_line
from planbench.run.batch.waves import answer_lines, pending_turns
from planbench.run.cost import batch_prices
from planbench.run.models import request_body
from planbench.run.runner import RunConfig
from planbench.runs import RESPONSES_FILE, RUN_FILE, Run, append_line, open_appending, read_responses

MANIFEST_SUFFIX = ".planbench.json"
ENDPOINT = None  # no endpoint: the engine is not ours to name


def manifest_path(requests: Path) -> Path:
    return requests.with_name(requests.name.removesuffix(".jsonl") + MANIFEST_SUFFIX)


def export_requests(config: RunConfig | None, out: Path, run_folder: Path | None = None) -> tuple[int, Path]:
    """Write the requests (and their manifest) to ``out``; returns (requests, manifest).
    With ``run_folder``: the next turns of that run (made by ``batch import``)."""
    from planbench.run.execute import check_requests, prepare, read_config, request_keys

    if run_folder is not None:
        config = _file_run_config(run_folder, read_config)
    config = replace(config, engine="batch-files", base_url=None)
    records = prepare(config)
    if not records:
        raise InputError(config.set, 0, "no prompts to export (the set is empty)")
    check_requests(config, records)
    keys = request_keys(config, records, ENDPOINT)
    pending = pending_turns(config, run_folder, records, keys, ENDPOINT)
    if not pending:
        raise InputError(str(run_folder or out), 0, "every conversation of this run is finished: nothing to export")
    parameters = config.parameters()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    with open(partial, "wb") as handle:
        for key, turns in pending.items():
            path, body = request_body(config.model, parameters, turns[0].prompt["messages"])
            handle.write(request_line(key, path, body))
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(out)
    manifest = manifest_path(out)
    rounds = sorted({turns[0].round for turns in pending.values()})
    manifest.write_text(json.dumps({"planbench_version": __version__, "requests": len(pending), "rounds": rounds,
                                    "config": asdict(config)}, indent=2) + "\n")
    return len(pending), manifest


def import_results(results: Path, folder: Path, requests: Path | None = None) -> tuple[int, int, list[str]]:
    """Append the answers in ``results`` to the run in ``folder`` (made from the manifest
    if it is new); returns (answers written, results skipped, problems). Results already
    written, or for requests the run did not ask, are skipped and said so: importing the
    same file twice adds nothing."""
    from planbench.run.execute import check_config, prepare, read_config, write_prompts, write_run_file

    if (folder / RUN_FILE).exists():
        config = _file_run_config(folder, read_config)
    else:
        config = _manifest_config(results, requests)
        check_config(config, str(manifest_path(requests) if requests else results))
        write_run_file(folder, config)
    records = prepare(config)
    keys = write_prompts(folder, config, records, ENDPOINT)
    pending = pending_turns(config, folder, records, keys, ENDPOINT)
    live_prices = config.model_prices()
    prices = batch_prices(live_prices)
    problems: list[str] = []
    written = skipped = 0
    source = _source_name(results)
    seen = {line.get("request") for line in read_responses(Run(folder, {}), report=lambda line: None)
            if line.get("batch") == source}  # this very file imported before (its failures too)
    with open_appending(folder / RESPONSES_FILE) as out:
        for result in read_results(results, config.api, problems):
            turns = pending.get(result.custom_id)
            if turns is None or result.custom_id in seen:
                skipped += 1
                continue
            seen.add(result.custom_id)
            for line in answer_lines(turns, result, config.model, prices, live_prices, source):
                append_line(out, line)
                written += 1
    if skipped:
        problems.append(f"{results}: {skipped} result(s) for requests this run did not ask, or already has: skipped")
    return written, skipped, problems


def _source_name(results: Path) -> str:
    """The results file's name and content digest: the same file imported twice is known,
    a new file of the same name (failed requests run again) is not."""
    digest = hashlib.sha256()
    with open(results, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return f"{results.name}#{digest.hexdigest()[:12]}"


def _file_run_config(folder: Path, read_config) -> RunConfig:
    config = read_config(folder)
    if config.engine != "batch-files":
        raise InputError(str(folder / RUN_FILE), 0, f"this run was made by 'planbench run' ({config.engine}): finish it "
                         "with 'planbench resume', not with batch files")
    return config


def _manifest_config(results: Path, requests: Path | None) -> RunConfig:
    """The settings of the exported requests: the manifest beside ``requests``, or the one
    manifest beside ``results``."""
    if requests is not None:
        manifest = manifest_path(requests)
    else:
        found = sorted(results.parent.glob(f"*{MANIFEST_SUFFIX}"))
        if len(found) != 1:
            raise InputError(str(results), 0, ("no" if not found else "more than one") + f" {MANIFEST_SUFFIX} manifest "
                             "beside the results: give the exported requests file with --requests")
        manifest = found[0]
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("config"), dict):
            raise ValueError("no 'config' object")
        return RunConfig(**{k: v for k, v in data["config"].items() if k in RunConfig.__dataclass_fields__})
    except FileNotFoundError:
        raise InputError(str(manifest), 0, "no manifest: it is written beside the requests by 'planbench batch "
                         "export'") from None
    except (ValueError, TypeError, UnicodeDecodeError) as error:
        raise InputError(str(manifest), 0, f"not a planbench batch manifest ({error})") from None
