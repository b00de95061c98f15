"""The dependency screen on the real Comext extract, checked against plain pandas on the raw file."""

import pandas as pd
import pytest

from indicators import refresh, screen
from indicators.models import DependencyResult, DependencyRules
from indicators.registry import SOURCES
from tests import dbsnapshot

pytestmark = pytest.mark.mirror

EU27 = [
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "ES",
    "FI",
    "FR",
    "GR",
    "HR",
    "HU",
    "IE",
    "IT",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
]  # Comext codes


@pytest.fixture
def real_screen(reference, mirror):
    from indicators import reference as ref

    def build():
        ref.load_nace()  # CN -> CPA -> NACE class for the products
        screen.load_country_groups()
        run = refresh.ingest("comext_crm_imports")
        assert run.status == "succeeded", run.error
        assert screen.run_screen() > 0

    dbsnapshot.restore_or_take("dependencies_mirror", build)  # built once per session
    raw = pd.read_csv(mirror / SOURCES["comext_crm_imports"].mirror_path, dtype=str, keep_default_na=False)
    raw["VALUE_IN_EUROS"] = raw["VALUE_IN_EUROS"].astype(float)
    return raw, DependencyRules.objects.get(is_current=True)


def independent(raw: pd.DataFrame, product: str, year: str, reporter: str | None = None) -> dict:
    rows = raw[(product == raw.PRODUCT_NC) & (year == raw.PERIOD)]
    if reporter:
        rows = rows[reporter == rows.DECLARANT_ISO]
    by_partner = rows.groupby("PARTNER_ISO").VALUE_IN_EUROS.sum()
    extra = by_partner[~by_partner.index.isin(EU27)]
    shares = extra / extra.sum()
    return {
        "hhi": float((shares**2).sum()),
        "extra_share": float(extra.sum() / by_partner.sum()),
        "top": shares.idxmax(),
    }


SAMPLE = [
    ("75011000", "2024", None),  # nickel mattes
    ("28053029", "2024", None),  # a rare-earth code created in 2023
    ("25041000", "2022", None),  # natural graphite
    ("81029400", "2023", None),
    ("28369100", "2024", "DE"),  # lithium carbonate, Germany as importer
    ("31042010", "2023", "FR"),
]


def test_screen_agrees_with_pandas_on_the_raw_file(real_screen):
    raw, rules = real_screen
    for product, year, reporter in SAMPLE:
        got = DependencyResult.objects.get(
            rules=rules, importer=reporter or "EU27_2020", product=product, period=year
        )
        want = independent(raw, product, year, reporter)
        assert got.hhi == pytest.approx(want["hhi"], rel=1e-9), (product, year, reporter)
        assert got.extra_share == pytest.approx(want["extra_share"], rel=1e-9), (product, year, reporter)
        top = {"GB": "UK", "GR": "EL", "XS": "RS"}.get(want["top"], want["top"])
        assert got.top_partner == top
        assert got.flagged == (want["hhi"] > 0.4 and want["extra_share"] > 0.5)


def test_flag_counts_per_year_agree_with_pandas(real_screen):
    raw, rules = real_screen
    for year in ("2022", "2023", "2024"):
        products = raw[year == raw.PERIOD].PRODUCT_NC.unique()
        want = 0
        for product in products:
            v = independent(raw, product, year)
            want += v["hhi"] > 0.4 and v["extra_share"] > 0.5
        got = DependencyResult.objects.filter(
            rules=rules, importer="EU27_2020", period=year, flagged=True
        ).count()
        assert got == want, year
    # The 2022 nomenclature's rare-earth codes are absent from the extract: their family is not judged.
    row = DependencyResult.objects.get(rules=rules, importer="EU27_2020", product="28053029", period="2024")
    assert row.family == "28053020" and row.years_judged == 2


def test_cn_correspondence_table_reads(mirror):
    from indicators.sources import cn

    path = mirror / "reference/eurostat_classifications/CN_concordances_1988_2025_XLS_FORMAT.xls"
    table = cn.parse_concordance(path.read_bytes(), path.name)
    raw = pd.read_excel(path, dtype=str, engine="calamine")
    assert len(table) == len(raw) == 16962
    split = table[(table.period == "20222023") & (table.origin == "28053020")]
    assert sorted(split.destination) == ["28053021", "28053029"]
