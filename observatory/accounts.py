"""Display names: what the portal shows of a member instead of the e-mail address.

E-mail addresses are personal data seen only by staff (in the admin); every public place — forum
posts, thread lists, mentions, notifications — shows the display name, which each member chooses
at sign-up and may change in the forum settings. The name doubles as the @mention handle, so it
has no spaces.
"""

import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Letters (any script), digits, "." "_" "-"; starts with a letter or digit; 3–30 characters.
DISPLAY_NAME_RE = re.compile(r"^[^\W_][\w.-]{2,29}$")
# Names that would pass for the site's own voice.
RESERVED = {"admin", "administrator", "staff", "moderator", "observatory", "support", "system"}


def validate_display_name(value: str, user=None) -> str:
    """The cleaned display name, or a ValidationError saying what is wrong.

    Unique regardless of case; USER (when editing) may keep its own name.
    """
    name = (value or "").strip()
    if not DISPLAY_NAME_RE.fullmatch(name):
        raise ValidationError(
            _(
                "Use 3 to 30 letters, digits, dots, hyphens or underscores, starting with a letter "
                "or digit (no spaces, no @)."
            ),
            code="invalid",
        )
    if name.lower() in RESERVED:
        raise ValidationError(_("This name is reserved. Please choose another."), code="reserved")
    taken = get_user_model().objects.filter(display_name__iexact=name)
    if user is not None and user.pk:
        taken = taken.exclude(pk=user.pk)
    if taken.exists():
        raise ValidationError(_("This display name is taken. Please choose another."), code="taken")
    return name


def public_name(user) -> str:
    """What others see: the display name, or a neutral label — never the e-mail address."""
    if user is None:
        return str(_("a former member"))
    return user.display_name or str(_("Member %(number)s") % {"number": user.pk})
