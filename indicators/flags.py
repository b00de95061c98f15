"""Eurostat observation flags, old set and the 2025 set. Our own markers: compute/markers.py."""

FLAGS = {
    "b": "break in time series",
    "c": "confidential",
    "d": "definition differs (see metadata)",
    "e": "estimated",
    "f": "forecast",
    "i": "see metadata (old Eurostat flag)",
    "m": "missing value; data cannot exist",
    "n": "not significant",
    "p": "provisional",
    "r": "revised",
    "s": "Eurostat estimate",
    "u": "low reliability",
    "z": "not applicable",
    "N": "not for publication, restricted for internal use (2025 confidentiality status)",
    "P": "confidential for non-statistical reasons (2025 confidentiality status)",
}
# Since 27 January 2025 Eurostat reports confidentiality separately (C, N, P). The parsers fold
# C into "c" so that "c" means confidential in every vintage; N and P stay upper-case because
# their lower-case letters already mean "not significant" and "provisional".


def describe(flags: str) -> str:
    """Legend text for a display string: the publisher's letters, then our markers (A, E, I:
    upper-case letters no publisher uses), each said to be ours."""
    from .compute.markers import MARKERS

    return "; ".join(
        f"observatory: {MARKERS[letter]}" if letter in MARKERS else FLAGS.get(letter, f"flag {letter}")
        for letter in flags
    )
