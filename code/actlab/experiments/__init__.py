"""Experiments that chapters run: reusable, seeded, tested (each module documents its own)."""
