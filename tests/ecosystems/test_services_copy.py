"""The reference tables' bulk replacements by COPY (ecosystems/services.py `_copy_rows`): values
converted as bulk_create converts them, and a bad row leaves the table as it was."""

import pytest
from django.db import DataError, IntegrityError, transaction

from ecosystems import services
from ecosystems.models import CodeLabel, NutsConversion, Region

pytestmark = pytest.mark.django_db


def test_values_are_converted_as_bulk_create_converts_them():
    rows = [
        {"code": "XX11", "level": 2.0, "country": "XX", "name": float("nan")},
        {"code": "XX12", "level": True, "country": "XX", "name": 12},
    ]
    assert services.replace_regions(2021, rows) == 2
    copied = {r.code: (r.level, r.name) for r in Region.objects.filter(country="XX")}
    Region.objects.filter(country="XX").delete()
    Region.objects.bulk_create([Region(version=2021, **r) for r in rows])
    made = {r.code: (r.level, r.name) for r in Region.objects.filter(country="XX")}
    assert copied == made == {"XX11": (2, "nan"), "XX12": (1, "12")}


def test_a_bad_row_changes_nothing():
    services.replace_code_labels("unit", {"NR": "Number"})
    with pytest.raises(DataError), transaction.atomic():  # Django's error, as for any query
        services.replace_code_labels("unit", {"P_MHAB": "Per million inhabitants", "X" * 65: "too long"})
    assert dict(CodeLabel.objects.filter(dimension="unit").values_list("code", "label")) == {"NR": "Number"}
    row = dict(level=2, from_version=2016, to_version=2021, from_code="AT11", to_code="AT11")
    row |= dict(areakm=1.0, pop18=2.0, pop11=3.0, artif_surf18=4.0, artif_surf12=5.0)
    assert services.replace_nuts_conversions([row]) == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        services.replace_nuts_conversions([row, row])  # the same overlap twice: the unique constraint
    assert NutsConversion.objects.count() == 1
