"""planbench: measure whether large language models can plan.

One world (Blocksworld, :mod:`planbench.world`), many encodings
(:mod:`planbench.encodings`), an exact validator (:mod:`planbench.validate`).
"""

__version__ = "0.1.0"
