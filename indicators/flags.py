"""Eurostat observation flags, old set and the 2025 set, plus the observatory's own."""

FLAGS = {
    "b": "break in time series",
    "c": "confidential",
    "d": "definition differs (see metadata)",
    "e": "estimated",
    "f": "forecast",
    "i": "see metadata (old flag) / incomplete (observatory aggregate)",
    "m": "missing value; data exist but were not collected",
    "n": "not significant",
    "p": "provisional",
    "r": "revised",
    "s": "Eurostat estimate",
    "u": "low reliability",
    "z": "not applicable",
    "a": "aggregated by the observatory from member states",
}
# Since 27 January 2025 Eurostat reports confidentiality separately (C, N, P); parsers fold
# those into the lower-case letters above so that one flags string describes a value.


def describe(flags: str) -> str:
    return "; ".join(FLAGS.get(letter, f"flag {letter}") for letter in flags)
