"""Demo data for shilian: Wenling's sunshine workshops and months of activity.

Sits at the top of the layering (like ``config``): it drives the registry, catalog
and chain actions, and nothing imports it. ``shilian demo`` loads it.
"""
