from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import ForumSettings, Space

BODY_HELP = _("Markdown: **bold**, _italic_, [link](https://…), > quote, lists. Mention someone with @name "
              "(the part of their email address before the @).")  # fmt: skip


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Your post"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=BODY_HELP,
    )
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ThreadForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, min_length=3)
    body = PostForm.base_fields["body"]


class EditPostForm(forms.Form):
    title = forms.CharField(label=_("Thread title"), max_length=200, min_length=3, required=False)
    body = PostForm.base_fields["body"]


class DiscussForm(ThreadForm):
    space = forms.ModelChoiceField(label=_("Space"), queryset=Space.objects.none(), empty_label=None)

    def __init__(self, *args, spaces=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = spaces if spaces is not None else Space.objects.none()
        self.order_fields(["space", "title", "body"])


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class FlagForm(ReasonForm):
    pass


class ModerateThreadForm(ReasonForm):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            ("lock", _("Lock")),
            ("unlock", _("Unlock")),
            ("pin", _("Pin")),
            ("unpin", _("Unpin")),
            ("hide", _("Hide")),
            ("restore", _("Restore")),
            ("move", _("Move to another space")),
        ],
    )
    to_space = forms.ModelChoiceField(label=_("Move to"), queryset=Space.objects.none(), required=False)

    def __init__(self, *args, spaces=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_space"].queryset = spaces if spaces is not None else Space.objects.none()

    def clean(self):
        data = super().clean()
        if data.get("action") == "move" and not data.get("to_space"):
            self.add_error("to_space", _("Choose the space to move the thread to."))
        return data


class ModeratePostForm(ReasonForm):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("hide", _("Hide")), ("restore", _("Restore")), ("dismiss", _("Dismiss flags"))],
    )


class SuspendForm(ReasonForm):
    email = forms.EmailField(label=_("Member's email address"))
    suspend = forms.TypedChoiceField(
        label=_("Action"),
        choices=[("1", _("Suspend from this space")), ("0", _("Lift the suspension"))],
        coerce=lambda v: v == "1",
    )

    def clean_email(self):
        user = get_user_model().objects.filter(email__iexact=self.cleaned_data["email"]).first()
        if user is None:
            raise forms.ValidationError(_("No user with this email address."))
        self.cleaned_data["user"] = user
        return user.email


class ForumSettingsForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=30,
        help_text=_("Shown next to your posts and used for @mentions; your e-mail address is never shown."),
    )
    digest = forms.ChoiceField(
        label=_("Email digest of your notifications"), choices=ForumSettings.Digest.choices
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_display_name(self):
        from observatory.accounts import validate_display_name

        return validate_display_name(self.cleaned_data["display_name"], self.user)
