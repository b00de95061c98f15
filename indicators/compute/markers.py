"""The observatory's own markers on computed figures, kept apart from the publisher's flags.

Pure Python (no Django), so compute functions, panels and the methodology page share one legend.
``IndicatorValue.flags`` holds the publisher's letters only (Eurostat's ``b c d e i p r u``...,
see ``indicators/flags.py``); ``IndicatorValue.markers`` holds these upper-case letters.
"""

AGGREGATE = "A"
ESTIMATE = "E"
INCOMPLETE = "I"

# Order = the order letters are written in a markers string.
MARKERS = {
    AGGREGATE: "computed by the observatory as a sum of published figures (EU27_2020 from its "
    "member states, or a business-economy total from its sections)",
    ESTIMATE: "includes observatory estimates: member states' missing cells of an EU27 sum "
    "(interpolated between the years the member published them, or its nearest published year "
    "moved with the other members' change; marked when they exceed 1% of the figure; the members "
    "estimated are listed), or a region's part of an older NUTS region split by population",
    INCOMPLETE: "incomplete: some components are missing or confidential and not estimated; "
    "the value, when shown, is a lower bound; never ranked and never the base of a change "
    "(missing members are listed)",
}
LETTERS = "".join(MARKERS)


def describe(markers: str) -> str:
    """Legend text for a markers string, e.g. ``"AI"``."""
    return "; ".join(MARKERS.get(letter, f"marker {letter}") for letter in markers)


def is_incomplete(markers: str) -> bool:
    return INCOMPLETE in (markers or "")
