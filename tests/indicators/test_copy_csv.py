"""The CSV that feeds PostgreSQL COPY (indicators.loading.copy_csv, written by DuckDB): every double
comes back from the database as the same double, rounded values as Python's '%.12g' rounds them,
NaN and None as NULL, awkward text exactly; and observations_frame reads them back exactly."""

import math

import numpy as np
import pandas as pd
import pytest
from django.db import connection

from indicators import refresh
from indicators.loading import copy_csv, copy_observations
from indicators.models import Release, Source

pytestmark = pytest.mark.django_db

AWKWARD = ["", "plain", 'a,"b', "line\nbreak", "semi;colon", "ünïcødé ☃", " lead and trail ", "NULL", "\\N"]


def doubles(n=20_000, seed=7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    spread = rng.random(n) * 10.0 ** rng.integers(-300, 300, n)
    edge = [
        0.1 + 0.2,
        39559.200000000004,
        5e-324,
        1.7976931348623157e308,
        -0.0,
        0.0,
        1e21,
        -2.5,
        123456789012.5,
    ]
    return np.concatenate([spread, -spread[:100], edge])


def through_postgres(frame: pd.DataFrame, select: str, columns: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE copy_check ({columns}) ON COMMIT DROP")
        with cursor.copy("COPY copy_check FROM STDIN (FORMAT csv)") as copy:
            for chunk in copy_csv(frame, select):
                copy.write(chunk)
        cursor.execute("SELECT * FROM copy_check")
        return cursor.fetchall()


def test_every_double_reads_back_as_the_same_double_and_nan_as_null():
    values = doubles()
    values[::97] = np.nan
    frame = pd.DataFrame({"i": np.arange(len(values)), "v": values})
    rows = dict(through_postgres(frame, '"i", "v"', "i bigint, v double precision"))
    assert len(rows) == len(values)
    for i, want in enumerate(values):
        got = rows[i]
        if math.isnan(want):
            assert got is None, i
        else:
            assert got == want and math.copysign(1, got) == math.copysign(1, want), (i, want, got)


def test_printf_rounding_is_pythons_12_significant_digits():
    values = doubles(seed=11)
    frame = pd.DataFrame({"i": np.arange(len(values)), "v": values})
    rows = dict(through_postgres(frame, '"i", printf(\'%.12g\', "v")', "i bigint, v double precision"))
    assert [rows[i] for i in range(len(values))] == [float(f"{v:.12g}") for v in values]


def test_text_is_kept_exactly_and_none_is_null():
    text = pd.Series([*AWKWARD, None], dtype=object)
    frame = pd.DataFrame({"i": range(len(text)), "t": text})
    rows = dict(through_postgres(frame, '"i", "t"', "i bigint, t text"))
    assert [rows[i] for i in range(len(AWKWARD))] == AWKWARD  # "" stays "": it is quoted
    assert rows[len(AWKWARD)] is None


def test_observations_go_in_and_come_back_exactly():
    source = Source.objects.create(code="copy_check", title="COPY check")
    release = Release.objects.create(source=source, sha256="0" * 64, format="csv", size_bytes=0)
    values = doubles(n=3000)
    values[::50] = np.nan
    n = len(values)
    obs = pd.DataFrame(
        {
            "geo": [f"DE{i % 7}" for i in range(n)],
            "nace": [AWKWARD[i % len(AWKWARD)] for i in range(n)],
            "measure": "V16110",
            "unit": "",
            "size": "",
            "extra": [f"dim={i}" if i % 3 else "" for i in range(n)],
            "period": [str(2000 + i % 20) for i in range(n)],
            "value": values,
            "flags": ["c" if i % 5 == 0 else "" for i in range(n)],
        }
    )
    assert copy_observations(release.pk, obs) == n
    back = refresh.observations_frame(release, ["V16110"])
    key = ["geo", "nace", "extra", "period"]
    want = obs.sort_values(key).reset_index(drop=True)
    got = back.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(got.astype(object), want[got.columns].astype(object), check_exact=True)
    assert refresh.observations_frame(release, ["nothing"]).empty
