"""The interface in French and German: every template string marked, the catalogues complete, the
language switcher keeps the URL, and cached pages are cached per language (Decision 28)."""

import ast
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils.translation.template import templatize

from .template_text import blank_django_syntax, template_files, unmarked_text

ROOT = Path(settings.BASE_DIR)
LANGUAGES = ["fr", "de"]

# templatize() turns a template into Python-like text with one gettext call per marked string, the
# same text makemessages hands to xgettext; these read the calls back out of it.
_STRING = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
_CALL = re.compile(r"\b(gettext|ngettext|pgettext|npgettext)\(((?:\s*" + _STRING + r"\s*,?)+)")


def template_msgids(source):
    """(context, msgid) of every string the template marks for translation."""
    found = set()
    for call in _CALL.finditer(templatize(source)):
        args = [ast.literal_eval(a) for a in re.findall(_STRING, call.group(2))]
        context = args.pop(0) if call.group(1).startswith(("pgettext", "npgettext")) else None
        found.add((context, args[0]))
    return found


def catalogue(language):
    return polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))


def write_template(tmp_path, text):
    path = tmp_path / "templates" / "t.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- (1) every template string is marked -------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "<p>Persons employed</p>",
        '<p>{% translate "Year" %}: {{ year }} and more</p>',
        '<img src="x.png" alt="Map of Europe">',
        '<input type="submit" value="Send">',
        '<input placeholder="Search here">',
        '<a href="/" title="Go home">{% translate "Home" %}</a>',
        "{% if x %}<td>LQ</td>{% endif %}",
        "{% block meta_description %}{{ name }}: its ecosystems, {{ period }}.{% endblock %}",
    ],
)
def test_template_scan_finds_unmarked_text(tmp_path, text):
    assert unmarked_text(write_template(tmp_path, text), tmp_path)


@pytest.mark.parametrize(
    "text",
    [
        '<p>{% translate "Persons employed" %}</p>',
        "<p>{% blocktranslate with n=x %}Hello {{ n }}, <b>welcome</b>{% endblocktranslate %}</p>",
        "<p>{% blocktranslate trimmed %}\n  Two\n  lines\n{% endblocktranslate %}</p>",
        "<img alt=\"{% translate 'Map' %}\">",
        "<script>var label = 'not scanned';</script><style>.a::after { content: 'x'; }</style>",
        "<p><code>geo=DE11</code> · {{ value }} € – 1 234 %</p>",
        '<option lang="fr">Français</option>',
        "{# a comment with words #}{% comment %}more words{% endcomment %}",
        "<p>© EuroGeographics (Eurostat GISCO), NUTS 2, EU27 = EU-28 − UK, v{{ n }}, sha256</p>",
    ],
)
def test_template_scan_accepts_marked_text_and_symbols(tmp_path, text):
    assert unmarked_text(write_template(tmp_path, text), tmp_path) == []


def test_template_scan_keeps_line_numbers(tmp_path):
    path = write_template(tmp_path, '{% comment %}\n\n{% endcomment %}\n{% translate "a" %}\n<p>Left out</p>')
    assert [u.line for u in unmarked_text(path, tmp_path)] == [5]
    assert blank_django_syntax("{% if a %}\n{% endif %}") == "\n"


def test_every_template_string_is_marked_for_translation():
    templates = template_files(ROOT)
    assert len(templates) > 90  # templates/ is found, HTML and text mails
    unmarked = [str(u) for path in templates for u in unmarked_text(path, ROOT)]
    assert unmarked == [], (
        "Mark these for translation ({% translate %} / {% blocktranslate %}):\n" + "\n".join(unmarked)
    )


# --- (2) the catalogues are complete -----------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_translates_every_template_string(language):
    wanted = set().union(*(template_msgids(p.read_text(encoding="utf-8")) for p in template_files(ROOT)))
    entries = {(e.msgctxt, e.msgid): e for e in catalogue(language)}
    missing = sorted(m for c, m in wanted - entries.keys())
    untranslated = sorted(
        m for key in wanted & entries.keys() if not entries[key].translated() for m in [key[1]]
    )
    assert len(wanted) > 1000
    assert missing == [], f"not in locale/{language} (run make messages): {missing[:10]}"
    assert untranslated == [], f"untranslated or fuzzy in locale/{language}: {untranslated[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_no_untranslated_or_fuzzy_entry(language):
    po = catalogue(language)
    assert po.metadata["Language"] == language
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_is_current(language):
    mo_path = ROOT / "locale" / language / "LC_MESSAGES" / "django.mo"
    assert mo_path.exists(), "run make install: it compiles locale/*/django.po with msgfmt"
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.mofile(str(mo_path))}
    source = {
        (e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in catalogue(language) if e.translated()
    }
    assert compiled == source, "the .mo file is stale: run make install"


# --- (3) French pages and the language switcher ------------------------------------------------


@pytest.mark.django_db
def test_language_cookie_gives_french_navigation(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = client.get("/about/").content.decode()
    assert '<html lang="fr">' in html
    for label in [
        "Écosystèmes",
        "Pays et régions",
        "Dépendances",
        "Aller au contenu principal",
        "Se connecter",
    ]:
        assert label in html
    assert ">Countries & regions<" not in html


@pytest.mark.django_db
def test_accept_language_gives_german_without_a_cookie(client):
    html = client.get("/about/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5").content.decode()
    assert '<html lang="de">' in html
    assert "Länder & Regionen" in html and "Abhängigkeiten" in html


@pytest.mark.django_db
def test_switcher_form_posts_the_current_url_with_its_query_string(client):
    html = client.get("/search/?q=steel&kind=ecosystem").content.decode()
    form = re.search(r'<form class="language-form[^>]*action="([^"]+)".*?</form>', html, re.S)
    assert form and form.group(1) == "/i18n/setlang/"
    assert '<input type="hidden" name="next" value="/search/?q=steel&amp;kind=ecosystem">' in form.group(0)
    assert '<label for="language-select"' in form.group(0)
    assert re.findall(r'<option value="(\w+)" lang="\1"', form.group(0)) == ["en", "fr", "de"]
    assert "csrfmiddlewaretoken" not in form.group(0)  # anonymous pages stay cacheable


@pytest.mark.django_db
def test_switching_language_comes_back_to_the_same_url(client):
    back = "/search/?q=steel&kind=ecosystem"
    response = client.post("/i18n/setlang/", {"language": "de", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "de" and cookie["httponly"] and cookie["samesite"] == "Lax"
    html = client.get(back).content.decode()
    assert '<html lang="de">' in html and "Länder & Regionen" in html
    assert '<option value="de" lang="de" selected>' in html


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["https://evil.example/phish", "//evil.example/", "javascript:alert(1)"])
def test_switcher_never_redirects_off_site(client, target):
    response = client.post("/i18n/setlang/", {"language": "fr", "next": target})
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.django_db
def test_switcher_ignores_an_unknown_language(client):
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/about/"})
    assert response.status_code == 302 and settings.LANGUAGE_COOKIE_NAME not in response.cookies


# --- (4) the anonymous page cache is per language ----------------------------------------------


@pytest.mark.django_db
def test_cached_page_is_cached_per_language(client, reference):
    cache.clear()
    english = client.get("/ecosystems/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200 and "The 14 industrial ecosystems" in english.content.decode()
    assert client.get("/ecosystems/", HTTP_ACCEPT_LANGUAGE="en").content == english.content  # cached
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    french = client.get("/ecosystems/").content.decode()
    assert "Les 14 écosystèmes industriels" in french and '<html lang="fr">' in french
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    german = client.get("/ecosystems/").content.decode()
    assert "Die 14 industriellen Ökosysteme" in german and '<html lang="de">' in german
