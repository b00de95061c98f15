"""Headless Chromium on the organisation pages: hostile profile/offer/event text runs no script,
no CSP error, and axe-core finds no serious or critical WCAG 2.1 AA violation."""

import pytest

from community.organisations import actions as org_actions
from tests.community.factories import make_event, make_geo, make_offer, make_organisation, make_user
from tests.e2e.axe import blocking, run_axe
from tests.e2e.conftest import charts_ready
from tests.e2e.test_forum_hostile import CHECK, TRAP, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOAD = '"><img src=x onerror=__xss()><script>__xss()</script>[x](javascript:__xss())'


@pytest.fixture
def directory():
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    mobility, _, _ = make_geo()
    staff = get_user_model().objects.create_superuser(email="boss@example.eu", password="correct horse 42")
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    manager = make_user("manager@example.eu", display_name="Mia")
    org = make_organisation(
        manager, staff, name=f"Cluster {PAYLOAD}", description=f"## About\n\n{PAYLOAD}",
        contact_role=PAYLOAD[:120], ecosystems=[mobility], website="https://cluster.example",
    )  # fmt: skip
    org_actions.verify_organisation(org, staff, f"Checked {PAYLOAD}")
    offer = make_offer(org, manager, title=f"Offer {PAYLOAD}", description=PAYLOAD, ecosystems=[mobility])
    event = make_event(org, manager, title=f"Event {PAYLOAD}", description=PAYLOAD, location=PAYLOAD[:200])
    return org, offer, event, manager


def test_organisation_pages_run_no_injected_script_and_pass_axe(live_server, page, directory):
    org, offer, event, manager = directory
    page.add_init_script(TRAP)
    paths = {
        "directory": "/organisations/",
        "profile": org.get_absolute_url(),
        "history": f"{org.get_absolute_url()}history/",
        "offers": "/organisations/offers/",
        "offer": offer.get_absolute_url(),
        "events": "/events/",
        "calendar": "/events/calendar/",
        "event": event.get_absolute_url(),
    }
    failures = []
    for signed_in in (False, True):
        if signed_in:
            _sign_in(page, live_server, manager)
            paths |= {
                "edit": f"{org.get_absolute_url()}edit/",
                "offer form": f"{org.get_absolute_url()}offers/new/",
            }
        for family, path in paths.items():
            page.goto(live_server.url + path)
            page.wait_for_load_state("load")
            if family == "directory":
                charts_ready(page, 1)  # the map of organisations per region is drawn under CSP
            assert page.evaluate(CHECK) == ["trap intact", 0], (signed_in, path)
            failures += [f"{family}: {v['id']} ({v['impact']}): {v['help']}" for v in blocking(run_axe(page))]
    assert page.errors == []
    assert failures == [], "\n".join(failures)
