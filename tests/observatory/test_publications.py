"""Publications: workflow visibility, preview, feeds, PDF validation and download, admin."""

import io
from datetime import timedelta

import feedparser
import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.utils import timezone
from pypdf import PdfWriter

from ecosystems.models import Country, Ecosystem
from observatory.models import Publication
from observatory.pdf import validate_pdf

pytestmark = pytest.mark.django_db


def make_publication(
    slug="ai-watch", state="published", ecosystems=(), countries=(), **fields
) -> Publication:
    """A publication in `state` draft | scheduled | published (dated yesterday / in three days)."""
    now = timezone.now()
    status, when = {
        "draft": (Publication.Status.DRAFT, None),
        "scheduled": (Publication.Status.PUBLISHED, now + timedelta(days=3)),
        "published": (Publication.Status.PUBLISHED, now - timedelta(days=1)),
    }[state]
    defaults = {
        "kind": Publication.Kind.TECHNOLOGY_WATCH,
        "title": f"Title of {slug}",
        "summary": f"Summary of {slug}.",
        "body": "## Findings\n\nSome **findings**.",
        "status": status,
        "published_at": when,
    }
    publication = Publication.objects.create(slug=slug, **(defaults | fields))
    publication.ecosystems.set(Ecosystem.objects.filter(slug__in=ecosystems))
    publication.countries.set(Country.objects.filter(code__in=countries))
    return publication


def small_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- workflow --------------------------------------------------------------------------------


def test_published_manager_excludes_drafts_and_scheduled():
    make_publication("public")
    make_publication("draft-one", state="draft")
    make_publication("later", state="scheduled")
    assert [p.slug for p in Publication.objects.published()] == ["public"]


@pytest.mark.parametrize("state", ["draft", "scheduled"])
def test_publication_unpublished_invisible_to_public(client, state):
    make_publication("hidden-item", state=state, title="Hidden item")
    assert client.get("/publications/hidden-item/").status_code == 404
    assert b"Hidden item" not in client.get("/publications/").content
    assert b"Hidden item" not in client.get("/publications/feed.atom").content
    assert b"Hidden item" not in client.get("/search/?q=hidden").content
    assert b"Hidden item" not in client.get("/").content


@pytest.mark.parametrize("state", ["draft", "scheduled"])
def test_publication_unpublished_invisible_to_signed_in_member(client, alice, state):
    make_publication("hidden-item", state=state)
    client.force_login(alice)
    assert client.get("/publications/hidden-item/").status_code == 404


@pytest.mark.parametrize(("state", "note"), [("draft", b"only staff"), ("scheduled", b"Scheduled")])
def test_publication_preview_visible_to_staff_with_banner(client, staff, state, note):
    make_publication("hidden-item", state=state)
    client.force_login(staff)
    response = client.get("/publications/hidden-item/")
    assert response.status_code == 200
    assert b"Preview \xe2\x80\x94 not public." in response.content
    assert note in response.content
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["X-Robots-Tag"] == "noindex"


def test_publication_published_has_no_preview_banner(client, staff):
    make_publication("open")
    client.force_login(staff)
    assert b"not public" not in client.get("/publications/open/").content


def test_publication_scheduled_becomes_public_when_its_date_passes(client):
    publication = make_publication("soon", state="scheduled")
    publication.published_at = timezone.now() - timedelta(seconds=1)
    publication.save()
    assert client.get("/publications/soon/").status_code == 200


def test_publication_admin_actions_publish_and_unpublish(client, staff):
    publication = make_publication("flip", state="draft")
    client.force_login(staff)
    url = "/admin/observatory/publication/"
    client.post(url, {"action": "publish", "_selected_action": [publication.pk]})
    publication.refresh_from_db()
    assert publication.state == "published"
    assert client.get("/publications/flip/").status_code == 200
    client.post(url, {"action": "unpublish", "_selected_action": [publication.pk]})
    client.logout()
    assert client.get("/publications/flip/").status_code == 404


def test_publication_admin_drafts_filter_lists_only_drafts(client, staff):
    make_publication("public-one", title="Public one")
    make_publication("draft-one", state="draft", title="Draft one")
    client.force_login(staff)
    html = client.get("/admin/observatory/publication/?state=draft").content.decode()
    assert "Draft one" in html
    assert "Public one" not in html


def test_publication_clean_requires_a_date_to_publish():
    publication = Publication(kind="policy-brief", title="T", slug="t", summary="S", status="published")
    with pytest.raises(ValidationError, match="publication date"):
        publication.full_clean()


# --- list, detail ---------------------------------------------------------------------------


def test_publication_list_filters_by_type_ecosystem_country_and_year(client, reference):
    make_publication("brief-digital", kind="policy-brief", ecosystems=["digital"], countries=["DE"])
    make_publication("watch-textiles", ecosystems=["textiles"], countries=["IT"])
    make_publication("old-report", published_at=timezone.now().replace(year=2019))

    def slugs(query):
        return [p.slug for p in client.get(f"/publications/?{query}").context["page"].object_list]

    assert slugs("type=policy-brief") == ["brief-digital"]
    assert slugs("ecosystem=textiles") == ["watch-textiles"]
    assert slugs("country=DE") == ["brief-digital"]
    assert slugs("year=2019") == ["old-report"]
    assert slugs("type=policy-brief&country=IT") == []


def test_publication_list_unknown_filter_values_are_ignored_not_errors(client):
    make_publication("one")
    response = client.get("/publications/?type=nonsense&ecosystem=nowhere&year=abc&page=99")
    assert response.status_code == 200
    assert [p.slug for p in response.context["page"].object_list] == ["one"]


def test_publication_list_paginates(client):
    for i in range(12):
        make_publication(f"item-{i:02d}")
    first = client.get("/publications/")
    second = client.get("/publications/?page=2")
    assert len(first.context["page"].object_list) == 10
    assert len(second.context["page"].object_list) == 2
    assert b'rel="next"' in first.content


def test_publication_list_empty_state(client):
    assert b"No publication has been released yet" in client.get("/publications/").content


def test_publication_list_links_feeds_following_its_filters(client, reference):
    html = client.get("/publications/?type=policy-brief").content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert "/publications/feed.atom?type=policy-brief" in html
    assert "/publications/feed.rss?type=policy-brief" in html


def test_publication_detail_renders_markdown_safely_with_tags_and_citation(client, reference):
    make_publication(
        "safe",
        body="**bold** <script>alert(1)</script> [x](javascript:alert(1))",
        authors="A. Rossi",
        ecosystems=["digital"],
        countries=["EL"],
    )
    html = client.get("/publications/safe/").content.decode()
    assert "<strong>bold</strong>" in html
    assert "<script>alert(1)" not in html
    assert 'href="javascript:' not in html
    assert 'href="/ecosystems/digital/"' in html
    assert 'href="/countries/EL/"' in html
    assert "A. Rossi (" in html  # citation
    assert "http://testserver/publications/safe/" in html


# --- feeds ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/publications/feed.atom", "/publications/feed.rss"])
def test_publication_feed_is_valid_and_lists_only_published(client, url):
    make_publication("first", title="First report")
    make_publication("secret", state="draft", title="Secret draft")
    make_publication("later", state="scheduled", title="Later report")
    feed = feedparser.parse(client.get(url).content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert [e.title for e in feed.entries] == ["First report"]
    assert feed.entries[0].link == "http://testserver/publications/first/"
    assert feed.feed.title.startswith("EU Industry Observatory publications")


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_publication_feed_per_type(client, fmt):
    make_publication("brief", kind="policy-brief", title="A brief")
    make_publication("watch", kind="technology-watch", title="A watch")
    feed = feedparser.parse(client.get(f"/publications/feed.{fmt}?type=policy-brief").content)
    assert feed.bozo == 0
    assert [e.title for e in feed.entries] == ["A brief"]
    assert "Policy brief" in feed.feed.title


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_publication_feed_per_ecosystem(client, reference, fmt):
    make_publication("on-digital", title="On digital", ecosystems=["digital"])
    make_publication("on-tourism", title="On tourism", ecosystems=["tourism"])
    feed = feedparser.parse(client.get(f"/publications/feed.{fmt}?ecosystem=digital").content)
    assert feed.bozo == 0
    assert [e.title for e in feed.entries] == ["On digital"]


def test_publication_feed_unknown_filter_is_404(client):
    assert client.get("/publications/feed.atom?type=nope").status_code == 404
    assert client.get("/publications/feed.atom?ecosystem=nope").status_code == 404


# --- related publications tag (profile pages) -----------------------------------------------


def test_related_publications_panel_shows_published_items_for_ecosystem_and_country(reference, client):
    make_publication("old", title="Older digital", ecosystems=["digital"])
    newer = make_publication("new", title="Newer digital", ecosystems=["digital"], countries=["DE"])
    newer.published_at = timezone.now() - timedelta(hours=1)
    newer.save()
    make_publication("hidden", state="draft", title="Draft digital", ecosystems=["digital"], countries=["DE"])
    make_publication("other", title="Tourism only", ecosystems=["tourism"])
    response = client.get("/publications/panel/related/", {"ecosystem": "digital", "fragment": "1"})
    assert response.status_code == 200 and "max-age=60" in response["Cache-Control"]
    html = response.content.decode()
    assert html.index("Newer digital") < html.index("Older digital")
    assert "Draft digital" not in html and "Tourism only" not in html
    assert 'href="/publications/?ecosystem=digital"' in html and "<html" not in html
    by_country = client.get("/publications/panel/related/?country=DE&fragment=1").content.decode()
    assert "Newer digital" in by_country and "Older digital" not in by_country
    assert 'href="/publications/?country=DE"' in by_country
    # Without script: the filtered list is the panel's full version.
    full = client.get("/publications/panel/related/?country=DE")
    assert full.status_code == 302 and full["Location"] == "/publications/?country=DE"


def test_profile_pages_mark_the_publications_panel_and_read_no_publication(
    reference, django_assert_num_queries
):
    make_publication("new", title="Newer digital", ecosystems=["digital"], countries=["DE"])
    template = Template('{% load publication_tags %}{% related_publications country="DE" %}')
    with django_assert_num_queries(0):
        html = template.render(Context({}))
    assert "Newer digital" not in html  # loaded on its own: publishing needs no data refresh
    assert 'data-panel="/publications/panel/related/?country=DE&amp;fragment=1"' in html
    assert 'href="/publications/?country=DE"' in html


@pytest.mark.parametrize(
    "query", ["?country=%3Cscript%3E&fragment=1", "?ecosystem=" + "x" * 500 + "&fragment=1"]
)
def test_related_publications_panel_of_junk_is_an_empty_panel(reference, client, query):
    response = client.get("/publications/panel/related/" + query)
    assert response.status_code == 200
    assert "No publication is tagged with this yet." in response.content.decode()
    assert "<script>" not in response.content.decode()


# --- PDF ------------------------------------------------------------------------------------


def test_validate_pdf_accepts_a_real_pdf():
    validate_pdf(SimpleUploadedFile("report.pdf", small_pdf(), content_type="application/pdf"))


def test_validate_pdf_rejects_a_non_pdf_named_pdf():
    upload = SimpleUploadedFile(
        "report.pdf", b"PK\x03\x04 this is a zip file", content_type="application/pdf"
    )
    with pytest.raises(ValidationError, match="not a PDF"):
        validate_pdf(upload)


def test_validate_pdf_rejects_a_damaged_pdf():
    with pytest.raises(ValidationError, match="damaged or unreadable"):
        validate_pdf(SimpleUploadedFile("report.pdf", b"%PDF-1.7\n garbage without any objects"))


def test_validate_pdf_rejects_an_oversized_file(settings):
    settings.OBSERVATORY_PUBLICATION_PDF_MAX_MB = 1
    big = small_pdf() + b"%" + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError, match=r"the limit is 1 MB"):
        validate_pdf(SimpleUploadedFile("big.pdf", big))


def _admin_add(client, pdf_name, pdf_bytes):
    return client.post(
        "/admin/observatory/publication/add/",
        {
            "kind": "policy-brief",
            "title": "With attachment",
            "slug": "with-attachment",
            "summary": "S",
            "body": "",
            "authors": "",
            "status": "draft",
            "published_at_0": "",
            "published_at_1": "",
            "pdf": SimpleUploadedFile(pdf_name, pdf_bytes, content_type="application/pdf"),
        },
    )


def test_publication_admin_form_shows_clear_error_for_fake_pdf(client, staff, media):
    client.force_login(staff)
    response = _admin_add(client, "fake.pdf", b"<html>not a pdf</html>")
    assert response.status_code == 200  # the form again, with the error
    assert "This file is not a PDF" in response.content.decode()
    assert not Publication.objects.exists()


def test_publication_admin_form_shows_clear_error_for_oversized_pdf(client, staff, media, settings):
    settings.OBSERVATORY_PUBLICATION_PDF_MAX_MB = 1
    client.force_login(staff)
    response = _admin_add(client, "big.pdf", small_pdf() + b"%" + b"0" * (1024 * 1024 + 10))
    assert "the limit is 1 MB" in response.content.decode()
    assert not Publication.objects.exists()


def test_publication_admin_form_accepts_real_pdf_under_a_safe_name(client, staff, media):
    client.force_login(staff)
    response = _admin_add(client, "../../etc/My Report (final).pdf", small_pdf())
    assert response.status_code == 302
    assert Publication.objects.get().pdf.name == "publications/with-attachment.pdf"


def test_publication_pdf_download_headers(client, media):
    publication = make_publication("with-pdf")
    publication.pdf.save("ignored.pdf", ContentFile(small_pdf()))
    response = client.get("/publications/with-pdf/pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="with-pdf.pdf"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_publication_pdf_of_draft_only_for_staff(client, staff, media):
    publication = make_publication("draft-pdf", state="draft")
    publication.pdf.save("x.pdf", ContentFile(small_pdf()))
    assert client.get("/publications/draft-pdf/pdf").status_code == 404
    client.force_login(staff)
    assert client.get("/publications/draft-pdf/pdf").status_code == 200


def test_publication_pdf_missing_is_404(client, media):
    make_publication("no-pdf")
    assert client.get("/publications/no-pdf/pdf").status_code == 404


def test_publication_citation_falls_back_to_the_observatory_as_author(client):
    make_publication("anonymous", title="No authors", authors="")
    html = client.get("/publications/anonymous/").content.decode()
    assert "EU Industry Observatory (" in html


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"<html><script>alert(1)</script></html>\n" + small_pdf(), "not_pdf"),  # HTML+PDF polyglot
        (small_pdf().replace(b"%%EOF", b"<< /S /JavaScript /JS (app.alert(1)) >>\n%%EOF"), "pdf_javascript"),
    ],
)
def test_pdf_check_refuses_polyglots_and_javascript(content, code):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from observatory.pdf import validate_pdf

    with pytest.raises(ValidationError) as exc:
        validate_pdf(SimpleUploadedFile("x.pdf", content, content_type="application/pdf"))
    assert exc.value.code == code
