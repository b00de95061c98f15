"""Cluster organisations, their collaboration offers and events (issue 15, collaboration half).

Same layering as the forum: models here (imported by community.models), reads in selectors,
access in access, every write in actions. Follows and notifications are the forum's own models,
extended with organisation/offer/ecosystem/region targets.
"""
