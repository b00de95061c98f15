"""Ecosystem, country and region profile pages."""

from django.http import Http404


def not_yet(request, **kwargs):
    raise Http404("This page is being built.")


ecosystem_list = ecosystem_detail = country_list = country_detail = region_detail = compare = not_yet
