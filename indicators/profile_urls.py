"""The profile pages' routes. Their namespace stays `ecosystems` (templates and permalinks reverse
`ecosystems:country-detail` etc.) although the views live in indicators."""

from django.urls import path

from .views import profiles

app_name = "ecosystems"

urlpatterns = [
    path("ecosystems/", profiles.ecosystem_list, name="ecosystem-list"),
    path("ecosystems/<slug:slug>/", profiles.ecosystem_detail, name="ecosystem-detail"),
    path("countries/", profiles.country_list, name="country-list"),
    path("countries/<str:geo>/", profiles.country_detail, name="country-detail"),
    path("regions/<str:nuts>/", profiles.region_detail, name="region-detail"),
    path("compare/", profiles.compare, name="compare"),
]
