"""Page data per page family: key figures and chart panels, cached by data generation.

A panel is a plain dict — everything one chart needs on the page and in its exports:
``id``, ``title``, ``figure`` (Plotly dict from indicators.charts), ``summary`` (text alternative),
``columns`` + ``rows`` (the data table; cells are dicts with ``text``, ``value``, ``flags``,
optional ``href``), ``source`` (the release the numbers come from), ``api`` (the /api/v1/values/
query that returns the same values). Exports write ``columns`` + ``rows``, so a downloaded file
always equals the table on the page. Tables are built from named columns (:mod:`.tables`).

One module per page family: :mod:`.ecosystems` (/ecosystems/…), :mod:`.countries`
(/countries/…), :mod:`.regions` (/regions/<nuts>/), :mod:`.indicator` (/indicators/<code>/,
/nace/<code>/regions/), :mod:`.compare` (/compare/), :mod:`.value_chains`, and the packages
:mod:`.technologies`, :mod:`.transition`, :mod:`.dependencies`, :mod:`.clusters` (one module per
page or section inside each); shared helpers in :mod:`.common`. The names below are re-exported
so that ``from indicators import panels`` keeps working for the views.
"""

from ..selectors import EU, country_dicts, ecosystem_rows, eu_members
from .common import (
    cell,
    complete_change,
    country_url,
    eco_names,
    eco_url,
    fmt,
    index,
    label_cell,
    latest_period,
    panel,
    pct_change,
    ranking_summary,
    region_url,
    shown_flags,
    source_line,
    source_of,
    spec,
    stored_change,
)
from .compare import MAX_COMPARE, NATIONAL_OF, REGIONAL_OF, compare_codes, compare_view
from .countries import COUNTRY_INDICATORS, countries_overview, country_profile
from .ecosystems import OVERVIEW_INDICATORS, PROFILE_INDICATORS, ecosystem_profile, ecosystems_overview
from .indicator import indicator_view, nace_divisions_with_values, nace_regions
from .regions import NACE_LQ_MIN_EMP, REGION_INDICATORS, region_profile
from .tables import Column, Table, sort_rows

__all__ = [
    "COUNTRY_INDICATORS",
    "EU",
    "MAX_COMPARE",
    "NACE_LQ_MIN_EMP",
    "NATIONAL_OF",
    "OVERVIEW_INDICATORS",
    "PROFILE_INDICATORS",
    "REGIONAL_OF",
    "REGION_INDICATORS",
    "Column",
    "Table",
    "cell",
    "compare_codes",
    "compare_view",
    "complete_change",
    "countries_overview",
    "country_dicts",
    "country_profile",
    "country_url",
    "eco_names",
    "eco_url",
    "ecosystem_profile",
    "ecosystem_rows",
    "ecosystems_overview",
    "eu_members",
    "fmt",
    "index",
    "indicator_view",
    "label_cell",
    "latest_period",
    "nace_divisions_with_values",
    "nace_regions",
    "panel",
    "pct_change",
    "ranking_summary",
    "region_profile",
    "region_url",
    "shown_flags",
    "sort_rows",
    "source_line",
    "source_of",
    "spec",
    "stored_change",
]
