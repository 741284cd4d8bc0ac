"""The run stage: asking a model, turn by turn, and keeping every answer.

- :mod:`~planbench.run.execute`: a run directory's run (what is asked, live or by batch);
- :mod:`~planbench.run.turns`: where each conversation stands, and the request that goes on with it;
- :mod:`~planbench.run.runner`: scheduling, retries, cache and cost for every turn;
- :mod:`~planbench.run.workers`: several processes for one run;
- :mod:`~planbench.run.batch`: OpenAI's Batch API, and batch files for vLLM's run-batch;
- :mod:`~planbench.run.strategies`: what follows an answer (single, vote, revise, backprompt);
- :mod:`~planbench.run.models`: the OpenAI SDK and offline models behind one interface;
- :mod:`~planbench.run.translations`: PlanBench's GPT-4o translation requests.
"""
