"""Runnable examples: `python -m ember.examples.digits` (the main demo), `...hooks_gradcam`."""
