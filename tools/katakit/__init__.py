"""Torch Katas tooling: the `kata` command and the pytest plugin behind it."""
