"""Site search: relevance on a small corpus, highlights, states, and forum permission filtering."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from community import selectors as community
from ecosystems.models import Activity, Region
from observatory.search import site_search
from tests.observatory.test_publications import make_publication

pytestmark = pytest.mark.django_db


def build_corpus():
    """Reference data (countries, 14 ecosystems, registry sources and indicators) plus a few
    regions, NACE activities and publications."""
    from indicators import reference as ref
    from indicators.refresh import sync_registry

    ref.load_countries()
    ref.load_ecosystems()
    sync_registry()
    Region.objects.bulk_create(
        [
            Region(code="DE", version=2021, level=0, country="DE", name="Deutschland"),
            Region(code="DE", version=2016, level=0, country="DE", name="DEUTSCHLAND"),
            Region(code="DE21", version=2021, level=2, country="DE", name="Oberbayern"),
            Region(code="EL30", version=2021, level=2, country="EL", name="Attiki"),
            Region(code="DE2", version=2021, level=1, country="DE", name="Bayern"),
            Region(code="ITC4", version=2021, level=2, country="IT", name="Lombardia"),
            Region(code="DE1", version=2021, level=1, country="DE", name="Baden-Württemberg"),
        ]
    )
    Activity.objects.bulk_create(
        [
            Activity(code="C", dotted="C", level=1, section="C", name="Manufacturing"),
            Activity(
                code="C25", dotted="25", level=2, section="C", name="Manufacture of fabricated metal products"
            ),
            Activity(code="C29", dotted="29", level=2, section="C", name="Manufacture of motor vehicles"),
            Activity(
                code="G473",
                dotted="47.3",
                level=3,
                section="G",
                name="Retail sale of automotive fuel in specialised stores",
            ),
        ]
    )
    make_publication(
        "hydrogen-valleys",
        title="Hydrogen valleys and the energy-intensive industries",
        summary="Where renewable hydrogen could decarbonise steel and cement first.",
        authors="C. Weber",
        kind="policy-brief",
    )
    make_publication(
        "ai-uptake",
        title="AI uptake in manufacturing",
        summary="Enterprises using artificial intelligence doubled; SMEs lag behind.",
        authors="A. Rossi",
    )
    make_publication(
        "secret-robots", state="draft", title="Robots secret draft", summary="Robots everywhere."
    )


@pytest.fixture(scope="module")
def module_corpus(django_db_setup, django_db_blocker):
    """The corpus built once for this module, inside a transaction rolled back at its end (each
    test runs in its own savepoint within it), so the relevance table stays fast."""
    with django_db_blocker.unblock(), transaction.atomic():
        build_corpus()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def corpus(module_corpus, db):
    return None


def top(query, user=None):
    groups = site_search(query, user or AnonymousUser())
    assert groups, f"no result for {query!r}"
    hit = groups[0].hits[0]
    return hit.kind, hit.code or hit.url


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("DE", ("country", "DE")),
        ("de", ("country", "DE")),
        ("EL", ("country", "EL")),
        ("Greece", ("country", "EL")),
        ("C25", ("activity", "C25")),
        ("manufacturing", ("activity", "C")),  # the whole name beats a title that contains it
        ("25", ("activity", "C25")),
        ("emp", ("indicator", "emp")),
        ("productivity", ("indicator", "productivity")),
        ("sbs_na_sca_r2", ("dataset", "sbs_na_sca_r2")),
        ("digital", ("ecosystem", "digital")),
        ("textiles", ("ecosystem", "textiles")),
        ("Oberbayern", ("region", "DE21")),
        ("EL30", ("region", "EL30")),
        ("hydrogen valleys", ("publication", "/publications/hydrogen-valleys/")),
        ("decarbonise steel", ("publication", "/publications/hydrogen-valleys/")),
        ("Rossi", ("publication", "/publications/ai-uptake/")),
        ("artificial intelligence", ("dataset", "isoc_eb_ai")),  # the dataset's title starts so
        ("intelligence doubled", ("publication", "/publications/ai-uptake/")),
        # English and common names (fixtures/reference/search_aliases.csv, ours)
        ("Bavaria", ("region", "DE2")),
        ("bavaria", ("region", "DE2")),
        ("Lombardy", ("region", "ITC4")),
        ("Baden-Wurttemberg", ("region", "DE1")),
        ("Germany", ("country", "DE")),
        ("automotive", ("ecosystem", "mobility-transport-automotive")),
    ],
)
def test_site_search_top_result(corpus, query, expected):
    assert top(query) == expected


def test_automotive_finds_motor_vehicle_manufacturing_before_fuel_retail(corpus):
    activities = [g for g in site_search("automotive", AnonymousUser()) if g.kind == "activity"][0]
    assert [h.code for h in activities.hits][:2] == ["C29", "G473"]


def test_alias_table_is_ours_and_names_known_kinds():
    from observatory import aliases

    rows = aliases.alias_rows()
    assert len(rows) > 50
    assert {r["kind"] for r in rows} <= set(aliases.KINDS)
    assert all(r["note"] for r in rows)


def test_site_search_groups_by_kind_with_counts(corpus):
    groups = {g.kind: g for g in site_search("manufacturing", AnonymousUser())}
    assert groups["activity"].total == 3
    assert groups["publication"].total == 1
    assert all(h.kind == "activity" for h in groups["activity"].hits)


def test_site_search_region_listed_once_in_newest_version(corpus):
    regions = [g for g in site_search("Deutschland", AnonymousUser()) if g.kind == "region"][0]
    assert [(h.code, h.meta) for h in regions.hits] == [("DE", "NUTS 0, version 2021")]


def test_site_search_never_returns_drafts(corpus, staff):
    # Search lists public items only, even for staff (preview is on the publication page).
    assert not [g for g in site_search("robots secret", staff) if g.kind == "publication"]


def test_site_search_kind_filter_limits_to_one_group(corpus):
    groups = site_search("DE", AnonymousUser(), kind="region")
    assert [g.kind for g in groups] == ["region"]


def test_site_search_snippet_escapes_text_and_marks_matches(reference):
    make_publication(
        "escape", summary='Robots <b>and</b> cobots cost < 5% & "x" <script>x</script> in factories.'
    )
    pub = [g for g in site_search("robots", AnonymousUser()) if g.kind == "publication"][0].hits[0]
    assert "<mark>Robots</mark>" in pub.snippet
    # Text escaped; PostgreSQL's headline parser already drops what looks like a tag.
    assert "cost &lt; 5% &amp; &quot;x&quot;" in pub.snippet
    assert "<script" not in pub.snippet and "<b>" not in pub.snippet


def test_search_page_empty_state_shows_examples(client):
    html = client.get("/search/").content.decode()
    assert "Try one of these" in html
    assert 'href="/search/?q=C25"' in html


def test_search_page_no_results_state(client, corpus):
    html = client.get("/search/?q=zzzqqq").content.decode()
    assert "Nothing found for “zzzqqq”" in html


def test_search_page_lists_groups_with_more_link(client, corpus):
    html = client.get("/search/?q=manufacturing").content.decode()
    assert 'id="group-activity"' in html
    assert "Economic activities (NACE)" in html
    assert "<mark>" in html


def test_search_page_escapes_the_query(client):
    html = client.get("/search/?q=%3Cscript%3Ealert(1)%3C/script%3E").content.decode()
    assert "<script>alert(1)" not in html


# --- forum posts: the forum decides what a user may read --------------------------------------


def fake_search_posts(user, query, limit=20):
    """Stands in for the forum: a public post for everyone, a private one for alice only."""
    posts = [
        {
            "title": "Public thread on steel",
            "url": "/forum/t/1/",
            "snippet": "<mark>steel</mark> prices <script>bad()</script>",
            "rank": 0.4,
            "space": "Open space",
        }
    ]
    if getattr(user, "email", "") == "alice@example.eu":
        posts.append(
            {
                "title": "Private work-stream note on steel",
                "url": "/forum/t/2/",
                "snippet": "<mark>steel</mark> dependencies",
                "rank": 0.3,
                "space": "Strategic dependencies (private)",
            }
        )
    return posts[:limit]


def test_search_private_forum_post_never_shown_to_outsider(client, django_user_model, monkeypatch):
    monkeypatch.setattr(community, "search_posts", fake_search_posts)
    carol = django_user_model.objects.create_user(email="carol@example.eu", password="x" * 12)
    anonymous = client.get("/search/?q=steel").content.decode()
    client.force_login(carol)
    outsider = client.get("/search/?q=steel").content.decode()
    for html in (anonymous, outsider):
        assert "Public thread on steel" in html
        assert "Private work-stream note" not in html


def test_search_private_forum_post_shown_to_member(client, alice, monkeypatch):
    monkeypatch.setattr(community, "search_posts", fake_search_posts)
    client.force_login(alice)
    html = client.get("/search/?q=steel").content.decode()
    assert "Private work-stream note on steel" in html
    assert "Strategic dependencies (private)" in html


def test_search_forum_snippet_keeps_mark_only(client, monkeypatch):
    monkeypatch.setattr(community, "search_posts", fake_search_posts)
    html = client.get("/search/?q=steel").content.decode()
    assert "<mark>steel</mark> prices" in html
    assert "<script>bad()" not in html


def test_search_page_htmx_request_returns_only_the_results_fragment(client, corpus):
    html = client.get("/search/?q=C25", headers={"HX-Request": "true"}).content.decode()
    assert html.lstrip().startswith('<div id="search-results">')
    assert "<html" not in html and "C25" in html


def test_methodology_lists_the_search_aliases_as_ours(client):
    html = client.get("/methodology/search-aliases/").content.decode()
    assert "Bavaria" in html and "DE2" in html and "written by the observatory team" in html


def test_a_division_result_opens_its_nace_view_of_regions(corpus):
    activities = [g for g in site_search("automotive", AnonymousUser()) if g.kind == "activity"][0]
    by_code = {h.code: h.url for h in activities.hits}
    assert by_code["C29"] == "/nace/C29/regions/"
    assert by_code["G473"].startswith("/methodology/ecosystems/?nace=")  # a group: the mapping
