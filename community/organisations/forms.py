"""Forms for organisation profiles, offers, events, interest messages and the directory filters."""

import re

from django import forms
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecosystems import selectors as taxonomy
from observatory.models import Technology

from .models import Event, Offer, Organisation

MARKDOWN_HELP = _("Markdown: **bold**, _italic_, [link](https://…), lists. Raw HTML is not rendered.")
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
CODE_RE = re.compile(r"^[A-Z]{2}[A-Z0-9]{0,3}$")


class HttpUrlField(forms.URLField):
    """http(s) only: no ftp:, no javascript: (URLValidator refuses the latter anyway)."""

    default_validators = [URLValidator(schemes=["http", "https"])]

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


def _ecosystem_field():
    return forms.ModelMultipleChoiceField(
        label=_("Ecosystems"),
        queryset=taxonomy.ecosystems(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def _technology_field():
    return forms.ModelMultipleChoiceField(
        label=_("Technologies"),
        queryset=Technology.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def clean_region(code: str, country: str | None = None, level: int | None = 2) -> str:
    """A NUTS code we know (of `level`, inside `country` when given), upper-cased."""
    code = (code or "").strip().upper()
    if not code:
        return ""
    region = taxonomy.region(code) if CODE_RE.match(code) else None
    if region is None or (level is not None and region.level != level):
        raise forms.ValidationError(
            _("“%(code)s” is not a NUTS %(level)s region code we know (e.g. DE11).")
            % {"code": code[:12], "level": level if level is not None else ""}
        )
    if country and region.country != country and not code.startswith(country):
        raise forms.ValidationError(
            _("Region %(code)s is not in %(country)s.") % {"code": code, "country": country}
        )
    return code


def _category_field():
    return forms.ModelMultipleChoiceField(
        label=_("Cluster categories"),
        queryset=taxonomy.cluster_categories(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The cluster categories of the cluster mapping your members work in."),
    )


class OrganisationForm(forms.ModelForm):
    website = HttpUrlField(label=_("Website"), required=False, max_length=300)
    ecosystems = _ecosystem_field()
    technologies = _technology_field()
    cluster_categories = _category_field()

    class Meta:
        model = Organisation
        fields = [
            "name", "legal_form", "country", "region", "website", "description", "ecosystems",
            "technologies", "cluster_categories", "member_count", "sme_share", "year_founded",
            "contact_role", "logo",
        ]  # fmt: skip
        widgets = {"description": forms.Textarea(attrs={"rows": 8})}
        help_texts = {"description": MARKDOWN_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        countries = taxonomy.member_countries()
        if self.instance.pk and self.instance.country_id:
            # A profile saved with an aggregate before they were refused keeps it until changed.
            countries = countries | taxonomy.countries().filter(pk=self.instance.country_id)
        self.fields["country"].queryset = countries.order_by("name")
        self.fields["name"].min_length = 2
        self.fields["description"].max_length = 10000

    def clean_region(self):
        country = self.cleaned_data.get("country")
        return clean_region(self.cleaned_data.get("region", ""), country.code if country else None)

    def clean_contact_role(self):
        role = self.cleaned_data.get("contact_role", "")
        if EMAIL_RE.search(role):
            raise forms.ValidationError(
                _("Give a role (e.g. “Cluster manager”), not an e-mail address: members contact you "
                  "through the site without seeing any address.")
            )  # fmt: skip
        return role

    def clean_year_founded(self):
        year = self.cleaned_data.get("year_founded")
        if year and year > timezone.localdate().year:
            raise forms.ValidationError(_("The year founded cannot be in the future."))
        return year

    def data_for_actions(self) -> tuple[dict, list, list]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in {"ecosystems", "technologies"}}
        data["cluster_categories"] = list(data.get("cluster_categories") or [])
        if data.get("logo") is False:  # "clear" ticked
            data["logo"] = ""
        elif not data.get("logo"):
            data.pop("logo", None)
        return data, list(self.cleaned_data["ecosystems"]), list(self.cleaned_data["technologies"])


class OfferForm(forms.ModelForm):
    ecosystems = _ecosystem_field()
    technologies = _technology_field()
    regions = forms.CharField(
        label=_("Regions wanted"),
        required=False,
        max_length=300,
        help_text=_("NUTS or country codes separated by commas (e.g. DE11, FR, ITC4). Empty = anywhere."),
    )
    deadline = forms.DateField(
        label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = Offer
        fields = ["kind", "title", "description", "ecosystems", "technologies", "regions", "deadline"]
        widgets = {"description": forms.Textarea(attrs={"rows": 8})}
        help_texts = {"description": MARKDOWN_HELP}

    def __init__(self, *args, **kwargs):
        instance = kwargs.get("instance")
        if instance is not None and instance.pk:
            kwargs.setdefault("initial", {})["regions"] = ", ".join(instance.regions)
        super().__init__(*args, **kwargs)
        self.fields["title"].min_length = 3
        self.fields["description"].max_length = 10000

    def clean_regions(self):
        codes = [c for c in re.split(r"[\s,;]+", self.cleaned_data.get("regions", "")) if c]
        if len(codes) > 30:
            raise forms.ValidationError(_("Name at most 30 regions."))
        cleaned = []
        for code in codes:
            upper = code.upper()
            if taxonomy.country(upper) is not None:
                cleaned.append(upper)
            else:
                cleaned.append(clean_region(upper, level=None))
        return list(dict.fromkeys(cleaned))

    def data_for_actions(self) -> tuple[dict, list, list]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in {"ecosystems", "technologies"}}
        return data, list(self.cleaned_data["ecosystems"]), list(self.cleaned_data["technologies"])


class EventForm(forms.ModelForm):
    ecosystems = _ecosystem_field()
    url = HttpUrlField(label=_("Event page"), required=False, max_length=300)
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    class Meta:
        model = Event
        fields = [
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "location",
            "is_online",
            "ecosystems",
            "url",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"description": MARKDOWN_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].min_length = 3
        self.fields["description"].max_length = 10000

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end < start:
            self.add_error("ends_at", _("The event cannot end before it starts."))
        if not data.get("location") and not data.get("is_online"):
            self.add_error("location", _("Give a place, or tick “online”."))
        return data

    def data_for_actions(self) -> tuple[dict, list]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "ecosystems"}
        return data, list(self.cleaned_data["ecosystems"])


class InterestForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        min_length=10,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Sent to the organisation's managers. Neither side sees the other's e-mail address; "
                    "they answer through the site."),
    )  # fmt: skip


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of the member to invite"),
        help_text=_("If a verified member has this address, they get an invitation to accept. "
                    "We do not say whether the address has an account."),
    )  # fmt: skip


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    ecosystem = forms.ModelChoiceField(
        label=_("Ecosystem"), required=False, queryset=taxonomy.ecosystems(), to_field_name="slug",
        empty_label=_("All ecosystems"),
    )  # fmt: skip
    country = forms.ModelChoiceField(
        label=_("Country"), required=False, queryset=taxonomy.member_countries(), to_field_name="code",
        empty_label=_("All countries"),
    )  # fmt: skip
    region = forms.CharField(label=_("Region (NUTS code)"), required=False, max_length=12)
    technology = forms.ModelChoiceField(
        label=_("Technology"), required=False, queryset=Technology.objects.all(), to_field_name="slug",
        empty_label=_("All technologies"),
    )  # fmt: skip
    category = forms.ModelChoiceField(
        label=_("Cluster category"), required=False, queryset=taxonomy.cluster_categories(),
        to_field_name="slug", empty_label=_("All cluster categories"),
    )  # fmt: skip
    verified = forms.BooleanField(label=_("Validated profiles only"), required=False)

    def clean_region(self):
        code = self.cleaned_data.get("region", "").strip().upper()
        return code if CODE_RE.match(code) else ""

    def filters(self) -> dict:
        """Valid filters for the selectors; invalid values are dropped (never an error page)."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        return {
            "q": data.get("q") or "",
            "ecosystem": data["ecosystem"].slug if data.get("ecosystem") else "",
            "country": data["country"].code if data.get("country") else "",
            "region": data.get("region") or "",
            "technology": data["technology"].slug if data.get("technology") else "",
            "category": data["category"].slug if data.get("category") else "",
            "verified": bool(data.get("verified")),
        }


class OfferFilterForm(DirectoryFilterForm):
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *Offer.Kind.choices]
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("open", _("Open")), ("closed", _("Closed")), ("expired", _("Expired")), ("all", _("All"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["verified"]
        del self.fields["category"]
        self.fields["region"].label = _("Partners wanted in (NUTS or country code)")

    def filters(self) -> dict:
        base = super().filters()
        return {
            **{k: base[k] for k in ("q", "ecosystem", "country", "technology", "region")},
            "kind": self.cleaned_data.get("kind", "") if "kind" not in self.errors else "",
            "state": self.cleaned_data.get("state", "") if "state" not in self.errors else "",
        }
