"""PlanBench inside Inspect AI, and Inspect's logs back into planbench.

Installed with ``pip install 'planbench[inspect]'`` and registered through Inspect's entry
point (``[project.entry-points.inspect_ai]`` in pyproject.toml), so that

    inspect eval planbench/planbench --model openai/gpt-4o-mini -T set=planbench-3 -T encoding=mystery

runs planbench's prompts (byte for byte as ``planbench prompts`` writes them) and scores the
answers with planbench's extractor and validator. ``planbench import LOG.eval`` reads such a
log back into a run directory.

This folder sits above every stage: it imports from them, none of them imports it, and
``import planbench`` never imports Inspect (a test checks). The modules:

- :mod:`.questions`: a task's questions on a set (planbench's prompts, their truth), as
  Inspect samples, and back from a sample's metadata;
- :mod:`.answers`: one answer of an Inspect model as a line of ``responses.jsonl``, and its
  verdict, the same function for the scorer and for the import;
- :mod:`.scorer`: the scorer, its metrics, and planbench's vote as an epochs reducer;
- :mod:`.solver`: the solver that sends the prompt, and planbench's follow-ups (back-prompting);
- :mod:`.task`: the ``planbench/planbench`` task;
- :mod:`.logs`: an Inspect log (``.eval`` or ``.json``) into a run directory.
"""
