"""The form renderer (observatory/renderers.py): Django's own form and widget templates through
Jinja2, the admin's Django-templates-only widgets still found, the same markup as Django's
default renderer, values escaped."""

import re

import pytest
from django import forms
from django.contrib import admin
from django.forms.renderers import DjangoTemplates
from django.test import Client
from django.urls import NoReverseMatch, reverse

from observatory.renderers import FormRenderer


class Sample(forms.Form):
    name = forms.CharField(max_length=5, help_text="At most five.")
    website = forms.URLField(required=False)
    kind = forms.ChoiceField(choices=[("a", "A <b>"), ("b", "B")])
    tags = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple)
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(widget=forms.Textarea, required=False)


def normalised(html: str) -> str:
    # Whitespace between tags differs; Jinja2 writes ' as &#39;, Django as &#x27;.
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip().replace("&#x27;", "&#39;")


@pytest.mark.parametrize(
    "data",
    [None, {"name": "<script>alert('x')</script>", "website": "javascript:x", "kind": "z", "when": "no"}],
)
def test_the_same_markup_as_djangos_renderer_and_values_escaped(data):
    ours, django = Sample(data=data, renderer=FormRenderer()), Sample(data=data, renderer=DjangoTemplates())
    html = str(ours)
    assert normalised(html) == normalised(str(django))
    assert "<script>" not in html and "A &lt;b&gt;" in html
    if data:
        assert "&lt;script&gt;" in html and 'class="errorlist"' in html


def test_templates_only_django_has_come_from_django_templates():
    renderer = FormRenderer()
    assert type(renderer.get_template("django/forms/widgets/text.html")).__module__.endswith("jinja2")
    wrapper = renderer.get_template("admin/widgets/related_widget_wrapper.html")  # no Jinja2 copy
    assert type(wrapper).__module__.endswith("backends.django")
    assert "admin/widgets/related_widget_wrapper.html" in renderer._django_only


@pytest.mark.django_db
def test_every_admin_add_form_renders(staff):
    """Every ModelAdmin's add page (its widgets: related-object wrappers, date pickers, filtered
    selects, inlines) renders for a superuser."""
    client = Client()
    client.force_login(staff)
    seen = 0
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_add_permission(type("R", (), {"user": staff})()):
            continue
        try:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        except NoReverseMatch:
            continue
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert b"<form" in response.content, url
        seen += 1
    assert seen >= 10  # the scan reached the portal's admins, not just auth's
