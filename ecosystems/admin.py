from django.contrib import admin

from .models import (
    Activity,
    ClusterCategory,
    ClusterLinkage,
    CodeLabel,
    Country,
    Ecosystem,
    NutsChange,
    Region,
)


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "eu27_2020", "efta"]
    list_filter = ["kind", "eu27_2020", "efta"]
    search_fields = ["code", "name"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "country", "version"]
    list_filter = ["version", "level"]
    search_fields = ["code", "name"]


@admin.register(NutsChange)
class NutsChangeAdmin(admin.ModelAdmin):
    list_display = ["old_code", "new_code", "change", "from_version", "to_version"]
    list_filter = ["from_version", "change"]
    search_fields = ["old_code", "new_code"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["code", "dotted", "name", "level", "parent"]
    list_filter = ["level", "section"]
    search_fields = ["code", "dotted", "name"]
    raw_id_fields = ["parent"]


@admin.register(CodeLabel)
class CodeLabelAdmin(admin.ModelAdmin):
    list_display = ["dimension", "code", "label"]
    list_filter = ["dimension"]
    search_fields = ["code", "label"]


@admin.register(Ecosystem)
class EcosystemAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ClusterCategory)
class ClusterCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "approximation", "sbs_coverage", "order"]
    list_filter = ["kind", "approximation"]
    search_fields = ["name", "slug", "us_name"]


@admin.register(ClusterLinkage)
class ClusterLinkageAdmin(admin.ModelAdmin):
    list_display = ["core", "linked", "strength"]
    list_filter = ["strength"]
