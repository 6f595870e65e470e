"""mosaic_learn: trains agents on mosaic tasks from pairs of episodes (DESIGN.md section 8).

Modules: ``policy`` (HF and OpenAI-compatible policies), ``rollout`` (batched episodes over a
vector env, token streams), ``judges`` and ``pairs`` (pairwise verdicts, episode pairs),
``sft`` / ``dpo`` / ``grpo`` (trainers on TRL), ``evaluate``, ``tiny`` (the local tiny model),
``demo`` and ``cli`` (``mosaic-learn``). Importing this package needs no torch; the modules that
train or generate need the ``[learn]`` extra.
"""

__version__ = "0.1.0"
