"""The prompt stage: what is asked of a model.

- :mod:`~planbench.prompts.styles`: PlanBench's prompt styles, byte-identical to its own;
- :mod:`~planbench.prompts.feedback`: the messages that follow an answer in a conversation
  (PlanBench's validator critique for back-prompting, the self-revision request).
"""

from planbench.prompts.styles import (ONE_SHOT, STYLES, SYSTEM_MESSAGE, PromptOptions, check_style, introduction,
                                      is_planbench_part, join_atoms, plan_text, prompt_records, queries_and_examples,
                                      randomized_introduction, render, statement, statement_atoms)

__all__ = ["ONE_SHOT", "STYLES", "SYSTEM_MESSAGE", "PromptOptions", "check_style", "introduction", "is_planbench_part",
           "join_atoms", "plan_text", "prompt_records", "queries_and_examples", "randomized_introduction", "render",
           "statement", "statement_atoms"]
