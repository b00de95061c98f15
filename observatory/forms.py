"""The publication list's filters: GET parameters, so every filtered view is a permalink."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ecosystems import selectors as taxonomy

from .models import Publication, Technology


class PublicationFilterForm(forms.Form):
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *Publication.Kind.choices]
    )
    ecosystem = forms.ModelChoiceField(
        label=_("Ecosystem"),
        required=False,
        queryset=taxonomy.ecosystems(),
        to_field_name="slug",
        empty_label=_("All ecosystems"),
    )
    country = forms.ModelChoiceField(
        label=_("Country"),
        required=False,
        queryset=taxonomy.countries(),
        to_field_name="code",
        empty_label=_("All countries"),
    )
    technology = forms.ModelChoiceField(
        label=_("Technology"),
        required=False,
        queryset=Technology.objects.all(),
        to_field_name="slug",
        empty_label=_("All technologies"),
    )
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years")), *[(y, str(y)) for y in years]]

    def filters(self) -> dict:
        """Valid filters for `selectors.published_publications`; invalid values are dropped."""
        if not self.is_valid():
            data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        else:
            data = self.cleaned_data
        return {
            "kind": data.get("type") or "",
            "ecosystem": data["ecosystem"].slug if data.get("ecosystem") else "",
            "country": data["country"].code if data.get("country") else "",
            "technology": data["technology"].slug if data.get("technology") else "",
            "year": data.get("year"),
        }


class SignupForm(forms.Form):
    """allauth's extra sign-up fields (ACCOUNT_SIGNUP_FORM_CLASS): the public display name."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=30,
        help_text=_(
            "Shown next to your posts and used for @mentions. Your e-mail address is never shown "
            "to other members or visitors (see the privacy notice)."
        ),
    )

    def clean_display_name(self):
        from .accounts import validate_display_name

        return validate_display_name(self.cleaned_data["display_name"])

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])
