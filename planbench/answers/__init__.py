"""The answer stage: from a model's text to a plan.

- :mod:`~planbench.answers.extract`: the default extractor (segment, candidates, choice);
- :mod:`~planbench.answers.steps`: one step line into actions, in an encoding's words;
- :mod:`~planbench.answers.segment`: the Markdown structure of an answer;
- :mod:`~planbench.answers.rules`: PlanBench's rule parsers, each generation;
- :mod:`~planbench.answers.translate`: PlanBench's GPT-4o translation and its post-processing.
"""

from planbench.answers.extract import Candidate, Extraction, extract
from planbench.answers.rules import RULE_GENERATIONS, planbench_pddl, planbench_rule

__all__ = ["Candidate", "Extraction", "extract", "RULE_GENERATIONS", "planbench_pddl", "planbench_rule"]
