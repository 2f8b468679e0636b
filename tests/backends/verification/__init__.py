"""Verification on every backend: the lifecycle machine, the differential run, bad input."""
