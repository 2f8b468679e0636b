"""Reliability tests: races, crashes and durability settings, each printing its figure."""
