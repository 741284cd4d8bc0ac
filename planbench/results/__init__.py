"""The results stage: from run directories to verdicts, tables, plots and reports.

- :mod:`~planbench.results.importer`: PlanBench's results files as run directories;
- :mod:`~planbench.results.score`: a verdict per answer (``scores.csv``), summaries;
- :mod:`~planbench.results.compare`: two runs on the same instances, paired;
- :mod:`~planbench.results.report`: ``report.md``, the interactive ``report.html``, plots;
- :mod:`~planbench.results.show`: one answer's verdict, explained;
- :mod:`~planbench.results.api`: ``load``, ``evaluate`` and ``export`` for notebooks.

Run directories themselves (files, locks, reading lines others wrote) are
:mod:`planbench.runs`, shared with the run stage.
"""
