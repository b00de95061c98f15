from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("about/", views.about, name="about"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("indicators.urls")),
    path("", include("ecosystems.urls")),
    path("forum/", include("community.urls")),
]

handler404 = "observatory.views.not_found"
handler500 = "observatory.views.server_error"
