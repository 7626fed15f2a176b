"""Charms the benchmark runs: written against the ops API common to ops 2.4.1 and ops 3.9."""
