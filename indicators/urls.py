from django.urls import path

from .views import catalogue, indicator_pages

app_name = "indicators"

urlpatterns = [
    path("indicators/", indicator_pages.indicator_list, name="indicator-list"),
    path("indicators/<slug:code>/", indicator_pages.indicator_detail, name="indicator-detail"),
    path("data/", catalogue.catalogue, name="catalogue"),
    path("data/<slug:code>/", catalogue.source_detail, name="source-detail"),
    path("data/<slug:code>/releases/<int:release_id>/raw", catalogue.raw_download, name="release-raw"),
    path(
        "data/<slug:code>/releases/<int:release_id>/tidy.csv",
        catalogue.tidy_csv,
        name="release-tidy-csv",
    ),
]
