"""Ecosystem pairs ("innovation-driven locomotives"): the pure function recomputed with plain pandas
from our fixture files (mapping, cluster definitions, technology weights) and the real WIPO35–NACE
concordance in the mirror; then the page, its CSV, permalinks, bad input, the methodology section,
and the matchmaking reason from strong clusters, on the cluster pages' hand-made regional file."""

import csv
import io
import os
from pathlib import Path

import pandas as pd
import pytest

from indicators.compute import locomotives as L
from tests.indicators import test_cluster_pages

clusters_loaded = test_cluster_pages.clusters_loaded  # the cluster pages' hand-made universe

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "reference"
CONCORDANCE = "reference/patent_nace_concordance/IPC_WIPO35_by_NACE2_concordance_table.xlsx"
PARAMS = {"weights": {"activities": 0.35, "clusters": 0.3, "technologies": 0.2, "dependencies": 0.15},
          "related_min": 0.25}  # fmt: skip


def fixture(name: str) -> pd.DataFrame:
    text = "".join(line for line in (FIXTURES / name).open(encoding="utf-8") if not line.startswith("#"))
    return pd.read_csv(io.StringIO(text), dtype={"nace": str})


@pytest.fixture(scope="module")
def raw():
    from indicators.sources.concordance import parse_concordance

    mirror = Path(os.environ.get("OBSERVATORY_DATA_MIRROR", ROOT.parent / "shared" / "data"))
    path = mirror / CONCORDANCE
    if not path.is_file():
        pytest.skip(f"the WIPO35–NACE concordance is not in the mirror ({path})")
    mapping = fixture("ecosystem_nace_mapping.csv")[["ecosystem", "nace", "share"]]
    defs = fixture("cluster_category_nace.csv")
    defs["share"] = defs["weight"] * defs["traded_share"]
    tech = fixture("technology_wipo_fields.csv")
    concordance = parse_concordance(path.read_bytes(), path.name)
    # Hand-made strong clusters and flagged products.
    strong = pd.DataFrame(
        [("DE11", "automotive"), ("DE21", "automotive"),
         ("DE21", "production-technology-and-heavy-machinery"),
         ("FR10", "information-technology-and-analytical-instruments"), ("ITC4", "automotive")],
        columns=["geo", "category"],
    )  # fmt: skip
    shared = mapping.groupby("nace")["ecosystem"].nunique()
    division = shared[shared >= 2].index[0]  # a division mapped to two ecosystems at least
    flagged = pd.DataFrame([("28053029", division + "11"), ("99999999", "Z99")], columns=["product", "nace"])
    return {"mapping": mapping, "defs": defs, "tech": tech, "conc": concordance, "strong": strong,
            "flagged": flagged, "division": division}  # fmt: skip


def test_every_component_recomputed_with_plain_pandas(raw):
    m, defs, tech, conc = raw["mapping"], raw["defs"], raw["tech"], raw["conc"]
    out = L.ecosystem_pairs(m, defs, raw["strong"], tech, conc, raw["flagged"], PARAMS)
    ecos = sorted(m["ecosystem"].unique())
    assert len(out) == len(ecos) * (len(ecos) - 1) // 2
    assert list(out["rank"]) == sorted(out["rank"]) and out["rank"].iloc[0] == 1

    # 1. Shared activities, every pair: Σ min(shares) / min(totals).
    both = m.merge(m, on="nace", suffixes=("_a", "_b"))
    both = both[both["ecosystem_a"] < both["ecosystem_b"]]
    mins = both.assign(v=both[["share_a", "share_b"]].min(axis=1)).groupby(["ecosystem_a", "ecosystem_b"])[
        "v"
    ]
    totals = m.groupby("ecosystem")["share"].sum()
    by_pair = out.set_index(["a", "b"])
    for (a, b), value in mins.sum().items():
        assert by_pair.loc[(a, b), "activities"] == pytest.approx(value / min(totals[a], totals[b]))
    # A pair sharing nothing has 0.
    assert (by_pair["activities"] >= 0).all() and len(by_pair) > len(mins.sum())

    # 2. Co-location: related categories (≥ 25 % of the definition in the ecosystem), region sets.
    part = defs.merge(m, on="nace").assign(p=lambda f: f["share_x"] * f["share_y"])
    part = part.groupby(["ecosystem", "category"])["p"].sum() / defs.groupby("category")["share"].sum()
    related = part[part >= 0.25].reset_index()
    regions = related.merge(raw["strong"], on="category").groupby("ecosystem")["geo"].apply(set)
    a, b = "mobility-transport-automotive", "electronics"
    ra, rb = regions.get(a, set()), regions.get(b, set())
    expected = len(ra & rb) / len(ra | rb) if ra | rb else 0.0
    assert by_pair.loc[(min(a, b), max(a, b)), "clusters"] == pytest.approx(expected)
    assert ra, "the automotive category relates to mobility: its strong regions count"

    # 3. Technologies: weights × concordance × mapping, profiles, intersection.
    t = tech.rename(columns={"wipo_field": "field"}).merge(conc, on="field")
    t = t.assign(w=t["weight"] * t["share"]).merge(m, on="nace", suffixes=("", "_eco"))
    t = t.assign(x=t["w"] * t["share_eco"]).groupby(["ecosystem", "technology"])["x"].sum()
    profile = t / t.groupby(level=0).transform("sum")
    pa, pb = profile.loc[min(a, b)], profile.loc[max(a, b)]
    value = pd.concat([pa, pb], axis=1).fillna(0).min(axis=1).sum()
    assert by_pair.loc[(min(a, b), max(a, b)), "technologies"] == pytest.approx(value)

    # 4. Flagged products of divisions mapped to both ecosystems.
    pair_with_division = sorted(m[m["nace"] == raw["division"]]["ecosystem"])[:2]
    row = by_pair.loc[tuple(pair_with_division)]
    assert row["flagged_products"] == ["28053029"] and row["dependencies"] == 1

    # The score: our weights × each component over its largest value.
    first = out.iloc[0]
    score = sum(PARAMS["weights"][c] * first[c] / out[c].max() for c in L.COMPONENTS)
    assert first["score"] == pytest.approx(score / sum(PARAMS["weights"].values()))


def test_a_missing_component_is_left_out_and_the_weights_renormalised(raw):
    out = L.ecosystem_pairs(raw["mapping"], None, None, None, None, None, PARAMS)
    assert out["clusters"].isna().all() and out["technologies"].isna().all()
    best = out.iloc[0]
    assert best["score"] == pytest.approx(best["activities"] / out["activities"].max())


def test_the_weights_are_versioned_data_marked_as_ours():
    from indicators.reference import locomotive_weights

    versions = locomotive_weights()
    latest = versions[max(versions)]
    assert set(latest["weights"]) == set(L.COMPONENTS) and 0 < latest["related_min"] < 1
    assert all(text.startswith("Ours") for text in latest["reasoning"].values())


# --- the page ------------------------------------------------------------------------------------

URL = "/value-chains/locomotives/"


def test_page_lists_pairs_with_reasons_csv_and_permalinks(client, clusters_loaded):
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Weights version 1" in html and "cluster stars, thresholds v1" in html
    assert "dependency screen not run yet" in html  # no trade data here: left out, said so
    assert 'id="pairs-figure"' in html
    rows = list(
        csv.reader(io.StringIO(client.get(URL, {"panel": "pairs", "format": "csv"}).content.decode()))
    )
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Ecosystem pair")
    body = [r for r in rows[header + 1 :] if r and r[0]]
    assert len(body) == 14 * 13 // 2
    from indicators.panels import locomotives as P

    result = P.pairs(P.resolve_weights(None))
    top = result["rows"][0]
    permalink = client.get(URL, {"weights": 1, "pair": top["key"]})
    assert permalink.status_code == 200
    from django.utils.html import escape

    assert escape(top["a_name"]) in permalink.content.decode() and "All pairs" in permalink.content.decode()
    hostile = ("<script>alert(1)</script>" * 20, "1" * 500, "' OR 1=1 --", "\x00", "../../etc")
    for bad in ({"weights": "99"}, {"weights": "x"}, {"pair": "nope--nada"}, *({"pair": h} for h in hostile),
                *({"weights": h} for h in hostile)):  # fmt: skip
        assert client.get(URL, bad).status_code in (400, 404)  # NUL bytes: 400 by the middleware
    assert client.post(URL).status_code == 405  # read-only: GET and HEAD only, for every persona
    # DE21 (the car region) is strong in automotive: it is evidence for the pairs with mobility.
    mobility = [r for r in result["rows"] if "mobility-transport-automotive" in (r["a"], r["b"])]
    assert any("DE21" in r["shared_regions"] for r in mobility) or all(
        not r["regions_both"] for r in mobility
    )
    assert client.get("/methodology/").content.decode().count("?weights=1") >= 5


@pytest.mark.parametrize("bad", ["²", "١", "0", "99999999999999999999"])
def test_a_malformed_weight_version_is_a_404_not_a_500(client, clusters_loaded, bad):
    assert client.get(URL, {"weights": bad}).status_code == 404


def test_the_page_is_pre_built_by_the_warm_step_and_a_cold_visit_is_a_lookup(
    client, clusters_loaded, monkeypatch
):
    """Like the profile pages (Decision 34): the warm step stores the page's payload, the first
    canonical visit its {% prebuilt %} block; with every cache emptied, a visit computes no pair."""
    from django.core.cache import cache
    from django.db import connection
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext

    from indicators import pages, payloads
    from indicators.models import PageFragment, PagePayload, StoredPage
    from indicators.panels import locomotives as P

    assert (pages.LOCOMOTIVES, {}) in pages.pages_to_warm()
    family, path = pages.LOCOMOTIVES, {}
    key = pages.key_of(path, family.args(QueryDict(), **path))
    from indicators.selectors import generations

    payloads.build_and_store(
        family.name, key, generations()[0], lambda: family.context(path, {"weights": None, "pair": None})
    )
    assert PagePayload.objects.filter(family="locomotives").count() == 1
    first = client.get(URL).content.decode()  # stores the block
    assert PageFragment.objects.filter(family="locomotives").count() == 1
    assert StoredPage.objects.filter(path=URL.split("?")[0]).count() == 1  # and the whole page
    cache.clear()
    StoredPage.objects.all().delete()  # the payload and the block, then

    def no_pairs(weights):
        raise AssertionError("a cold visit recomputed the pairs")

    monkeypatch.setattr(P, "_pairs", no_pairs)
    with CaptureQueriesContext(connection) as ctx:
        again = client.get(URL)
    assert again.status_code == 200 and again.content.decode() == first
    assert any("indicators_pagepayload" in q["sql"] for q in ctx.captured_queries)
    assert not any("indicators_indicatorvalue" in q["sql"] for q in ctx.captured_queries)
    # A pair's permalink is its own payload (built on demand here, then stored too).
    monkeypatch.undo()
    top = P.pairs(P.resolve_weights(None))["rows"][0]
    assert client.get(URL, {"pair": top["key"]}).status_code == 200
    assert PagePayload.objects.filter(family="locomotives").count() == 2


def test_matchmaking_names_the_strong_cluster_of_the_region(
    clusters_loaded,
    alice,
    staff,
    settings,
):
    from community.organisations import selectors as org_selectors
    from ecosystems.models import ClusterCategory, Ecosystem
    from indicators.selectors import strong_clusters
    from tests.community.factories import make_offer, make_organisation

    settings.COMMUNITY_NEW_ACCOUNT_ORGANISATIONS_PER_DAY = 5
    strong = strong_clusters()
    de21 = [r for r in strong["rows"] if r["geo"] == "DE21"]
    assert de21, "the hand-made car region has a strong cluster"
    mobility = Ecosystem.objects.get(slug="mobility-transport-automotive")
    owner = make_organisation(alice, staff, name="Vienna mobility", country_id="AT", region="AT13")
    offer = make_offer(owner, alice, ecosystems=[mobility])
    auto = ClusterCategory.objects.get(slug="automotive")
    there = make_organisation(
        alice, staff, name="Munich cluster", region="DE21", country_id="DE", cluster_categories=[auto]
    )
    rows = {r["organisation"]: r["reasons"] for r in org_selectors.suggestions(offer)}
    reasons = rows[there]
    best = next(r for r in reasons if r.startswith("region DE21 is strong in"))
    assert f"thresholds v{strong['version']}, {strong['period']}" in best
    assert "category related to Mobility–Transport–Automotive" in best
    assert "works in cluster category Automotive" in reasons
    assert "in Germany: cross-border" in reasons


# --- the value-chain explorer's cluster step -----------------------------------------------------


def test_explorer_matches_regions_on_strong_clusters_and_filters_by_category(
    client, clusters_loaded, alice, staff, django_assert_max_num_queries
):
    from django.utils.html import escape

    from ecosystems.models import ClusterCategory
    from indicators.selectors import cluster_categories_of_ecosystems, strong_clusters
    from tests.community.factories import make_organisation

    auto = ClusterCategory.objects.get(slug="automotive")
    make_organisation(alice, staff, name="Bavarian car makers", region="DE21", cluster_categories=[auto])
    slug = "mobility-transport-automotive"
    assert "automotive" in cluster_categories_of_ecosystems()[slug]
    strong_auto = sorted(r["geo"] for r in strong_clusters()["rows"] if r["category"] == "automotive")
    with django_assert_max_num_queries(45):  # bounded whatever the data (as without clusters: 40)
        html = client.get("/value-chains/", {"ecosystem": slug}).content.decode()
    assert "Regions strong in the related cluster categories" in html
    assert "cluster stars, thresholds v1" in html and escape(auto.name) in html
    assert all(f"/clusters/regions/{g}/" in html for g in strong_auto[:6]) and strong_auto
    assert "Bavarian car makers" in html  # works in the category (and sits in a strong region)
    only = client.get("/value-chains/", {"ecosystem": slug, "category": "automotive"}).content.decode()
    assert "all related categories" in only and "Bavarian car makers" in only
    assert client.get("/value-chains/", {"ecosystem": slug, "category": "nope"}).status_code == 404
    region = client.get("/value-chains/", {"region": "DE21"}).content.decode()
    assert "the region&#x27;s strong categories" in region or "the region's strong categories" in region


def test_region_profile_map_outlines_the_region_with_a_legend_entry(client, clusters_loaded):
    import json
    import re

    html = client.get("/regions/DE21/").content.decode()
    match = re.search(r'<script id="regions-map-figure" type="application/json">(.*?)</script>', html, re.S)
    assert match, "the region page has its country map"
    figure = json.loads(match.group(1))
    outline = [t for t in figure["data"] if t.get("showlegend")]
    assert len(outline) == 1 and outline[0]["locations"] == ["DE21"]
    assert outline[0]["marker"]["line"]["width"] >= 2 and "Oberbayern" in outline[0]["name"]
    assert figure["layout"]["showlegend"] is True
    # The country page's map has no outline (nothing to single out).
    country = client.get("/countries/DE/").content.decode()
    other = re.search(
        r'<script id="regions-map-figure" type="application/json">(.*?)</script>', country, re.S
    )
    assert other is None or not any(t.get("showlegend") for t in json.loads(other.group(1))["data"])
