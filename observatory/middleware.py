"""Edge middleware: staff MFA for the admin, control characters refused, health check by any Host."""

import re

from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse

# C0 control characters. Tab, LF and CR are allowed in POST bodies (textareas), never in the path,
# query string or URL parameters: PostgreSQL refuses NUL (DataError -> 500) and feeds break on the rest.
_CONTROL_ANY = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BODY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _has_control(querydict, pattern) -> bool:
    return any(
        pattern.search(key) or any(pattern.search(v) for v in values) for key, values in querydict.lists()
    )


class RejectControlCharactersMiddleware:
    """Answer 400 (a small plain page) to any request carrying control characters, before any view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = _CONTROL_ANY.search(request.path) or _has_control(request.GET, _CONTROL_ANY)
        if not bad and request.method == "POST":
            try:
                bad = _has_control(request.POST, _CONTROL_BODY)
            except Exception:  # unreadable body: let the view/CSRF layer answer as usual
                bad = False
        if bad:
            return HttpResponseBadRequest(
                "Bad request: the address or form contains control characters.", content_type="text/plain"
            )
        return self.get_response(request)


class HealthzMiddleware:
    """Serve /healthz before CommonMiddleware checks the Host header.

    The container health check calls 127.0.0.1:8000, which is not in DJANGO_ALLOWED_HOSTS in production;
    the answer carries no host-dependent content, so it is safe to give it to any Host.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            from .views import healthz

            return healthz(request)
        return self.get_response(request)


class StaffMfaMiddleware:
    """Every staff account must have a TOTP authenticator before it sees any admin page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.is_staff
            and request.path_info.startswith(reverse("admin:index"))
            and not _has_totp(user)
        ):
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def _has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
