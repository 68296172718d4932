"""Seed: synthetic populations and the demo service. Top of the dependency stack: it writes
through every domain's services (the `…_for_seed` ones for bulk loads), and nothing imports it.

Owns: the pure population generator (`population`, `trajectories`), the bulk loader (`loader`),
the demo personas (`demo`) and the `careloop seed` command. Everything it makes is synthetic;
nothing identifies a real person.
"""
