"""Organisations name the cluster categories they work in: proposed through the form, kept in the
profile's history, shown on the profile, filtered in the directory and exported in the CSV."""

import csv
import io

import pytest
from django.urls import reverse

from community.organisations.models import Organisation
from ecosystems.models import ClusterCategory

from .factories import make_geo, make_organisation


@pytest.fixture
def categories(db):
    auto = ClusterCategory.objects.create(slug="automotive", name="Automotive", kind="traded", order=1)
    food = ClusterCategory.objects.create(
        slug="food-processing", name="Food Processing", kind="traded", order=2
    )
    return auto, food


def test_cluster_categories_through_the_form_filter_csv_and_history(
    alice, staff, login, categories, settings
):
    from community.organisations import actions as org_actions

    settings.COMMUNITY_NEW_ACCOUNT_ORGANISATIONS_PER_DAY = 5
    auto, food = categories
    make_geo()
    response = login(alice).post(
        reverse("organisations:organisation-propose"),
        {"name": "Rhône car cluster", "legal_form": "association", "country": "FR", "region": "FRK2",
         "cluster_categories": ["automotive"]},
    )  # fmt: skip
    assert response.status_code == 302, response.content[:2000]
    org = Organisation.objects.get(name="Rhône car cluster")
    assert list(org.cluster_categories.all()) == [auto]
    assert org.changes.get().changes["cluster_categories"] == ["automotive"]
    org_actions.approve_organisation(org, staff)
    make_organisation(alice, staff, name="Lyon food cluster", country_id="FR", region="FRK2",
                      cluster_categories=[food])  # fmt: skip
    # An edit of the categories is a change in the history (old -> new).
    org_actions.edit_organisation(org, alice, {"cluster_categories": [auto, food]})
    edit = org.changes.filter(action="edited").get()
    assert edit.changes["cluster_categories"] == [["automotive"], ["automotive", "food-processing"]]

    anonymous = login(None)
    listing = anonymous.get(reverse("organisations:organisation-list"), {"category": "food-processing"}).text
    assert "Lyon food cluster" in listing and "Rhône car cluster" in listing  # both work in food now
    only_auto = anonymous.get(reverse("organisations:organisation-list"), {"category": "automotive"}).text
    assert "Rhône car cluster" in only_auto and "Lyon food cluster" not in only_auto
    # An unknown category is dropped, never an error page.
    assert anonymous.get(reverse("organisations:organisation-list"), {"category": "<b>x"}).status_code == 200
    rows = list(csv.reader(io.StringIO(
        anonymous.get(reverse("organisations:organisation-export"), {"category": "automotive"}).text
    )))  # fmt: skip
    column = rows[0].index("cluster_categories")
    assert [r[column] for r in rows[1:]] == ["automotive;food-processing"]
    profile = anonymous.get(org.get_absolute_url()).text
    assert "/clusters/categories/automotive/" in profile and "Food Processing" in profile
