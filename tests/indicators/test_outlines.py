"""Compact map outlines under a versioned URL, cached for a year (indicators/outlines.py)."""

import gzip
import json

from indicators import outlines


def test_page_maps_use_versioned_outlines_cached_as_immutable(client, loaded_profiles):
    response = client.get("/ecosystems/tourism/")
    urls = {
        t["geojson"]
        for p in response.context["panels"]
        for t in p["figure"].get("data", [])
        if isinstance(t.get("geojson"), str)
    }
    assert urls, "the ecosystem page draws a map of countries"
    version = outlines.version(0)
    assert urls == {f"/geo/nuts2021/0.{version}.geojson"}
    outline = client.get(f"/geo/nuts2021/0.{version}.geojson", HTTP_ACCEPT_ENCODING="gzip")
    assert outline["Cache-Control"] == "public, max-age=31536000, immutable"
    assert outline["Content-Encoding"] == "gzip"
    body = json.loads(gzip.decompress(outline.content))
    assert "AT" in {f["id"] for f in body["features"]}
    plain = client.get("/geo/nuts2021/0.geojson")
    assert "immutable" not in plain["Cache-Control"]
    stale = client.get(f"/geo/nuts2021/0.{version + 1000}.geojson")
    assert "immutable" not in stale["Cache-Control"]


def test_outlines_are_quantised_and_keep_every_feature(loaded_profiles):
    from indicators.selectors import geometries

    full = geometries(2)
    small = json.loads(outlines.compact(2))
    assert [f["id"] for f in small["features"]] == [f["id"] for f in full["features"]]
    assert len(outlines.compact(2)) < len(json.dumps(full).encode())

    def coords(c):
        return [c] if isinstance(c[0], int | float) else [x for part in c for x in coords(part)]

    for feature in small["features"]:
        for lon, lat in coords(feature["geometry"]["coordinates"]):
            assert round(lon, 3) == lon and round(lat, 3) == lat
