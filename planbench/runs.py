"""Run directories: what was asked (``run.json``) and what came back (``responses.jsonl``).

Every stage is a function from plain files to plain files (DESIGN.md): a run directory
can be re-scored with another extractor without calling a model. ``responses.jsonl`` is
append-only, one finished answer per line; a truncated last line (a killed writer) is
reported and skipped, never fatal, so finished work is never lost.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import re
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from planbench.errors import InputError
from planbench.redact import redact

RUN_FILE = "run.json"
RESPONSES_FILE = "responses.jsonl"
PROMPTS_FILE = "prompts.jsonl"


def open_appending(path: Path, repair: bool = True):
    """An unbuffered append-only file: every :func:`append_line` is one ``write`` call.
    A last line cut short (a writer killed mid-line) is closed with a newline first, or
    the next answer would be glued to it and lost with it. Only a file's single writer
    may repair it: worker processes sharing a file open it with ``repair=False`` (the
    parent repairs it before they start), or one could see another's line half-written
    and split it."""
    if repair:
        close_last_line(path)
    return path.open("ab", buffering=0)


def close_last_line(path: Path) -> None:
    """End a file with a newline if its last line was cut short."""
    try:
        with path.open("rb+") as existing:
            existing.seek(0, 2)
            if existing.tell() == 0:
                return
            existing.seek(-1, 2)
            if existing.read(1) != b"\n":
                existing.seek(0, 2)
                existing.write(b"\n")
    except FileNotFoundError:
        return


def append_line(out, item: dict) -> None:
    """One JSON line in a single write to an O_APPEND file: whole on disk as soon as it
    returns, and never interleaved with a line another worker process appends at the same
    time (with a buffered text file, its buffer decides when and in how many writes a line
    goes out; this makes the one-write contract explicit rather than an accident).

    A disk that fills takes part of a line (a short write) and then nothing: the part is
    cut off again, when nothing was appended after it, so the file holds whole lines only,
    and OSError (ENOSPC) says the line was not kept."""
    data = (json.dumps(item, ensure_ascii=False) + "\n").encode("utf-8")
    written = out.write(data)
    if written is not None and written < len(data):
        end = out.tell()
        with contextlib.suppress(OSError):
            if os.fstat(out.fileno()).st_size == end:
                os.ftruncate(out.fileno(), end - written)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(out.name))


def inside_a_run(path: str | Path) -> Path | None:
    """The run directory ``path`` is in (or is), following symlinks and ``..``; None if none."""
    target = Path(path).resolve()
    for folder in (target, *target.parents):
        if holds_a_run(folder):
            return folder
    return None


def refuse_inside_a_run(path: str | Path, option: str = "--out") -> None:
    """Outputs never go into a run directory: its files are the record of answers paid
    for, and an export or a prompts file written over responses.jsonl would end them."""
    folder = inside_a_run(path)
    if folder is not None:
        raise InputError(option, 0, f"{path} is inside the run directory {folder}; a run's files are its record, so "
                         "write outputs elsewhere")



@dataclass(frozen=True)
class Run:
    folder: Path
    info: dict  # run.json: set, encoding, style, model, parameters, source

    @property
    def name(self) -> str:
        return self.info.get("name") or self.folder.name

    def encoding_for(self, part: str | None):
        """The encoding this run's answers to one part of its set are read in: the run's,
        as PlanBench wrote that part's files (:meth:`Encoding.for_part`), with the PDDL
        object names an imported file's prompts showed (``pddl_objects``) when it says."""
        from planbench.world import encodings

        encoding = encodings.get(self.info["encoding"]).for_part(part or self.info["set"])
        objects = self.info.get("pddl_objects")
        if objects is None:
            return encoding
        if not isinstance(objects, str):
            raise InputError(str(self.folder / RUN_FILE), 0, f"pddl_objects {objects!r} is not a name template")
        try:
            return encoding.with_objects(objects)
        except InputError as error:
            raise InputError(str(self.folder / RUN_FILE), 0, error.message) from None


def holds_a_run(folder: Path) -> bool:
    return (folder / RUN_FILE).exists() or (folder / RESPONSES_FILE).exists()


def move_aside(folder: Path) -> Path:
    """``--force``: keep what was there under a new name instead of replacing it."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = folder.with_name(f"{folder.name}.replaced-{stamp}")
    number = 1
    while target.exists():
        number += 1
        target = folder.with_name(f"{folder.name}.replaced-{stamp}-{number}")
    folder.rename(target)
    return target


def writable_folder(folder: Path, what: str = "output folder") -> Path:
    """Check before any work that ``folder`` can be created and written: one line naming
    it otherwise (an answer paid for and not recorded is the worst loss there is)."""
    if not str(folder) or str(folder).strip() == "":
        raise InputError("--out", 0, f"the {what} is empty")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".planbench-write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise InputError(str(folder), 0, f"cannot write the {what} there: {error.strerror or error}") from None
    return folder


def write_run(folder: Path, info: dict, responses: list[dict]) -> Run:
    """A new run directory (an import, or a finished offline run)."""
    writable_folder(folder, "run directory")
    (folder / RUN_FILE).write_text(json.dumps(info, indent=2) + "\n")
    with (folder / RESPONSES_FILE).open("w", encoding="utf-8") as out:
        for response in responses:
            out.write(json.dumps(response, ensure_ascii=False) + "\n")
    return Run(folder, info)


def write_info(run: Run, info: dict) -> Run:
    """run.json rewritten with a setting learnt after the run (the task of answers gathered
    elsewhere); written beside and moved in place, so a kill leaves the old one whole."""
    path = run.folder / RUN_FILE
    partial = path.with_name(RUN_FILE + ".part")
    partial.write_text(json.dumps(info, indent=2) + "\n")
    partial.replace(path)
    return Run(run.folder, info)


def named(run: Run, name: str | None) -> Run:
    """``--name``: the run called ``name`` in reports, tables and exports (by default a run
    is called by its folder's name; an imported PlanBench file by its model, set and task).
    Two readings of one run are two copies of its folder, each scored with its own extractor
    and named for it."""
    if name is None or name == run.info.get("name"):
        return run
    if not name.strip():
        raise InputError("--name", 0, "the name is empty")
    return write_info(run, {**run.info, "name": name})


def scored_with(run: Run, extractor: str | None) -> Run:
    """``score --extractor``: the reading a run was scored with, kept in run.json. Report,
    compare, show and export judge a run's answers again from its files; without it they
    read a run scored with PlanBench's rule parser with the default reading, and two
    readings of one run came out the same."""
    if extractor is None or extractor == (run.info.get("extractor") or "default"):
        return run
    return write_info(run, {**run.info, "extractor": extractor})


def read_run(folder: str | Path) -> Run:
    """run.json, checked: a JSON object naming at least the set and its encoding."""
    folder = Path(folder)
    path = folder / RUN_FILE
    try:
        raw = path.read_bytes()
    except OSError:
        raise InputError(str(folder), 0, f"not a run directory (no readable {RUN_FILE})") from None
    try:
        info = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError(str(path), 0, "not a UTF-8 text file") from None
    except json.JSONDecodeError as error:
        raise InputError(str(path), error.lineno, f"not JSON: {error.msg}") from None
    except RecursionError:
        raise InputError(str(path), 0, "nested too deeply to be a run.json") from None
    if not isinstance(info, dict):
        raise InputError(str(path), 0, f"not a run description (a JSON {type(info).__name__}, not an object)")
    for field_name in ("set", "encoding"):
        if not isinstance(info.get(field_name), str) or not info[field_name]:
            raise InputError(str(path), 0, f"no '{field_name}' (the instance set and encoding the answers are for)")
    if isinstance(info.get("base_url"), str):  # written before credentials were redacted: none reach a report
        info["base_url"] = redact(info["base_url"])
    _check_task_settings(info, path)
    return Run(folder, info)


def _check_task_settings(info: dict, path: Path) -> None:
    """The task and seed a run's prompts are built again from (its truths are never read
    back), said against run.json: a wrong one would blame an option nobody gave, or stop
    with a traceback."""
    from planbench.tasks import NAMES, canonical

    task, seed = info.get("task"), info.get("seed")
    if task is not None:
        try:
            canonical(task if isinstance(task, str) else "")
        except InputError:
            raise InputError(str(path), 0, f"task {short_repr(task)} is none of PlanBench's tasks "
                             f"({', '.join(NAMES)})") from None
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise InputError(str(path), 0, f"seed {short_repr(seed)} is not a whole number")


LOCK_FILE = ".planbench.lock"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold the run directory for one writer: a second ``planbench run`` on the same
    directory would send every request again. The lock file names the holder's pid; a
    lock whose holder is gone (killed, machine restarted) is taken over."""
    path = folder / LOCK_FILE
    for _ in range(100):
        try:
            handle = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                holder = int(path.read_text().split()[0])
            except (OSError, ValueError, IndexError):
                holder = None
            if holder is not None and holder != os.getpid() and _alive(holder):
                raise InputError(str(folder), 0, f"in use by another planbench process (pid {holder}); wait for it "
                                 f"to finish or stop it (a stale lock is {path})") from None
            with contextlib.suppress(OSError):
                path.unlink()  # the holder is gone: take the lock over
            continue
        except OSError as error:
            raise InputError(str(folder), 0, f"cannot write the run directory: {error.strerror or error}") from None
        with os.fdopen(handle, "w") as out:
            out.write(f"{os.getpid()}\n")
        break
    else:
        raise InputError(str(path), 0, "could not take the run directory's lock")
    try:
        yield
    finally:
        with contextlib.suppress(OSError, ValueError, IndexError):
            if int(path.read_text().split()[0]) == os.getpid():
                path.unlink()


# ---------------------------------------------------------------- reading what others wrote


LONE_SURROGATE = re.compile("[\ud800-\udfff]")
ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
ESCAPED_SURROGATE_BYTES = re.compile(ESCAPED_SURROGATE.pattern.encode())


def whole_characters(value):
    """A JSON value with every lone UTF-16 surrogate in its texts replaced by U+FFFD.

    JSON may escape half a character (``"\\ud83d"``, an emoji cut by a server or a
    truncating writer); Python reads it as a str that cannot be encoded as UTF-8, so every
    command that wrote or printed it stopped with a traceback. Pairs are joined by the JSON
    reader, so a surrogate left in a str is a lone one."""
    if isinstance(value, str):
        return LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [whole_characters(item) for item in value]
    if isinstance(value, dict):
        return {whole_characters(key): whole_characters(item) for key, item in value.items()}
    return value


def read_json(text: str | bytes):
    """``json.loads``, with lone surrogates replaced (:func:`whole_characters`); looked for
    only where the text escapes one, so a file without any is read at json's speed."""
    value = json.loads(text)
    escaped = (ESCAPED_SURROGATE if isinstance(text, str) else ESCAPED_SURROGATE_BYTES).search(text)
    return whole_characters(value) if escaped else value


def read_json_lines(path: Path) -> Iterator[tuple[int, object | None, str | None]]:
    """(line number, value, problem) for each non-blank line of a JSON-lines file, read as
    UTF-8 line by line (a BOM is fine): a line that is not UTF-8 or not JSON gives a
    problem instead of a value, and the last line cut short, even in the middle of a
    character (a writer killed, a disk full), is reported as such, never fatal."""
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.split(b"\n")
    last = len(lines) - (1 if data.endswith(b"\n") else 0)
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        cut = number == last and not data.endswith(b"\n")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield number, None, ("cut off (the writer stopped mid-line)" if cut else "not UTF-8")
            continue
        try:
            yield number, read_json(text), None
        except json.JSONDecodeError:
            yield number, None, ("cut off (the writer stopped mid-line)" if cut else "not a JSON line")
        except ValueError:  # an integer of thousands of digits: more than Python reads
            yield number, None, "a number too long to read"
        except RecursionError:
            yield number, None, "nested too deeply"


def asked_prompts(folder: Path) -> dict[tuple, str | None]:
    """The user message each (part, id, sample) of a run was asked, from its prompts.jsonl
    (empty when there is none: a run imported from PlanBench's files)."""
    path = Path(folder) / PROMPTS_FILE
    out: dict[tuple, str | None] = {}
    if not path.exists():
        return out
    for _, item, problem in read_json_lines(path):
        if problem is None and isinstance(item, dict):  # a line it cannot read shows no prompt
            messages = item.get("messages") if isinstance(item.get("messages"), list) else []
            user = next((m.get("content") for m in reversed(messages) if isinstance(m, dict) and m.get("role") == "user"),
                        None)
            key = (item.get("part"), item.get("id"), item.get("sample", 0))
            if all(isinstance(k, (str, int, type(None))) for k in key) and isinstance(user, (str, type(None))):
                out[key] = user
    return out


def _count(value, name: str) -> int | None:
    """A token count as a number: int, float, or a numeric string (some servers send one)."""
    if value is None or isinstance(value, bool):
        return None if value is None else int(value)
    if isinstance(value, (int, float)) and math.isfinite(value):
        return int(value)
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = math.nan
        if math.isfinite(number):
            return int(number)
    raise ValueError(f"{name} is {short_repr(value)}, not a number")


def short_repr(value) -> str:
    """A value for a message: its repr, cut short (an id can be thousands of digits)."""
    try:
        text = repr(value)
    except ValueError:
        return "(a number too long to print)"
    return text if len(text) <= 40 else text[:37] + "..."


def text_of(content) -> str | None:
    """Message content as text: a string, a list of text parts ({"type": "text", "text":
    ...} or strings, as some OpenAI-compatible servers send), or null."""
    if content is None or isinstance(content, str):
        return whole_characters(content)
    if isinstance(content, list):
        parts = [part if isinstance(part, str) else part.get("text") if isinstance(part, dict) else None
                 for part in content]
        return whole_characters("".join(p for p in parts if isinstance(p, str)))
    if isinstance(content, dict) and isinstance(content.get("text"), str):
        return whole_characters(content["text"])
    raise ValueError(f"the answer's content is a {type(content).__name__}")


def checked_response(item) -> dict:
    """One line of responses.jsonl in the shape scoring needs, or ValueError saying which
    field is wrong. Numbers given as strings are read as numbers; unknown fields are kept."""
    if not isinstance(item, dict):
        raise ValueError(f"a JSON {type(item).__name__}, not an object")
    if "id" not in item:
        raise ValueError("no 'id'")
    raw_id = item["id"]
    if isinstance(raw_id, bool) or not isinstance(raw_id, (int, str)):
        raise ValueError(f"id {raw_id!r} is not a number")
    try:
        number = int(raw_id)
    except ValueError:
        raise ValueError(f"id {str(raw_id)[:40]!r} is not a number") from None
    if not 0 <= number < 10 ** 12:
        raise ValueError(f"id {str(raw_id)[:40]} is out of range")
    out = dict(item, id=number)
    sample = _count(item.get("sample", 0), "sample")
    if sample is None or sample < 0:
        raise ValueError(f"sample {item.get('sample')!r} is not a number from 0")
    out["sample"] = sample
    if item.get("round") is not None:
        round_ = _count(item["round"], "round")
        if not 0 <= round_ < 10 ** 6:
            raise ValueError(f"round {short_repr(item['round'])} is not a number from 0 to a million")
        out["round"] = round_
    if sample >= 10 ** 12:
        raise ValueError(f"sample {short_repr(item.get('sample'))} is out of range")
    if item.get("part") is not None and not isinstance(item["part"], str):
        raise ValueError(f"part {item['part']!r} is not a name")
    out["text"] = text_of(item.get("text"))
    usage = item.get("usage")
    if usage is not None:
        if not isinstance(usage, dict):
            raise ValueError(f"usage is a {type(usage).__name__}, not an object")
        out["usage"] = {k: _count(v, f"usage.{k}") for k, v in usage.items()}
    for name in ("cost", "latency"):
        value = item.get(name)
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise ValueError(f"{name} {value!r} is not a number")
            try:
                out[name] = float(value)
            except ValueError:
                raise ValueError(f"{name} {value!r} is not a number") from None
            if not math.isfinite(out[name]):
                raise ValueError(f"{name} {value!r} is not a finite number")
    for name in ("error", "finish_reason"):
        if item.get(name) is not None and not isinstance(item[name], str):
            out[name] = str(item[name])
    _check_recorded(item.get("recorded"))
    return out


def _check_recorded(recorded) -> None:
    """An imported answer's ``recorded`` (PlanBench's verdict, t3's further verdicts, its
    GPT-4o translation), read by score, report and export: ValueError if not in its shape."""
    if recorded is None:
        return
    if not isinstance(recorded, dict):
        raise ValueError(f"recorded {short_repr(recorded)} is not an object")
    if recorded.get("verdicts") is not None and not isinstance(recorded["verdicts"], dict):
        raise ValueError(f"recorded.verdicts {short_repr(recorded['verdicts'])} is not an object")
    if recorded.get("raw_translation") is not None and not isinstance(recorded["raw_translation"], str):
        raise ValueError(f"recorded.raw_translation {short_repr(recorded['raw_translation'])} is not text")


def read_responses(run: Run, report=None) -> list[dict]:
    """The answers of a run, each checked (:func:`checked_response`). A bad line is
    reported with its number and why, counted and skipped; the rest is scored."""
    path = run.folder / RESPONSES_FILE
    if not path.exists():
        return []
    out, problems = [], []
    try:
        lines = list(read_json_lines(path))
    except OSError as error:
        raise InputError(str(path), 0, f"cannot read: {error.strerror or error}") from None
    for number, item, problem in lines:
        if problem is None:
            try:
                out.append(checked_response(item))
                continue
            except ValueError as error:
                problem = str(error)
        problems.append(f"{path}:{number}: {problem}; skipped")
    _report(problems, report)
    return out


def _report(problems: list[str], report=None, most: int = 5) -> None:
    """Problems to stderr (or ``report``), the first few in full, then how many more."""
    if not problems:
        return
    say = report or (lambda line: print(f"planbench: {line}", file=sys.stderr))
    for line in problems[:most]:
        say(line)
    if len(problems) > most:
        say(f"... and {len(problems) - most} more bad line(s) skipped")
