from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from . import feeds, views
from .views import methodology, publications, search, value_chains

# Admin sign-in goes through allauth (rate limits, lockout, MFA), never the admin's own password form.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("about/", views.about, name="about"),
    path("privacy/", views.privacy, name="privacy"),
    path("publications/", publications.publication_list, name="publication-list"),
    path("publications/panel/related/", publications.publication_related, name="publication-related"),
    path("publications/feed.rss", feeds.PublicationsRss(), name="publication-feed-rss"),
    path("publications/feed.atom", feeds.PublicationsAtom(), name="publication-feed-atom"),
    path("publications/<slug:slug>/", publications.publication_detail, name="publication-detail"),
    path("publications/<slug:slug>/pdf", publications.publication_pdf, name="publication-pdf"),
    path("publications/<slug:slug>/cover", publications.publication_cover, name="publication-cover"),
    path("search/", search.search, name="search"),
    path("value-chains/", value_chains.explorer, name="value-chains"),
    path("value-chains/locomotives/", value_chains.locomotives, name="value-chain-locomotives"),
    path("methodology/", methodology.methodology, name="methodology"),
    path("methodology/ecosystems/", methodology.methodology_ecosystems, name="methodology-ecosystems"),
    path("methodology/indicators/", methodology.methodology_indicators, name="methodology-indicators"),
    path("methodology/sources/", methodology.methodology_sources, name="methodology-sources"),
    path("methodology/transition/", methodology.methodology_transition, name="methodology-transition"),
    path(
        "methodology/technologies/",
        methodology.methodology_technologies,
        name="methodology-technologies",
    ),
    path(
        "methodology/search-aliases/",
        methodology.methodology_search_aliases,
        name="methodology-search-aliases",
    ),
    # The header's language switcher posts here. Exempt from CSRF on purpose (Decision 28): its one
    # effect is a language cookie, and a token in every page would stop the anonymous page cache.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("indicators.urls")),
    path("", include("indicators.profile_urls")),
    path("", include("indicators.technology_urls")),
    path("forum/", include("community.urls")),
    # Cluster organisations, offers and events (community app): /organisations/..., /events/...
    path("", include("community.organisations.urls")),
]

handler404 = "observatory.views.not_found"
handler500 = "observatory.views.server_error"
