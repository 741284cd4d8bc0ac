"""An instance set with its prompts as a Hugging Face ``datasets`` folder (``planbench sets export``).

One row per asked instance and (encoding, style): the instance itself in canonical
Blocksworld (blocks, towers bottom first, goal pairs, an optimal plan and its length) beside
the prompt exactly as ``planbench prompts`` writes it and the gold plan in the encoding's
names. Written with ``datasets.Dataset.save_to_disk``, so ``datasets.load_from_disk`` reads it
and ``push_to_hub`` publishes it; ``datasets`` is the ``hf`` extra, imported only here.
"""

from __future__ import annotations

from pathlib import Path

from planbench.errors import InputError
from planbench.prompts.styles import PromptOptions, check_style, prompt_records
from planbench.sets.instances import InstanceSet
from planbench.world import encodings

INSTALL = "writing a Hugging Face dataset needs the datasets library: pip install 'planbench[hf]'"
DESCRIPTION = ("PlanBench's Blocksworld instances (Valmeekam et al., NeurIPS 2023 Datasets and Benchmarks) with "
               "PlanBench's prompts, byte for byte, as planbench (https://pypi.org/project/planbench/) renders them. "
               "Each row is one instance asked in one encoding and prompt style; the plan fields are optimal plans "
               "proven by planbench's solver (PlanBench's own gold plans for its sets).")
CITATION = ("@inproceedings{valmeekam2023planbench, title={PlanBench: An Extensible Benchmark for Evaluating Large "
            "Language Models on Planning and Reasoning about Change}, author={Valmeekam, Karthik and Marquez, Matthew "
            "and Olmo, Alberto and Sreedharan, Sarath and Kambhampati, Subbarao}, booktitle={NeurIPS Datasets and "
            "Benchmarks}, year={2023}}")


def set_rows(instance_set: InstanceSet, encoding_names: list[str], styles: list[str],
             options: PromptOptions = PromptOptions()) -> list[dict]:
    """The rows, encodings outermost then styles, instances in the set's order."""
    for style in styles:
        check_style(style)
    rows = []
    for name in encoding_names:
        encoding = encodings.get(name)
        for style in styles:
            for record in prompt_records(instance_set, encoding, style, options):
                instance = instance_set.find(record["part"], record["id"])
                canonical = instance.to_record()
                rows.append({
                    "set": instance_set.name, "part": record["part"], "id": record["id"],
                    "blocks": instance.blocks, "init": canonical["init"], "goal": canonical["goal"],
                    "solvable": instance.solvable, "optimal_length": instance.length,
                    "optimal_plan": canonical["plan"],
                    "encoding": encoding.name, "style": style, "example_id": record["example_id"],
                    "system_message": record["system_message"], "prompt": record["prompt"],
                    "gold_plan_pddl": record["gold_plan_pddl"], "gold_plan_text": record["gold_plan_text"],
                })
    return rows


def features():
    """The columns' types, fixed (not guessed from the rows: an empty plan or a set with no
    unsolvable instance would change them)."""
    from datasets import Features, List, Value

    text, number, texts = Value("string"), Value("int64"), List(Value("string"))
    return Features({
        "set": text, "part": text, "id": number, "blocks": number, "init": List(texts), "goal": List(texts),
        "solvable": Value("bool"), "optimal_length": number, "optimal_plan": texts, "encoding": text, "style": text,
        "example_id": number, "system_message": text, "prompt": text, "gold_plan_pddl": texts,
        "gold_plan_text": texts,
    })


def write_hf(rows: list[dict], out: Path) -> Path:
    """``rows`` as a ``datasets`` folder at ``out`` (``save_to_disk``)."""
    try:
        import datasets
    except ImportError:
        raise InputError("--format hf", 0, INSTALL) from None
    columns = features()
    info = datasets.DatasetInfo(description=DESCRIPTION, citation=CITATION, license="mit", features=columns,
                                homepage="https://github.com/karthikv792/LLMs-Planning")
    dataset = datasets.Dataset.from_list(rows, features=columns, info=info)
    quiet = datasets.utils.are_progress_bars_disabled()
    datasets.utils.disable_progress_bars()  # one line says what was written; no bar for a second's work
    try:
        dataset.save_to_disk(str(out))
    except OSError as error:
        raise InputError(str(out), 0, f"cannot write the dataset there: {error.strerror or error}") from None
    finally:
        if not quiet:
            datasets.utils.enable_progress_bars()
    return out
