"""planbench-llm: PlanBench's GPT-4o translation extractor, recorded and live."""

from __future__ import annotations

import json

import pytest

from conftest import ref_path
from openai_server import OpenAIServer
from planbench.results.importer import import_results
from planbench.runs import read_responses, read_run
from planbench.results.score import score_run
from planbench import encodings
from planbench.answers.translate import PROMPT, postprocess, translation_query

FILES = [
    "blocksworld_3/o1-mini_chat/task_1_plan_generation_zero_shot.json",
    "mystery_blocksworld_3/o1-mini_chat/task_1_plan_generation_zero_shot.json",
    "obfuscated_randomized_blocksworld_3/o1-mini_chat/task_1_plan_generation_zero_shot.json",
]
LLAMA = "blocksworld/llama-3.1-405b_aws/task_1_plan_generation_zero_shot.json"
# The LLaMA-3.1-405B file was post-processed by another version than FACTS.md §5.3: for
# Blocksworld it reads only lines that begin with '(' and keeps digits (id 83: the numbered
# prose steps before the PDDL block are not read twice; id 209: '1. (unstack orange blue)'
# gives an empty plan). That version, planbench-llm-parens, reproduces all 500 stored plans
# and verdicts; §5.3's rule differs on these 13 verdicts, (id, recorded verdict):
LLAMA_DIFFERENCES = {(79, True), (83, True), (163, True), (206, True), (209, False), (225, True), (267, False),
                     (350, True), (358, True), (374, True), (413, True), (424, False), (454, True)}


@pytest.mark.parametrize("relative", FILES)
def test_recorded_translations_reproduce_recorded_verdicts(tmp_path, relative) -> None:
    import_results(ref_path("responses", relative), tmp_path / "run")
    rows = score_run(read_run(tmp_path / "run"), "planbench-llm")
    assert all(r["valid"] == bool(r["recorded_verdict"]) for r in rows)


def test_llama_file_is_the_parens_version(tmp_path) -> None:
    import_results(ref_path("responses", LLAMA), tmp_path / "run")
    run = read_run(tmp_path / "run")
    rows = score_run(run, "planbench-llm")
    differing = {(r["id"], r["recorded_verdict"]) for r in rows if r["valid"] != bool(r["recorded_verdict"])}
    assert differing == LLAMA_DIFFERENCES
    rows = score_run(run, "planbench-llm-parens")
    assert len(rows) == 500 and all(r["valid"] == bool(r["recorded_verdict"]) for r in rows)


@pytest.mark.parametrize("relative, parens_only, expected", [
    (LLAMA, True, 500), (LLAMA, False, 467), (FILES[0], False, 100), (FILES[0], True, 96)])
def test_stored_plans_tell_the_two_versions_apart(relative, parens_only, expected) -> None:
    """Each version rebuilds the plans PlanBench stored (``extracted_llm_plan``) for its
    own files, and not for the other's: two post-processings were used, not one."""
    encoding = encodings.get("blocksworld")
    instances = json.loads(ref_path("responses", relative).read_text())["instances"]
    same = sum("\n".join(encoding.action_to_pddl(a) for a in postprocess(i["raw_translation"], encoding, parens_only))
               == (i.get("extracted_llm_plan") or "").strip() for i in instances)
    assert same == expected


def test_prompt_is_planbench_s() -> None:
    assert PROMPT.startswith("\nExtract the plan from the text below and convert it to a PDDL plan.\n")
    assert PROMPT.endswith("[PDDL PLAN]\nno plan possible\n[PDDL PLAN END]\n")
    assert translation_query("ANSWER").endswith("\n\n[RAW TEXT]\nANSWER\n\n[PDDL PLAN]")


def test_new_translations_go_through_the_client_and_cache(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PLANBENCH_TEST_KEY", "sk-test")
    import_results(ref_path("responses", "blocksworld_3/gpt-4o_chat/task_1_plan_generation_zero_shot.json"),
                   tmp_path / "run")
    with OpenAIServer() as server:
        server.answer = lambda body: "[PDDL PLAN]\n(pick-up red)\n(stack red orange)\n[PDDL PLAN END]"
        translator = {"model": "gpt-4o", "base_url": server.base_url, "api_key_env": "PLANBENCH_TEST_KEY",
                      "cache_dir": str(tmp_path / "cache")}
        rows = score_run(read_run(tmp_path / "run"), "planbench-llm", translator)
        distinct = len({r["text"] for r in read_responses(read_run(tmp_path / "run"))})
        assert server.requests == distinct  # identical answers share one translation
        again = score_run(read_run(tmp_path / "run"), "planbench-llm", translator)
        assert server.requests == distinct  # cached
    assert rows == again
    assert all(r["extractor"] == "planbench-llm" and r["plan_length"] == 2 for r in rows)
    assert any(r["outcome"] == "valid" for r in rows) and any(r["outcome"] == "invalid" for r in rows)
