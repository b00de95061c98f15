"""The map outlines in a compact form: coordinates quantised to 0.001° (about 100 m, far below
what a 1:60 million outline shows), compact JSON, under a URL naming the outlines' release so
browsers keep them for a year (`/geo/nuts2021/<level>.<release>.geojson`)."""

import json

from django.urls import reverse

from .selectors import cached, geometries, release_infos

DECIMALS = 3


def version(level: int) -> int | None:
    return release_infos().get(f"nuts2021_rg_60m_l{level}", {}).get("release")


def _quantise(coords):
    if coords and isinstance(coords[0], int | float):
        return [round(c, DECIMALS) for c in coords]
    return [_quantise(c) for c in coords]


def _drop_repeats(ring: list) -> list:
    out = [p for i, p in enumerate(ring) if i == 0 or p != ring[i - 1]]
    return out if len(out) >= 4 else ring


def compact(level: int) -> bytes:
    """The level's FeatureCollection, quantised, as compact JSON bytes (cached by generation)."""

    def build():
        collection = geometries(level)
        for feature in collection["features"]:
            geom = feature["geometry"]
            coords = _quantise(geom["coordinates"])
            if geom["type"] == "Polygon":
                coords = [_drop_repeats(r) for r in coords]
            elif geom["type"] == "MultiPolygon":
                coords = [[_drop_repeats(r) for r in poly] for poly in coords]
            feature["geometry"] = {"type": geom["type"], "coordinates": coords}
        return json.dumps(collection, separators=(",", ":")).encode()

    return cached(f"outlines:{level}", build)


def versioned_url(url: str) -> str:
    """/geo/nuts2021/2.geojson -> /geo/nuts2021/2.<release>.geojson (unchanged if unknown)."""
    for level in (0, 1, 2):
        if url == reverse("indicators:geometry", args=[level]):
            v = version(level)
            return reverse("indicators:geometry-version", args=[level, v]) if v else url
    return url


def version_maps(context: dict) -> dict:
    """Point every choropleth of the context's panels at its versioned outlines (new dicts)."""

    def fix(panel):
        if not isinstance(panel, dict) or "figure" not in panel or not isinstance(panel["figure"], dict):
            return panel
        data = panel["figure"].get("data") or []
        traces = [
            {**t, "geojson": versioned_url(t["geojson"])} if isinstance(t.get("geojson"), str) else t
            for t in data
        ]
        return {**panel, "figure": {**panel["figure"], "data": traces}}

    out = dict(context)
    for name, value in context.items():
        if isinstance(value, list):
            out[name] = [fix(v) for v in value]
        elif isinstance(value, dict) and "figure" in value:
            out[name] = fix(value)
    return out
