"""Home page: finished with no data at all, and with figures, publications and forum threads."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from community import selectors as community
from indicators.models import IndicatorValue, Release, Source
from tests.observatory.test_publications import make_publication

pytestmark = pytest.mark.django_db


def test_home_without_any_data_shows_empty_states(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "No figures have been computed yet" in html
    assert "The ecosystems are not loaded yet" in html
    assert "No publication yet" in html
    assert "No public discussion yet" in html
    assert "No dataset has been loaded yet" in html


@pytest.fixture
def eu_figures(reference):
    release = Release.objects.create(
        source_id="sbs_na_sca_r2",
        sha256="a" * 64,
        size_bytes=1,
        format="eurostat-tsv",
        fetched_from="test",
        raw_path="",
        publisher_updated=date(2025, 3, 1),
        period_min="2012",
        period_max="2022",
    )
    Source.objects.filter(code="sbs_na_sca_r2").update(current_release=release)
    for ecosystem, value, flags in [("digital", 1_000_000.4, "p"), ("tourism", 234_567.0, "")]:
        for period, factor in [("2021", 0.5), ("2022", 1)]:
            IndicatorValue.objects.create(
                flags=flags,
                indicator_id="emp",
                ecosystem=ecosystem,
                geo="EU27_2020",
                period=period,
                value=value * factor,
                release=release,
                mapping_version=1,
            )
    return release


def test_home_shows_eu_headline_with_latest_year_and_vintage(client, eu_figures):
    html = client.get("/").content.decode()
    assert "Persons employed" in html
    assert "1,234,567" in html  # 2022 sum over the two ecosystems, rounded
    assert "EU27, 2022, sum over 2 ecosystems" in html
    assert f"2025-03-01 (release {eu_figures.pk})" in html
    assert 'href="/data/sbs_na_sca_r2/"' in html
    assert '<abbr class="flag" title="provisional">p</abbr>' in html  # a flagged component flags the sum
    assert '<span class="flag">p</span> provisional' in html


def test_home_lists_fourteen_ecosystems_as_entry_points(client, eu_figures):
    html = client.get("/").content.decode()
    assert html.count('class="ecosystem-tile"') == 14
    assert 'href="/ecosystems/digital/"' in html
    assert "1,000,000 persons employed (2022)" in html


def test_home_shows_data_freshness_per_source(client, eu_figures):
    html = client.get("/").content.decode()
    assert "2025-03-01" in html  # the release is dated by the publisher's update (vintage_label)
    assert "periods 2012–2022" in html
    assert "not loaded yet" in html  # the other registered sources


def test_home_lists_latest_published_publications_only(client):
    make_publication("visible", title="Visible report")
    make_publication("draft", state="draft", title="Draft report")
    make_publication("soon", state="scheduled", title="Scheduled report")
    html = client.get("/").content.decode()
    assert "Visible report" in html
    assert "Draft report" not in html and "Scheduled report" not in html


def test_home_shows_active_public_threads_from_the_forum(client, monkeypatch):
    threads = [
        {
            "title": "Steel <dependencies>",
            "url": "/forum/t/7/",
            "space": "Open space",
            "last_activity": timezone.now() - timedelta(hours=2),
            "replies": 3,
        }
    ]
    monkeypatch.setattr(community, "active_public_threads", lambda limit=5: threads[:limit])
    html = client.get("/").content.decode()
    assert 'href="/forum/t/7/"' in html
    assert "Steel &lt;dependencies&gt;" in html
    assert "3 replies" in html
    assert "2\xa0hours ago" in html


def test_content_pages_have_no_inline_script_or_style(client, eu_figures):
    """The CSP allows scripts and styles from our origin only: no inline ones in these pages."""
    make_publication("p1", body="# Title\n\n<style>x</style> text", ecosystems=["digital"])
    urls = [
        "/",
        "/publications/",
        "/publications/p1/",
        "/search/",
        "/search/?q=digital",
        "/methodology/",
        "/methodology/ecosystems/",
        "/methodology/indicators/",
        "/methodology/sources/",
    ]
    for url in urls:
        html = client.get(url).content.decode()
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], url
        assert re.findall(r"<style\b", html) == [], url
        assert re.findall(r"\sstyle=", html) == [], url


def test_home_and_catalogue_state_the_same_vintage_and_publisher_date(client, reference):
    """One source of truth: the home page's freshness table says what /data/ says."""
    import datetime

    from indicators.models import Release, Source

    source = Source.objects.get(code="sbs_na_sca_r2")
    release = Release.objects.create(
        source=source,
        sha256="x" * 64,
        size_bytes=1,
        format="eurostat-tsv",
        fetched_from="mirror:x",
        raw_path="x",
        period_min="2008",
        period_max="2015",
    )
    Source.objects.filter(pk=source.pk).update(
        current_release=release, publisher_updated=datetime.date(2024, 3, 1)
    )
    home = client.get("/").content.decode()
    catalogue = client.get("/data/").content.decode()
    for html in (home, catalogue):
        assert "2024-03-01" in html
        assert release.vintage_label in html
    assert "publisher date unknown" not in home
