from django.urls import path

from .views import technologies

app_name = "technologies"

urlpatterns = [
    path("technologies/", technologies.technology_list, name="technology-list"),
    path("technologies/<slug:slug>/", technologies.technology_detail, name="technology-detail"),
]
