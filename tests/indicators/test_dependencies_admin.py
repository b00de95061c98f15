"""Curators change the screen's rules in admin as new versions; old versions stay as they were."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission

from indicators import refresh, screen
from indicators.models import DependencyResult, DependencyRules
from tests import dbsnapshot
from tests.conftest import SAMPLES


@pytest.fixture
def loaded(reference, raw_dir):
    def build():
        screen.load_country_groups()
        assert refresh.ingest("comext_crm_imports", path=SAMPLES / "comext_sample.csv").status == "succeeded"
        assert refresh.recompute().status == "succeeded"

    dbsnapshot.restore_or_take("dependencies_admin", build)  # built once per session


def test_adding_a_version_runs_the_screen_and_leaves_v1_alone(
    client, staff, loaded, django_capture_on_commit_callbacks
):
    v1 = DependencyRules.objects.get(is_current=True)
    before = list(DependencyResult.objects.filter(rules=v1).values_list("product", "period", "flagged"))
    client.force_login(staff)
    form = client.get("/admin/indicators/dependencyrules/add/")
    assert form.status_code == 200
    assert form.context["adminform"].form.initial["hhi_threshold"] == v1.hhi_threshold  # starts from current
    data = {
        "note": "Stricter concentration",
        "hhi_threshold": "0.9",
        "extra_share_threshold": "0.5",
        "substitutability_threshold": "1",
        "min_extra_imports": "0",
        "persistence_years": "2",
        "persistence_window": "3",
        "spof_share": "0.5",
        "hhi_rise": "0.1",
        "share_jump": "0.2",
        "low_risk_groups": '["eea_efta", "like_minded"]',
        "country_groups": str(v1.country_groups_id),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/indicators/dependencyrules/add/", data)
    assert response.status_code == 302, response.content[:2000]
    v2 = DependencyRules.objects.get(number=2)
    assert not v2.is_current and v2.created_by == staff
    assert (
        DependencyResult.objects.filter(rules=v2).count() == DependencyResult.objects.filter(rules=v1).count()
    )
    assert (
        list(DependencyResult.objects.filter(rules=v1).values_list("product", "period", "flagged")) == before
    )
    # A saved version is history: its change form has no editable threshold.
    page = client.get(f"/admin/indicators/dependencyrules/{v2.pk}/change/")
    assert 'name="hhi_threshold"' not in page.content.decode()
    # Persistence must fit in its window: the model refuses 4 of 3 years.
    bad = {**data, "persistence_years": "4"}
    assert client.post("/admin/indicators/dependencyrules/add/", bad).status_code == 200
    assert not DependencyRules.objects.filter(number=3).exists()


def test_make_current_needs_the_change_permission(client, django_user_model, loaded):
    viewer = django_user_model.objects.create_user(email="v@example.eu", password="x", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_dependencyrules"))
    TOTP.activate(viewer, generate_totp_secret())
    v1 = DependencyRules.objects.get(is_current=True)
    v2 = DependencyRules.objects.create(number=2, note="x", country_groups=v1.country_groups)
    client.force_login(viewer)
    client.post(
        "/admin/indicators/dependencyrules/", {"action": "make_current", ACTION_CHECKBOX_NAME: [v2.pk]}
    )
    assert DependencyRules.objects.get(is_current=True) == v1
    assert client.get("/admin/indicators/dependencyrules/add/").status_code == 403
