"""Indicator pages: map + ranking + time series + table for one indicator."""

from django.http import Http404


def not_yet(request, **kwargs):
    raise Http404("This page is being built.")


indicator_list = indicator_detail = not_yet
