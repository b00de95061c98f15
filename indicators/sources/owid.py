"""Readers for two third-party CSV compilations used by the green scoreboard.

* **Our World in Data, CO2 and greenhouse gas emissions** (``owid-co2-data.csv``; columns
  ``iso_code, country, year`` then one column per measure). ISO 3166-1 alpha-3 codes become
  Eurostat geo codes (GRC -> EL, GBR -> UK, OWID_KOS -> XK; OWID's unlabelled 'EU-27' and
  'EU-28' rows -> EU27_2020, EU28; OWID_WRL -> WORLD; China -> CN_X_HK, as OWID's China
  excludes Hong Kong). Places outside this table (other continents' countries, OWID's
  'Europe' groupings) are not read. Licence CC BY 4.0: cite Our World in Data.
* **EEA EU ETS verified emissions by activity** (datahub.io aggregate of the EUTL:
  ``sector, year, emissions_mt``; sector like ``20 Combustion of fuels``): measure
  ``ETS<code>``, geo ``EU_ETS`` (all installations in the EU ETS registry, not EU27_2020).

Pure pandas, no Django. Malformed input raises ParseError naming the line.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

from .base import ParsedDataset, ParseError, duplicate_row, parse_numbers, read_text

OWID_KEYS = ["iso_code", "country", "year"]
# ISO 3166-1 alpha-3 (and OWID's own codes) -> Eurostat geo code: Europe and the comparators.
ISO3_TO_GEO = {
    "AUT": "AT", "BEL": "BE", "BGR": "BG", "CYP": "CY", "CZE": "CZ", "DEU": "DE", "DNK": "DK",
    "EST": "EE", "GRC": "EL", "ESP": "ES", "FIN": "FI", "FRA": "FR", "HRV": "HR", "HUN": "HU",
    "IRL": "IE", "ITA": "IT", "LTU": "LT", "LUX": "LU", "LVA": "LV", "MLT": "MT", "NLD": "NL",
    "POL": "PL", "PRT": "PT", "ROU": "RO", "SWE": "SE", "SVN": "SI", "SVK": "SK",
    "CHE": "CH", "ISL": "IS", "LIE": "LI", "NOR": "NO", "GBR": "UK",
    "ALB": "AL", "BIH": "BA", "MNE": "ME", "MKD": "MK", "SRB": "RS", "OWID_KOS": "XK",
    "TUR": "TR", "UKR": "UA", "MDA": "MD", "GEO": "GE", "BLR": "BY", "RUS": "RU",
    "AND": "AD", "FRO": "FO", "GIB": "GI",
    "USA": "US", "CHN": "CN_X_HK", "JPN": "JP", "KOR": "KR", "IND": "IN", "OWID_WRL": "WORLD",
    "OWID_EU27": "EU27_2020",
}  # fmt: skip
# OWID writes its EU aggregates without an iso_code; they are recognised by name only.
NAME_TO_GEO = {"EU-27": "EU27_2020", "EU-28": "EU28", "European Union (27)": "EU27_2020"}
ISO_RE = re.compile(r"^(?:[A-Z]{3}|OWID_[A-Z0-9]+)$")


def looks_like_owid(header: list[str]) -> bool:
    """OWID's key columns lead the header (their order changed between vintages)."""
    return sorted(header[:3]) == sorted(OWID_KEYS)


def looks_like_ets(header: list[str]) -> bool:
    return header[:3] == ["sector", "year", "emissions_mt"]


def _table(raw: bytes, source: str, width_from_header: bool = True) -> pd.DataFrame:
    text = read_text(raw, source)
    lines = text.split("\n")
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, on_bad_lines="error")
    except (pd.errors.ParserError, ValueError) as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise ParseError(source, f"malformed CSV ({exc})", int(line[1]) if line else None) from exc
    if table.empty:
        raise ParseError(source, "no data rows", 2 if len(lines) > 1 else 1)
    return table


def _year(column: pd.Series, source: str) -> None:
    bad = ~column.str.fullmatch(r"\d{4}")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ParseError(source, f"year {column.iloc[row]!r} is not a year", row + 2)


def parse_owid_csv(raw: bytes, source: str) -> ParsedDataset:
    """OWID CO2 data -> tidy frame (geo, indicator, period, value, flags); one row per value."""
    table = _table(raw, source)
    header = [c.strip() for c in table.columns]
    table.columns = header
    if not looks_like_owid(header):
        raise ParseError(
            source, f"header must start with {', '.join(OWID_KEYS)}; found {', '.join(header[:3])}", 1
        )
    measures = [c for c in header if c and c not in OWID_KEYS]
    if not measures:
        raise ParseError(source, "no measure columns after iso_code, country, year", 1)
    if len(set(header)) != len(header):
        raise ParseError(source, "a column name is repeated", 1)
    _year(table["year"], source)
    iso = table["iso_code"].str.strip()
    bad = (iso != "") & ~iso.str.match(ISO_RE)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ParseError(source, f"iso_code {iso.iloc[row]!r} is not an ISO 3166 alpha-3 code", row + 2)
    geo = iso.map(ISO3_TO_GEO)
    geo = geo.where(iso != "", table["country"].str.strip().map(NAME_TO_GEO))
    keep = geo.notna().to_numpy()
    table = table[keep].assign(geo=geo[keep].to_numpy())
    if table.empty:
        raise ParseError(source, "no row for a European country or comparator (ISO codes unknown)")
    line_of = np.flatnonzero(keep) + 2
    dup = duplicate_row(table, ["geo", "year"])
    if dup is not None:
        raise ParseError(
            source, f"{table['geo'].iloc[dup]} {table['year'].iloc[dup]} repeated", int(line_of[dup])
        )
    long = table.melt(id_vars=["geo", "year"], value_vars=measures, var_name="indicator", value_name="text")
    texts = long["text"].str.strip()
    values, wrong = parse_numbers(texts)
    if wrong.any():
        i = int(np.flatnonzero(wrong)[0])
        row, col = i % len(table), long["indicator"].iloc[i]
        raise ParseError(source, f"column {col}: {texts.iloc[i]!r} is not a number", int(line_of[row]))
    present = ~np.isnan(values)
    frame = pd.DataFrame(
        {
            "geo": pd.array(long["geo"].to_numpy()[present], dtype="str"),
            "indicator": pd.array(long["indicator"].to_numpy()[present], dtype="str"),
            "period": pd.array(long["year"].to_numpy()[present], dtype="str"),
            "value": values[present].astype("float64"),
            "flags": pd.array([""] * int(present.sum()), dtype="str"),
        }
    )
    return ParsedDataset(format="owid-csv", dimensions=("geo", "indicator"), frame=frame)


ETS_SECTOR = re.compile(r"^(\d{1,2})\s+(\S.*)$")


def parse_ets_csv(raw: bytes, source: str) -> ParsedDataset:
    """EEA EU ETS by activity -> tidy frame (geo EU_ETS, activity ETS<nn>, period, value)."""
    table = _table(raw, source)
    table.columns = [c.strip() for c in table.columns]
    if not looks_like_ets(list(table.columns)):
        raise ParseError(source, "header must be sector, year, emissions_mt", 1)
    sectors = table["sector"].str.strip()
    parts = sectors.str.extract(ETS_SECTOR)
    bad = parts[0].isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ParseError(source, f"sector {sectors.iloc[row]!r} is not '<code> <activity name>'", row + 2)
    _year(table["year"].str.strip(), source)
    values, wrong = parse_numbers(table["emissions_mt"].str.strip())
    if wrong.any():
        row = int(np.flatnonzero(wrong)[0])
        raise ParseError(source, f"emissions_mt {table['emissions_mt'].iloc[row]!r} is not a number", row + 2)
    frame = pd.DataFrame(
        {
            "geo": pd.array(["EU_ETS"] * len(table), dtype="str"),
            "activity": pd.array(("ETS" + parts[0].str.zfill(2)).to_numpy(), dtype="str"),
            "period": pd.array(table["year"].str.strip().to_numpy(), dtype="str"),
            "value": values,
            "flags": pd.array([""] * len(table), dtype="str"),
        }
    )
    dup = duplicate_row(frame, ["activity", "period"])
    if dup is not None:
        raise ParseError(source, f"{sectors.iloc[dup]} {frame['period'].iloc[dup]} repeated", dup + 2)
    frame = frame[~np.isnan(frame["value"].to_numpy())].reset_index(drop=True)
    labels = {
        "activity": dict(zip("ETS" + parts[0].str.zfill(2), parts[1].str.strip(), strict=True)),
        "geo": {"EU_ETS": "All installations in the EU Emissions Trading System (EUTL)"},
    }
    return ParsedDataset(format="eea-ets-csv", dimensions=("geo", "activity"), frame=frame, labels=labels)
