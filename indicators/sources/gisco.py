"""Parser for GISCO NUTS GeoJSON files (NUTS_RG_*_LEVL_<n>.geojson, NUTS_LB_*.geojson)."""

from __future__ import annotations

import json

import pandas as pd

from .base import ParsedDataset, ParseError, read_text

# GeoJSON property -> frame column (besides geometry). NUTS_ID and LEVL_CODE are required.
_PROPERTIES = {
    "NUTS_ID": "nuts_id",
    "LEVL_CODE": "level",
    "CNTR_CODE": "country",
    "NAME_LATN": "name_latn",
    "NUTS_NAME": "name",
}
_LEVELS = range(4)  # NUTS 0 (countries) to NUTS 3


def parse_geojson(raw: bytes, source: str) -> ParsedDataset:
    """Parse a GISCO NUTS FeatureCollection (gzip or plain).

    Returns format 'gisco-geojson', dimensions ('nuts_id',) and a frame with columns
    nuts_id, level (int), country, name_latn, name (NUTS_NAME) and geometry (the geometry
    object as compact JSON text), one row per feature in file order. Raises ParseError when
    the JSON is invalid, is not a FeatureCollection, a feature lacks NUTS_ID / LEVL_CODE /
    geometry, a level is not 0-3 or a NUTS_ID appears twice.
    """
    text = read_text(raw, source)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(source, f"invalid JSON ({exc.msg})", exc.lineno) from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ParseError(source, "not a GeoJSON FeatureCollection")
    features = doc.get("features")
    if not isinstance(features, list) or not features:
        raise ParseError(source, "FeatureCollection has no features")
    rows = [_feature_row(feature, number, source) for number, feature in enumerate(features)]
    frame = pd.DataFrame(rows, columns=[*_PROPERTIES.values(), "geometry"])
    dup = frame["nuts_id"].duplicated()
    if dup.any():
        raise ParseError(source, f"duplicate NUTS_ID {frame['nuts_id'][dup].iloc[0]!r}")
    for column in ("nuts_id", "country", "name_latn", "name", "geometry"):
        frame[column] = frame[column].astype("str")
    frame["level"] = frame["level"].astype("int64")
    return ParsedDataset(format="gisco-geojson", dimensions=("nuts_id",), frame=frame)


def _feature_row(feature: object, number: int, source: str) -> list[object]:
    """One frame row from one feature; ``number`` (0-based) names it in errors."""
    where = f"feature {number}"
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ParseError(source, f"{where} is not a GeoJSON Feature")
    props = feature.get("properties")
    if not isinstance(props, dict):
        raise ParseError(source, f"{where} has no properties")
    nuts_id = props.get("NUTS_ID")
    if not isinstance(nuts_id, str) or not nuts_id.strip():
        raise ParseError(source, f"{where} is missing NUTS_ID")
    level = props.get("LEVL_CODE")
    # bool is an int subclass; True is not a NUTS level. Some exports write levels as "2".
    if isinstance(level, str) and level.strip().isdigit():
        level = int(level)
    if isinstance(level, bool) or not isinstance(level, int):
        raise ParseError(source, f"{where} ({nuts_id}) is missing LEVL_CODE")
    if level not in _LEVELS:
        raise ParseError(source, f"{where} ({nuts_id}) has LEVL_CODE {level}, expected 0-3")
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict) or "type" not in geometry:
        raise ParseError(source, f"{where} ({nuts_id}) has no geometry")
    return [
        nuts_id.strip(),
        level,
        _text(props.get("CNTR_CODE")) or nuts_id.strip()[:2],
        _text(props.get("NAME_LATN")),
        _text(props.get("NUTS_NAME")),
        json.dumps(geometry, separators=(",", ":"), ensure_ascii=False),
    ]


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
