"""mosaic_learn: trains agents on mosaic tasks from pairs of episodes (see DESIGN.md section 8)."""

__version__ = "0.1.0"
