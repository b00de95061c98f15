from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .. import actions, selectors
from ..emails import user_from_unsubscribe_token
from ..forms import ForumSettingsForm
from ..models import ForumSettings
from ._common import paginate, render_page


@login_required
@require_http_methods(["GET", "POST"])
def notification_list(request):
    if request.method == "POST":
        actions.mark_notifications_read(request.user)
        messages.success(request, gettext("All notifications are marked as read."))
        return redirect("community:notification-list")
    page = paginate(request, selectors.notifications_for(request.user), 30)
    return render_page(request, "notification_list", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def forum_settings(request):
    prefs, _ = ForumSettings.objects.get_or_create(user=request.user)
    initial = {"digest": prefs.digest, "display_name": request.user.display_name}
    form = ForumSettingsForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        actions.update_forum_settings(
            request.user, form.cleaned_data["digest"], form.cleaned_data["display_name"]
        )
        messages.success(request, gettext("Your forum settings are saved."))
        return redirect("community:forum-settings")
    return render_page(request, "forum_settings", {"form": form})


def masked_email(address: str) -> str:
    """alice@example.eu -> a…@example.eu"""
    local, _, domain = address.partition("@")
    return f"{local[:1]}…@{domain}"


# The signed token is the credential here: mail clients send RFC 8058 one-click POSTs without a
# session or CSRF token, so this one view is exempt (it can only switch the digest off).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    user = user_from_unsubscribe_token(token)
    if user is None:
        raise Http404("This unsubscribe link is not valid.")
    done = request.method == "POST"
    if done:
        actions.unsubscribe(user)
    # The link travels in e-mails that get forwarded: show the address masked, never whole.
    return render_page(
        request, "unsubscribe", {"done": done, "token": token, "email": masked_email(user.email)}
    )
