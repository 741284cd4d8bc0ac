"""Runs on batch engines: OpenAI's Batch API, and files for vLLM's ``run-batch``.

A batch run asks exactly what a live run asks (the same request bodies, the request key as
``custom_id``) and writes the answers to ``responses.jsonl`` in the same lines, so scoring
and reports cannot tell the two apart except by price. The pieces:

- :mod:`~planbench.run.batch.files`: the JSONL request and result lines (OpenAI's format,
  which vLLM's batch runner reads and writes too), split under the provider's limits;
- :mod:`~planbench.run.batch.ledger`: ``RUN_DIR/batch/batches.jsonl``, every file written,
  uploaded, submitted and collected, recorded the moment it happens, so a killed run
  collects what it submitted and never submits it again;
- :mod:`~planbench.run.batch.openai_batch`: the Files and Batch API through the official SDK;
- :mod:`~planbench.run.batch.engine`: ``planbench run --batch``, wave by wave (one batch
  per round of a multi-turn strategy);
- :mod:`~planbench.run.batch.offline`: ``planbench batch export`` / ``batch import``, the same
  files for engines planbench does not drive.
"""
