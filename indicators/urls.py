from django.urls import path

from .views import catalogue

app_name = "indicators"

urlpatterns = [
    path("data/", catalogue.catalogue, name="catalogue"),
    path("data/<slug:code>/", catalogue.source_detail, name="source-detail"),
    path("data/<slug:code>/releases/<int:release_id>/raw", catalogue.raw_download, name="release-raw"),
    path(
        "data/<slug:code>/releases/<int:release_id>/tidy.csv",
        catalogue.tidy_csv,
        name="release-tidy-csv",
    ),
]
