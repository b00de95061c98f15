from django.urls import path

from .views import api, catalogue, clusters, dependencies, indicator_pages, transition

app_name = "indicators"

urlpatterns = [
    path("transition/", transition.transition, name="transition"),
    path("indicators/", indicator_pages.indicator_list, name="indicator-list"),
    path("indicators/<slug:code>/", indicator_pages.indicator_detail, name="indicator-detail"),
    path("nace/<str:code>/regions/", indicator_pages.nace_regions, name="nace-regions"),
    path("geo/nuts2021/<int:level>.geojson", indicator_pages.geometry, name="geometry"),
    path("geo/nuts2021/<int:level>.<int:version>.geojson", indicator_pages.geometry, name="geometry-version"),
    path("charts/plotly.css", indicator_pages.plotly_css, name="plotly-css"),
    path("charts/plotly.<slug:digest>.css", indicator_pages.plotly_css, name="plotly-css-version"),
    path("api/", api.docs, name="api-docs"),
    path("api/v1/openapi.json", api.openapi, name="api-openapi"),
    path("api/v1/indicators/", api.indicator_index, name="api-indicators"),
    path("api/v1/values/", api.values_endpoint, name="api-values"),
    path("api/v1/observations/", api.observations_endpoint, name="api-observations"),
    path("clusters/", clusters.overview, name="cluster-overview"),
    path("clusters/regions/<str:nuts>/", clusters.region, name="cluster-region"),
    path("clusters/categories/<slug:slug>/", clusters.category, name="cluster-category"),
    path("api/v1/dependencies/", api.dependencies_endpoint, name="api-dependencies"),
    path("dependencies/", dependencies.screen, name="dependencies"),
    path("dependencies/products/<str:code>/", dependencies.product, name="dependency-product"),
    path("data/", catalogue.catalogue, name="catalogue"),
    path("data/<slug:code>/", catalogue.source_detail, name="source-detail"),
    path("data/<slug:code>/releases/<int:release_id>/raw", catalogue.raw_download, name="release-raw"),
    path(
        "data/<slug:code>/releases/<int:release_id>/tidy.csv",
        catalogue.tidy_csv,
        name="release-tidy-csv",
    ),
]
