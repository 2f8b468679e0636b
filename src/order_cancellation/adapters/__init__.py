"""Adapters: the ports implemented over memory, databases and payment services."""
