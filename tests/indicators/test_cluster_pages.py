"""Cluster pages, the API and threshold versions on a hand-made regional SBS file.

Universe: six NUTS 2 regions (AT11-AT13, DE21-DE23), divisions C10, C29, C30, F41, J62 and
their sections, 2011-2014, persons employed, local units and wages; AT13's C29 is confidential
in 2014. The cluster definitions and thresholds are the real fixtures (load_reference).
"""

import gzip

import pytest
from django.core.cache import cache

from ecosystems.models import ClusterParameters, CodeLabel, Region
from indicators import reference as ref
from indicators import refresh
from indicators.models import IndicatorValue
from tests import dbsnapshot

REGIONS = {
    "AT11": "Burgenland",
    "AT12": "Niederösterreich",
    "AT13": "Wien",
    "DE21": "Oberbayern",
    "DE22": "Niederbayern",
    "DE23": "Oberpfalz",
}
DIVISIONS = ["C10", "C29", "C30", "F41", "J62"]
SECTIONS = {"C": ["C10", "C29", "C30"], "F": ["F41"], "J": ["J62"]}
YEARS = ("2014", "2013", "2012", "2011")
MEASURES = {"V16110": 1.0, "V11210": 0.05, "V13320": 0.00003}


def emp(geo: str, nace: str, year: str) -> float:
    r, n = list(REGIONS).index(geo), DIVISIONS.index(nace)
    base = 1000 + 400 * ((r * 3 + n * 5) % 7) + 200 * r
    if geo == "DE21" and nace == "C29":
        base *= 8  # a car region
    return round(base * (1 + 0.03 * (int(year) - 2011) * (1 if r % 2 else -1)))


def regional_file() -> bytes:
    lines = ["nace_r2,indic_sb,geo\\time\t" + "\t".join(f"{y} " for y in YEARS)]
    for geo in REGIONS:
        for measure, scale in MEASURES.items():
            for nace in [*DIVISIONS, *SECTIONS]:
                cells = []
                for y in YEARS:
                    parts = SECTIONS.get(nace, [nace])
                    v = sum(emp(geo, p, y) for p in parts) * scale
                    cell = f"{v:.2f} " if measure == "V13320" else f"{round(v)} "
                    if geo == "AT13" and nace == "C29" and y == "2014":
                        cell = ": c"
                    cells.append(cell)
                lines.append(f"{nace},{measure},{geo}\t" + "\t".join(cells))
    return gzip.compress(("\n".join(lines) + "\n").encode())


@pytest.fixture
def clusters_loaded(reference, tmp_path):
    """The cluster universe, built once per session and restored per test (tests/dbsnapshot.py)."""
    cache.clear()
    dbsnapshot.restore_or_take("clusters_loaded", lambda: build_clusters(tmp_path))
    yield
    cache.clear()


def build_clusters(tmp_path):
    ref.load_clusters(linkage=False)
    rows = [("geo", g) for g in [*REGIONS, "AT", "DE", "EU27_2020"]]
    rows += [("nace_r2", n) for n in [*DIVISIONS, *SECTIONS]]
    rows += [("indic_sb", m) for m in MEASURES]
    rows += [("unit", "NR"), ("unit", "P_MHAB")]  # the patent file's units
    CodeLabel.objects.bulk_create(
        [CodeLabel(dimension=d, code=c, label=f"{d} {c}") for d, c in rows], ignore_conflicts=True
    )
    Region.objects.bulk_create(
        [
            Region(code=c, version=v, level=2, country=c[:2], name=n)
            for c, n in REGIONS.items()
            for v in (2013, 2021)
        ]
    )
    path = tmp_path / "sbs_r.tsv.gz"
    path.write_bytes(regional_file())
    run = refresh.ingest("sbs_r_nuts06_r2", path=path)
    assert run.status == "succeeded", run.error
    patents = tmp_path / "pat.csv.gz"
    lines = ["unit,geo,time,values"] + [
        f"{unit},{geo},{year},{value}"
        for geo in ("DE21", "DE22")
        for year in ("2011", "2012")
        for unit, value in (("NR", 500 + int(year) - 2000), ("P_MHAB", 100 + int(year) - 2000))
    ]
    patents.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    run = refresh.ingest("pat_ep_rtot", path=patents)
    assert run.status == "succeeded", run.error
    run = refresh.recompute()
    assert run.status == "succeeded", run.error


def test_stored_cluster_values_cover_the_regions_with_a_threshold_version(clusters_loaded):
    stars = IndicatorValue.objects.filter(indicator_id="cluster_stars", period="2014")
    assert stars.exists() and set(stars.values_list("parameter_version", flat=True)) == {1}
    assert not IndicatorValue.objects.filter(
        indicator_id="cluster_emp", parameter_version__isnull=False
    ).exists()
    auto = IndicatorValue.objects.get(
        indicator_id="cluster_emp", ecosystem="automotive", geo="DE21", period="2014"
    )
    assert auto.value > 0
    # AT13's C29 is confidential in 2014: automotive there is not a figure, and earns no star.
    at13 = IndicatorValue.objects.filter(
        indicator_id="cluster_stars", ecosystem="automotive", geo="AT13", period="2014"
    )
    assert all(v.value is None for v in at13)


def test_cluster_pages_render_with_rules_badges_and_method_switch(client, clusters_loaded):
    page = client.get("/clusters/?year=2014")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Regional clusters in 2014" in html and "2,950" in html
    assert "method=us" in html and "Threshold version" in html
    assert "Specialisation: location quotient ≥ 2" in html
    region = client.get("/clusters/regions/DE21/?year=2014&method=us")
    assert region.status_code == 200
    text = region.content.decode()
    assert 'id="portfolio"' in text and "Strong and advancing" in text
    assert "cut-off" in text and "percentile" in text and "Most specialised" in text
    assert 'id="patents"' in text and "112.0 EPO patent applications per million inhabitants in 2012" in text
    assert "No patent figures" in client.get("/clusters/regions/AT11/").content.decode()
    category = client.get("/clusters/categories/automotive/?year=2014")
    assert category.status_code == 200
    assert "Oberbayern" in category.content.decode() and 'id="lq-distribution"' in category.content.decode()
    emerging = client.get("/clusters/categories/emerging-digital/")
    assert emerging.status_code == 200 and "Approximation" in emerging.content.decode()
    assert client.get("/clusters/categories/no-such-thing/").status_code == 404
    assert client.get("/clusters/regions/ZZ99/").status_code == 404
    assert client.get("/clusters/?params=99").status_code == 404


def test_confidential_cell_shows_not_assessed(client, clusters_loaded):
    page = client.get("/clusters/regions/AT13/?year=2014").content.decode()
    table = page[page.index('id="all-heading"') :]
    row = table[table.index(">Automotive<") :].split("</tr>")[0]
    assert "not assessed" in row and "★" not in row
    lists = page[page.index('id="prod-heading"') : page.index('id="portfolio"')]
    assert ">Automotive<" not in lists  # never in the "most ..." lists


def test_chart_exports_and_links_from_profiles(client, clusters_loaded):
    csv_text = client.get("/clusters/regions/DE21/?year=2014&panel=portfolio&format=csv").content.decode()
    assert "Location quotient" in csv_text and "Automotive" in csv_text
    assert client.get("/clusters/?year=2014&panel=cluster-map&format=json").status_code == 200
    stars_map = client.get("/clusters/?year=2014&category=automotive&panel=cluster-map&format=csv")
    assert "stars" in stars_map.content.decode()
    assert client.get("/clusters/?category=nope").status_code == 400
    # The generic indicator page hands cluster figures to their own pages.
    moved = client.get("/indicators/cluster_stars/?ecosystem=automotive")
    assert moved.url == "/clusters/categories/automotive/"
    assert client.get("/indicators/cluster_emp/").url == "/clusters/"
    region = client.get("/regions/DE21/").content.decode()
    assert "/clusters/regions/DE21/" in region
    eco = client.get("/ecosystems/mobility-transport-automotive/").content.decode()
    assert "/clusters/categories/automotive/" in eco


def test_api_serves_cluster_values_by_category_and_version(client, clusters_loaded):
    data = client.get(
        "/api/v1/values/?indicator=cluster_stars&ecosystem=automotive&period=2014&parameter_version=1"
    ).json()
    assert data["count"] >= 5
    assert {r["parameter_version"] for r in data["results"]} == {1}
    assert client.get("/api/v1/values/?indicator=cluster_stars&parameter_version=x").status_code == 400


def test_new_threshold_version_keeps_the_old_one_reachable(client, clusters_loaded, staff, rf, monkeypatch):
    from django.contrib.admin.sites import site
    from django.contrib.messages.storage.fallback import FallbackStorage

    from indicators import admin as indicators_admin

    monkeypatch.setattr(indicators_admin, "enqueue_recompute", lambda: type("R", (), {"pk": 0})())
    before = list(
        IndicatorValue.objects.filter(indicator_id="cluster_stars", parameter_version=1).values_list(
            "ecosystem", "geo", "period", "value"
        )
    )
    page = client.get("/clusters/regions/DE21/").content.decode()  # no version in the URL
    before_link = page[page.index('class="chart-permalink" href="') :][:300]
    assert "year=2014" in before_link and "method=stars" in before_link
    admin = indicators_admin.ClusterParametersAdmin(ClusterParameters, site)
    obj = ClusterParameters.objects.get(number=1)
    obj.specialisation_lq = 1.0  # the curator edits v1 in the admin form ...
    request = rf.post("/admin/")
    request.user = staff
    request.session = {}
    request._messages = FallbackStorage(request)
    admin.save_model(request, obj, None, True)
    # ... and gets v2, current; v1 is untouched.
    assert ClusterParameters.objects.get(number=1).specialisation_lq == 2.0
    assert ClusterParameters.objects.get(is_current=True).number == 2
    run = refresh.recompute()
    assert run.status == "succeeded", run.error
    cache.clear()
    after_v1 = list(
        IndicatorValue.objects.filter(indicator_id="cluster_stars", parameter_version=1).values_list(
            "ecosystem", "geo", "period", "value"
        )
    )
    assert sorted(after_v1, key=str) == sorted(before, key=str)
    v2 = IndicatorValue.objects.filter(indicator_id="cluster_stars", parameter_version=2)
    assert sum(v.value or 0 for v in v2) > sum(v[3] or 0 for v in before)
    old = client.get("/clusters/?params=1&year=2014").content.decode()
    assert "not the current one" in old and "location quotient ≥ 2" in old
    # A permalink taken before the change (it names v1) keeps showing v1.
    assert "params=1" in before_link
    new = client.get("/clusters/?year=2014").content.decode()
    assert "location quotient ≥ 1" in new and "not the current one" not in new


def test_page_badges_agree_with_the_stored_stars(clusters_loaded):
    """The pages recompute the badges with the same pure function: same stars as stored."""
    from indicators.panels import clusters as C

    params = C.resolve_parameters(None)
    live = {(r["category"], r["geo"]): r["stars"] for r in C.assessment("2014", params)}
    stored = {
        (v.ecosystem, v.geo): None if v.value is None else int(v.value)
        for v in IndicatorValue.objects.filter(
            indicator_id="cluster_stars", period="2014", parameter_version=1
        )
    }
    assert stored and all(live.get(k) == v for k, v in stored.items())


def test_definitions_whose_weights_do_not_sum_to_one_are_refused_and_nothing_changes(clusters_loaded):
    from ecosystems.models import ClusterCategoryActivity, ClusterDefinitionVersion

    before = IndicatorValue.objects.filter(indicator_id="cluster_emp").count()
    old = ClusterDefinitionVersion.objects.get(is_current=True)
    bad = ClusterDefinitionVersion.objects.create(number=2, note="curator's slip")
    rows = list(old.rows.all())
    for r in rows:
        r.pk, r.version = None, bad
        if r.nace == "C29" and r.category.slug == "automotive":
            r.weight = min(1, float(r.weight) + 0.3)
    ClusterCategoryActivity.objects.bulk_create(rows)
    ClusterDefinitionVersion.objects.filter(pk=old.pk).update(is_current=False)
    ClusterDefinitionVersion.objects.filter(pk=bad.pk).update(is_current=True)
    run = refresh.recompute()
    assert run.status == "failed" and "do not sum to 1" in run.error and "C29" in run.error
    assert IndicatorValue.objects.filter(indicator_id="cluster_emp").count() == before


@pytest.mark.parametrize("path", ["/clusters/", "/clusters/regions/AT11/"])
def test_a_non_ascii_digit_threshold_version_is_not_a_500(clusters_loaded, settings, path):
    """ "²".isdigit() is True and int("²") fails: ?params=² must be an unknown version, not a crash."""
    from django.test import Client

    settings.DEBUG = False
    assert Client(raise_request_exception=False).get(path, {"params": "²"}).status_code < 500


@pytest.mark.parametrize("method", ["stars", "us"])
def test_strong_clusters_from_the_stored_stars_equal_the_assessment(clusters_loaded, method):
    """The explorer, the ecosystem pairs and matchmaking read the verdicts recompute stored for the
    threshold version; they are those the cluster pages' assessment gives, figures included."""
    from indicators.panels.clusters import assessed_strong_clusters, strong_clusters

    stored, assessed = strong_clusters(method), assessed_strong_clusters(method)
    assert stored["rows"], "the universe has strong clusters"

    def key(r):
        return (r["geo"], r["category"], r["stars"], round(r["lq"], 9), r["emp"])

    assert sorted(map(key, stored["rows"])) == sorted(map(key, assessed["rows"]))
    assert {k: stored[k] for k in ("period", "version", "min_stars")} == {
        k: assessed[k] for k in ("period", "version", "min_stars")
    }
