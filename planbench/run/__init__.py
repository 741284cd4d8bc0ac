"""The run stage: asking a model, turn by turn, and keeping every answer.

- :mod:`~planbench.run.execute`: a run directory's run (what is asked, what is missing);
- :mod:`~planbench.run.runner`: scheduling, retries, cache and cost for every turn;
- :mod:`~planbench.run.workers`: several processes for one run;
- :mod:`~planbench.run.strategies`: what follows an answer (single, vote, revise, backprompt);
- :mod:`~planbench.run.models`: the OpenAI SDK and offline models behind one interface;
- :mod:`~planbench.run.translations`: PlanBench's GPT-4o translation requests.
"""
