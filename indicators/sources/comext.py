"""Eurostat Comext detailed trade (CN8 × partner), annual: the bulk/extract CSV layout.

The columns we read (others are ignored): ``DECLARANT_ISO`` (reporting member state),
``PARTNER_ISO``, ``PRODUCT_NC`` (CN8), ``FLOW`` (1 import, 2 export), ``PERIOD`` (``YYYY`` or
Comext's annual ``YYYY52``), ``VALUE_IN_EUROS`` and optionally ``QUANTITY_IN_KG``; rows that differ
only by ``STAT_REGIME``/``TRADE_TYPE`` are summed. Codes are read as strings (leading zeros kept;
``NA`` is Namibia, never "missing").

Partner codes are normalised to Eurostat's geo codes where Comext differs (GR -> EL, GB -> UK,
XS -> RS); partner validity is ISO 3166 (pycountry) plus Comext's own codes below.

The result frame: reporter, partner, product, flow, period (str), value (float, EUR),
quantity (float kg, NaN when not published).
"""

from __future__ import annotations

import io
import re

import pandas as pd
import pycountry

from .base import ParsedDataset, ParseError, read_text

FORMAT = "comext-csv"
REQUIRED = ("DECLARANT_ISO", "PARTNER_ISO", "PRODUCT_NC", "FLOW", "PERIOD", "VALUE_IN_EUROS")
SUMMED_OVER = ("STAT_REGIME", "TRADE_TYPE")
KEY = ["reporter", "partner", "product", "flow", "period"]

#: Comext partner codes that differ from Eurostat's geo codes (ours -> the portal's).
PARTNER_RENAMES = {"GR": "EL", "GB": "UK", "XS": "RS"}
#: Comext's own partner codes that are not ISO 3166 countries (Eurostat's Comext partner list).
COMEXT_PARTNERS = {
    "XC": "Ceuta",
    "XL": "Melilla",
    "XK": "Kosovo",
    "XS": "Serbia",
    "EL": "Greece",
    "UK": "United Kingdom",
    "RS": "Serbia",
    "QP": "High seas",
    "QQ": "Stores and provisions",
    "QR": "Stores and provisions (intra-EU)",
    "QS": "Stores and provisions (extra-EU)",
    "QU": "Countries and territories not specified",
    "QV": "Countries and territories not specified (intra-EU)",
    "QW": "Countries and territories not specified (extra-EU)",
    "QX": "Countries and territories not specified (commercial or military reasons)",
    "QY": "Secret countries (intra-EU)",
    "QZ": "Secret countries (extra-EU)",
}
#: Partners a value cannot be attributed to (kept in totals, never a supplier in a concentration).
UNALLOCATED = frozenset(c for c in COMEXT_PARTNERS if c.startswith("Q"))

_ISO2 = frozenset(c.alpha_2 for c in pycountry.countries)
KNOWN_PARTNERS = _ISO2 | frozenset(COMEXT_PARTNERS)
_CN8 = re.compile(r"^\d{8}$")
_PERIOD = re.compile(r"^(\d{4})(52)?$")
_DECIMAL = re.compile(r"^(?:\d+\.?\d*|\.\d+)$")


def is_header(first_line: str) -> bool:
    names = {c.strip().strip('"') for c in first_line.split(",")}
    return {"PRODUCT_NC", "VALUE_IN_EUROS"} <= names


def partner_name(code: str) -> str:
    if code in COMEXT_PARTNERS:
        return COMEXT_PARTNERS[code]
    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or (country.name if country else code)


def parse(raw: bytes, source: str) -> ParsedDataset:
    """Parse a Comext CSV; ParseError (file, line, reason) for anything we would misread."""
    text = read_text(raw, source)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise ParseError(source, f"not a readable CSV ({exc})") from exc
    frame.columns = [c.strip().strip('"') for c in frame.columns]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise ParseError(source, f"missing column(s) {', '.join(missing)}", 1)
    if frame.empty:
        raise ParseError(source, "no data rows", 2)
    line = pd.Series(range(2, len(frame) + 2), index=frame.index)  # header is line 1

    def fail(mask: pd.Series, reason: str) -> None:
        if mask.any():
            first = mask.idxmax()
            raise ParseError(source, reason.format(**frame.loc[first].to_dict()), int(line[first]))

    for name in REQUIRED:
        frame[name] = frame[name].str.strip()
    reporter = frame["DECLARANT_ISO"].replace(PARTNER_RENAMES)
    partner = frame["PARTNER_ISO"].replace(PARTNER_RENAMES)
    fail(~reporter.str.fullmatch(r"[A-Z]{2}"), "reporter {DECLARANT_ISO!r} is not a two-letter code")
    fail(~partner.isin(KNOWN_PARTNERS), "unknown partner code {PARTNER_ISO!r}")
    fail(~frame["PRODUCT_NC"].str.fullmatch(_CN8), "product {PRODUCT_NC!r} is not an 8-digit CN code")
    fail(~frame["FLOW"].isin(["1", "2"]), "flow {FLOW!r} is neither 1 (import) nor 2 (export)")
    period = frame["PERIOD"].str.extract(_PERIOD)
    fail(period[0].isna(), "period {PERIOD!r} is not a year (YYYY or Comext's annual YYYY52)")
    value = frame["VALUE_IN_EUROS"]
    fail(value.str.startswith("-"), "negative trade value {VALUE_IN_EUROS!r}")
    fail(~value.str.fullmatch(_DECIMAL), "trade value {VALUE_IN_EUROS!r} is not a number")
    quantity = frame.get("QUANTITY_IN_KG")
    if quantity is not None:
        quantity = quantity.str.strip()
        fail(quantity.str.startswith("-"), "negative quantity {QUANTITY_IN_KG!r}")
        fail(
            (quantity != "") & ~quantity.str.fullmatch(_DECIMAL),
            "quantity {QUANTITY_IN_KG!r} is not a number",
        )
    tidy = pd.DataFrame(
        {
            "reporter": reporter,
            "partner": partner,
            "product": frame["PRODUCT_NC"],
            "flow": frame["FLOW"],
            "period": period[0],
            "value": value.astype("float64"),
            "quantity": pd.to_numeric(quantity, errors="coerce") if quantity is not None else float("nan"),
        }
    )
    fail(tidy["reporter"] == tidy["partner"], "a member state trading with itself ({DECLARANT_ISO})")
    regimes = [c for c in SUMMED_OVER if c in frame.columns]
    duplicate = tidy.assign(**{c: frame[c] for c in regimes}).duplicated(KEY + regimes, keep="first")
    fail(
        duplicate,
        "duplicate row for {DECLARANT_ISO} {PARTNER_ISO} {PRODUCT_NC} flow {FLOW} {PERIOD}",
    )
    if regimes:
        tidy = tidy.groupby(KEY, as_index=False, sort=False).agg(
            value=("value", "sum"), quantity=("quantity", lambda s: s.sum(min_count=len(s)))
        )
    return ParsedDataset(format=FORMAT, dimensions=tuple(KEY[:-1]), frame=tidy.reset_index(drop=True))
