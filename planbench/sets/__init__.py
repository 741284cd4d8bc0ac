"""The sets stage: bundled and generated instance sets with their optimal plans.

``instances`` (reading sets and their manifests), ``generate`` (seeded random sets,
unsolvable goals) and ``reference`` (reference planners for cross-checks). Built on
:mod:`planbench.world`; knows nothing of prompts or models.
"""
