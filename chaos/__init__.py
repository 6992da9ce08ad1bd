"""Whole-stack chaos run: `python chaos/run.py` (see run.py and README.md)."""
