"""Seed: synthetic populations and the demo service. Top of the dependency stack: it may write
through every domain, and nothing imports it.

Owns: the pure population generator (`population`, `trajectories`), the bulk loader and the
`careloop seed` command. Everything it makes is synthetic; nothing identifies a real person.
"""
