"""The declarative registry of sources and indicators. Code reads it; nothing is discovered by string.

A source says where its bytes come from (the publisher's URL, or `mirror_path` inside the
configured mirror folder), what format to expect, which file dimension plays which role in the
tidy Observation table, and which code list validates each dimension.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from indicators.compute import adapters

EUROSTAT_CREDIT = "Source: Eurostat ({code}), release {vintage}"
EUROSTAT_LICENCE = "Eurostat: reuse authorised, source acknowledged (CC BY 4.0, Decision 2011/833/EU)"
GISCO_CREDIT = "© EuroGeographics for the administrative boundaries (Eurostat GISCO)"
GISCO_LICENCE = "Eurostat GISCO terms; show the EuroGeographics notice on maps"
EUROSTAT_API = (
    "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/{code}?format=TSV&compressed=true"
)
EUROSTAT_TOC = "https://ec.europa.eu/eurostat/api/dissemination/catalogue/toc/xml"
GISCO_NUTS = "https://gisco-services.ec.europa.eu/distribution/v2/nuts/geojson/{name}"
# Comext's bulk annual file (comma-separated: DECLARANT_ISO, PARTNER_ISO, PRODUCT_NC, FLOW,
# STAT_REGIME, PERIOD, VALUE_IN_EUROS, QUANTITY_IN_KG...).
COMEXT_BULK = "https://ec.europa.eu/eurostat/api/comext/dissemination/files?file=comext/COMEXT_DATA/PRODUCTS/full_v2_2024.csv.gz"

DESI_CREDIT = (
    "Source: European Commission, Digital Economy and Society Index (DESI) 2022 ({code}), release {vintage}"
)
DESI_LICENCE = "European Commission reuse policy (Decision 2011/833/EU): CC BY 4.0, source acknowledged"
DESI_URL = "https://digital-strategy.ec.europa.eu/en/library/digital-economy-and-society-index-desi-2022"
OWID_CREDIT = "Source: Our World in Data, CO2 and Greenhouse Gas Emissions ({code}), release {vintage}"
OWID_LICENCE = (
    "CC BY 4.0: cite Our World in Data (Ritchie, Roser and Rosado, CO2 and Greenhouse Gas Emissions)"
)
OWID_URL = "https://raw.githubusercontent.com/owid/co2-data/master/owid-co2-data.csv"
ETS_CREDIT = "Source: European Environment Agency, EU ETS data viewer / EUTL ({code}), release {vintage}"
ETS_LICENCE = "EEA: reuse with acknowledgement of the source; packaging (datahub.io) ODC-PDDL"
ETS_URL = (
    "https://raw.githubusercontent.com/datasets/eu-emissions-trading-system/main/data/"
    "eu-ets-sector-emissions.csv"
)

# Observation columns a file dimension can fill; unlisted dimensions go to `extra`.
ROLES = ("geo", "nace", "measure", "unit", "size")


@dataclass(frozen=True)
class SourceSpec:
    code: str
    title: str
    publisher: str
    remote_url: str
    mirror_path: str
    formats: tuple[str, ...]
    kind: str = "observations"  # observations | geometry | trade (columnar, beside the release)
    roles: dict[str, str] = field(default_factory=dict)  # file dimension -> Observation column
    codelists: dict[str, str] = field(default_factory=dict)  # file dimension -> code list name
    ignore: tuple[str, ...] = ("freq",)  # constant dimensions not stored
    # Plausible value range per measure code ("*" = any): (min, max). Outside -> rejected.
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    licence: str = EUROSTAT_LICENCE
    credit: str = EUROSTAT_CREDIT
    toc_code: str | None = None  # code in Eurostat's table of contents, for update checks
    note: str = ""
    # A source published as several files: ``mirror_path`` and ``remote_url`` hold ``{part}``,
    # and fetch joins the parts, in this order, into one input (each keeps its header line).
    parts: tuple[str, ...] = ()

    def part_paths(self) -> list[str]:
        return [self.mirror_path.format(part=p) for p in self.parts] if self.parts else [self.mirror_path]

    def part_urls(self) -> list[str]:
        return [self.remote_url.format(part=p) for p in self.parts] if self.parts else [self.remote_url]

    @property
    def provenance_key(self) -> str:
        return self.toc_code or self.code


def _eurostat(code, title, path, formats, roles, codelists, ranges=None, note="", **kw) -> SourceSpec:
    return SourceSpec(
        code=code,
        title=title,
        publisher="Eurostat",
        remote_url=EUROSTAT_API.format(code=code.upper()),
        mirror_path=path,
        formats=formats,
        roles=roles,
        codelists=codelists,
        ranges=ranges or {},
        toc_code=code,
        note=note,
        **kw,
    )


SBS_ROLES = {"geo": "geo", "nace_r2": "nace", "indic_sb": "measure"}
SBS_CODELISTS = {"geo": "geo", "nace_r2": "nace_r2", "indic_sb": "indic_sb"}
ISOC_ROLES = {
    "geo": "geo",
    "nace_r2": "nace",
    "indic_is": "measure",
    "unit": "unit",
    "size_emp": "size",
}
ISOC_CODELISTS = {
    "geo": "geo",
    "nace_r2": "nace_r2",
    "indic_is": "indic_is",
    "unit": "unit",
    "size_emp": "size_emp",
}
PERCENT = {"*": (0.0, 100.0)}

NCSES_REPO = (
    "https://raw.githubusercontent.com/bq-org/ncses_stats_explorer_placeholder/"
    "1f879ab65ed260668840db406611ddc10e8455bc/output/tables/{part}/data.csv"
)
# Table 1917 = all fields, then the 35 WIPO-field tables (S8-5 … S8-39, in field order).
NCSES_TABLES = (
    "1917",
    "1918",
    "1919",
    "1920",
    "1921",
    *map(str, range(1902, 1914)),
    *map(str, range(1923, 1942)),
)

# Eurostat's ICT-survey tables by NACE activity (enterprises with 10+ persons employed): not in
# the data mirror, fetched from the publisher's API when reachable. Each gives one uptake figure
# by ecosystem (indicators/compute/uptake.py): (table, title, measures, indicator, indicator title,
# what it measures). Where a table has two definitions of a measure (DII v3, v4), the newer wins.
BY_NACE_UPTAKE = (
    ("isoc_eb_ain2", "Artificial intelligence by NACE Rev.2 activity", ("E_AI_TANY",), "eco_ai_uptake",
     "AI uptake in the ecosystem's activities", "enterprises using at least one AI technology"),
    ("isoc_cicce_usen2", "Cloud computing services by NACE Rev.2 activity", ("E_CC",), "eco_cloud_uptake",
     "Cloud uptake in the ecosystem's activities",
     "enterprises buying cloud computing services used over the internet"),
    ("isoc_eb_bdn2", "Big data analysis by NACE Rev.2 activity", ("E_BDA",), "eco_bigdata_uptake",
     "Big-data uptake in the ecosystem's activities", "enterprises analysing big data"),
    ("isoc_e_diin2", "Digital Intensity by NACE Rev.2 activity", ("E_DI3_GELO", "E_DI4_GELO"), "eco_basic_di",
     "Basic digital intensity in the ecosystem's activities",
     "enterprises with at least a basic level of digital intensity (DII v3; v4 from 2023)"),
)  # fmt: skip
# Eurostat's high-tech patent groups (pat_ep_ntec's ipc codes; ipc.dic): total, then the six groups.
HIGH_TECH_FIELDS = ("HT", "AVI", "CAB", "CTE", "LSR", "MGE", "SMC")
# The publisher's API answers TSV (2023 layout); the mirror's extracts are SDMX-CSV.
ISOC_FORMATS = ("eurostat-tsv-2023", "eurostat-tsv", "sdmx-csv-1", "sdmx-csv-2")

SOURCES: dict[str, SourceSpec] = {
    s.code: s
    for s in [
        _eurostat(
            "sbs_na_sca_r2",
            "Annual detailed enterprise statistics for industry, construction, trade and services "
            "(NACE Rev. 2, B–N, S95)",
            "eurostat/sbs_na_sca_r2.tsv.gz",
            ("eurostat-tsv", "eurostat-tsv-2023"),
            SBS_ROLES,
            SBS_CODELISTS,
            # Counts and money are non-negative; ratio indicators (V9xxxx) may be negative.
            ranges={
                "V11110": (0, 5e7),
                "V16110": (0, 2e8),
                "V12110": (0, 5e8),
                "V12150": (-1e7, 5e8),
            },
            note="Pre-2021 predecessor of sbs_ovw_act; the mirror holds a mid-2017 vintage.",
        ),
        _eurostat(
            "sbs_r_nuts06_r2",
            "SBS data by NUTS 2 regions and NACE Rev. 2 (from 2008 onwards)",
            "eurostat/sbs_r_nuts06_r2.tsv.gz",
            ("eurostat-tsv", "eurostat-tsv-2023"),
            SBS_ROLES,
            SBS_CODELISTS,
            ranges={"V11210": (0, 5e7), "V16110": (0, 2e8)},
            note="Published in NUTS 2013 (some countries' early years in NUTS 2006/2010); "
            "harmonised to NUTS 2021 at recompute (JRC converter, population weights).",
        ),
        _eurostat(
            "sbs_r_3k_my_r2",
            "Distributive trades by NUTS 2 regions (NACE Rev. 2), multi-yearly",
            "eurostat/sbs_r_3k_my_r2.tsv.gz",
            ("eurostat-tsv", "eurostat-tsv-2023"),
            SBS_ROLES,
            SBS_CODELISTS,
            ranges={"V11210": (0, 5e7)},
        ),
        _eurostat(
            "isoc_e_dii",
            "Digital Intensity by size class of enterprise",
            "eurostat/isoc_e_dii.csv",
            ISOC_FORMATS,
            ISOC_ROLES,
            ISOC_CODELISTS,
            ranges=PERCENT,
        ),
        _eurostat(
            "isoc_eb_ai",
            "Artificial intelligence by size class of enterprise",
            "eurostat/isoc_eb_ai.csv",
            ISOC_FORMATS,
            ISOC_ROLES,
            ISOC_CODELISTS,
            ranges=PERCENT,
            note="The mirror holds a small filtered extract (2025, all activities, GE10).",
        ),
        _eurostat(
            "env_ac_ainah_r2",
            "Air emissions accounts by NACE Rev. 2 activity",
            "eurostat/env_ac_ainah_r2.csv",
            ISOC_FORMATS,
            {"geo": "geo", "nace_r2": "nace", "airpol": "measure", "unit": "unit"},
            {"geo": "geo", "airpol": "airpol", "unit": "unit"},
            ranges={"*": (0, 1e12)},
            note="The mirror's extract is CO2, all activities (TOTAL), kg per inhabitant.",
        ),
        _eurostat(
            "ext_st_easitc",
            "Euro area trade by SITC product group (monthly)",
            "eurostat/ext_st_easitc.csv",
            ("tidy-csv", "sdmx-csv-1", "sdmx-csv-2"),
            {"geo": "geo", "indic_et": "measure"},
            {"geo": "geo", "indic_et": "indic_et", "stk_flow": "stk_flow", "sitc06": "sitc06"},
            ranges={"*": (-1e7, 1e7)},
            note="A sample of extra-EA imports from China, the US and Viet Nam, by SITC section.",
        ),
        SourceSpec(
            code="comext_crm_imports",
            title="EU imports of 66 critical-raw-material CN8 products by partner, 2022–2024 "
            "(Comext extract)",
            publisher="Eurostat",
            # The extract as published by the third party that made it (data/PROVENANCE.md §9).
            remote_url="https://raw.githubusercontent.com/burvolapp-arch/isi-backend/"
            "6e7d59d71009257254cb61d5345e4fbaae48f7fe/data/raw/critical_inputs/"
            "eu_comext_critical_inputs_cn8_2022_2024.csv",
            mirror_path="reference/eurostat_comext_crm_imports/eu_comext_critical_inputs_cn8_2022_2024.csv",
            formats=("comext-csv",),
            kind="trade",
            credit="Source: Eurostat Comext (DS-045409, CN8 by partner), extract of 66 CN8 codes; "
            "release {vintage}",
            note="A third party's extract of Comext: imports only (no exports, no quantities), 27 "
            "reporters, 155 partners, 66 CN8 codes. Criterion 3 (substitutability) needs EU exports, "
            "which this file lacks.",
        ),
        SourceSpec(
            code="comext_cn8_annual",
            title="EU trade since 1988 by CN8 and partner, annual (Comext DS-045409): imports and "
            "exports, value and quantity",
            publisher="Eurostat",
            remote_url=COMEXT_BULK,
            mirror_path="comext/comext_cn8_annual.csv",
            formats=("comext-csv",),
            kind="trade",
            credit="Source: Eurostat Comext (DS-045409, CN8 by partner); release {vintage}",
            note="The full annual CN8 × partner table (~9,500 products × ~250 partners × 27 "
            "reporters). Not in the offline mirror: loaded only where the publisher is reachable; "
            "the dependency screen then prefers it to the 66-product extract.",
        ),
        _eurostat(
            "pat_ep_rtot",
            "Patent applications to the EPO by priority year by NUTS 3 regions (all fields, "
            "discontinued series)",
            "reference/eurostat_patents_pat_ep_rtot/pat_ep_rtot_1977-2012.csv.gz",
            ("tidy-csv",),
            {"geo": "geo", "unit": "measure"},
            {"geo": "geo", "unit": "unit"},
            ranges={"*": (0, 1e6)},
            note="The mirror's copy is the R package `nuts` example data (the same rows as "
            "Eurostat's download, flags dropped), 1977–2012, in NUTS 2010 codes: regions are shown "
            "with the codes they were published in.",
        ),
        SourceSpec(
            code="ncses_sei2020_patents",
            title="USPTO patents and patent families granted, by WIPO technical field and inventor "
            "region, country or economy, 1998–2018 (Science & Engineering Indicators 2020, "
            "tables S8-4 to S8-39)",
            publisher="US National Science Foundation, NCSES (data: Science-Metrix from EPO PATSTAT "
            "and USPTO PatentsView)",
            remote_url=NCSES_REPO,
            mirror_path="reference/patents_ncses_sei2020_wipo35/table_{part}_data.csv",
            parts=NCSES_TABLES,
            formats=("ncses-sei-wide",),
            roles={"geo": "geo", "count": "measure"},
            codelists={"geo": "geo"},
            ignore=(),
            ranges={"*": (0, 1e7)},
            licence="US federal statistics (NCSES), public domain; compilation CC BY-SA 4.0 "
            "(bq-org/ncses_stats_explorer_placeholder)",
            credit="Source: NCSES, Science & Engineering Indicators 2020 (tables S8-4–S8-39; "
            "Science-Metrix from PATSTAT and PatentsView), release {vintage}",
            note="Fractional counts by inventor residence. The EU here is the EU-28 (UK included, "
            "stored as EU28); 12 member states are listed, the others only as EU_OTH. Patent "
            "families are counted in the year of the family's first grant. Ends in 2018.",
        ),
        SourceSpec(
            code="desi_2022",
            title="Digital Economy and Society Index (DESI) 2022: indicators and scores, editions 2017–2022",
            publisher="European Commission (DG CONNECT)",
            remote_url=DESI_URL,
            mirror_path="reference/desi_2022/DESI_2022_final.xlsx",
            formats=("desi-xlsx",),
            roles={"geo": "geo", "indicator": "measure", "unit": "unit"},
            codelists={"geo": "geo"},
            ignore=(),
            ranges={"*": (0.0, 100.0)},
            licence=DESI_LICENCE,
            credit=DESI_CREDIT,
            note="The DESI 2022 calculation workbook (cached values). Each figure is stored under "
            "its reference year (Metadata sheet) with the DESI edition as a dimension. The "
            "publisher's page offers the workbook as a download, not at a fixed address: a refresh "
            "without the mirror fails and keeps the current release.",
        ),
        SourceSpec(
            code="owid_co2",
            title="CO2 and Greenhouse Gas Emissions (Our World in Data)",
            publisher="Our World in Data",
            remote_url=OWID_URL,
            mirror_path="reference/owid_co2_2021_vintage/owid-co2-data_europe-plus_2000-2018.csv",
            formats=("owid-csv",),
            roles={"geo": "geo", "indicator": "measure"},
            codelists={"geo": "geo"},
            ignore=(),
            ranges={
                "co2": (0, 5e4),
                "co2_per_capita": (0, 100),
                "ghg_per_capita": (-100, 500),
                "co2_per_gdp": (0, 20),
                "energy_per_gdp": (0, 50),
                "energy_per_capita": (0, 1e6),
                "population": (0, 1e10),
                "gdp": (0, 1e15),
            },
            licence=OWID_LICENCE,
            credit=OWID_CREDIT,
            note="The mirror holds the February 2021 vintage (to 2018), trimmed to Europe and five "
            "comparators. ISO 3166 alpha-3 codes are read as Eurostat geo codes (GRC -> EL, "
            "GBR -> UK); OWID's 'EU-27' row as EU27_2020.",
        ),
        SourceSpec(
            code="eea_ets_sectors",
            title="EU ETS verified emissions by activity (EU total)",
            publisher="European Environment Agency",
            remote_url=ETS_URL,
            mirror_path="reference/eea_eu_ets_sector_emissions/eu-ets-sector-emissions.csv",
            formats=("eea-ets-csv",),
            roles={"geo": "geo", "activity": "measure"},
            codelists={"geo": "geo"},
            ignore=(),
            ranges={"*": (0, 5000)},
            licence=ETS_LICENCE,
            credit=ETS_CREDIT,
            note="A third-party aggregate (datahub.io) of the EEA's EUTL data: all installations in "
            "the EU ETS registry (geo EU_ETS, not EU27_2020), 8 activities, Mt CO2-eq.",
        ),
    ]
    + [
        SourceSpec(
            code=f"nuts2021_rg_60m_l{level}",
            title=f"NUTS 2021 region outlines, level {level} (1:60 million)",
            publisher="Eurostat GISCO",
            remote_url=GISCO_NUTS.format(name=f"NUTS_RG_60M_2021_4326_LEVL_{level}.geojson"),
            mirror_path=f"gisco/NUTS_RG_60M_2021_4326_LEVL_{level}.geojson",
            formats=("gisco-geojson",),
            kind="geometry",
            licence=GISCO_LICENCE,
            credit=GISCO_CREDIT,
        )
        for level in (0, 1, 2)
    ]
    + [
        _eurostat(
            code,
            title,
            f"eurostat/{code}.tsv.gz",
            ISOC_FORMATS,
            ISOC_ROLES,
            ISOC_CODELISTS,
            ranges=PERCENT,
            note="Not in the data mirror: loaded from Eurostat's API when it is reachable; the "
            "ecosystem pages then show uptake by ecosystem through the mapping.",
        )
        for code, title, *_ in BY_NACE_UPTAKE
    ]
    + [
        _eurostat(
            "pat_ep_ntec",
            "High-tech patent applications to the EPO by priority year (1977-2013)",
            "eurostat/pat_ep_ntec.tsv.gz",
            ISOC_FORMATS,
            {"geo": "geo", "ipc": "measure", "unit": "unit"},
            {"geo": "geo", "ipc": "ipc", "unit": "unit"},
            ranges={"*": (0, 1e6)},
            note="Not in the data mirror: loaded from Eurostat's API when it is reachable. "
            "Discontinued (ends 2013); the high-tech groups of the Trilateral Statistical Report.",
        )
    ]
}


@dataclass(frozen=True)
class Input:
    """Observations a computation reads: the current release of SOURCE, these measures, and
    optional equality filters on other Observation columns (column -> value or tuple of values)."""

    source: str
    measures: tuple[str, ...]
    filters: dict[str, str | tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Computation:
    """One pure function producing several indicators in one pass.

    ``function(inputs, references)`` gets a frame per name of ``inputs`` and the reference
    values named in ``references`` (loaded by ``indicators/inputs.py``), and returns the values of
    the indicator codes in ``yields`` (columns: see ``indicators/compute/adapters.py``). Recompute
    runs it when one of its input sources changed, and swaps in exactly the ``yields`` indicators.
    """

    code: str
    inputs: dict[str, Input]
    references: tuple[str, ...]
    function: Callable
    yields: tuple[str, ...]

    @property
    def sources(self) -> frozenset[str]:
        return frozenset(i.source for i in self.inputs.values())


PATENT_INDICATORS = (
    "pat_fam",
    "pat_fam_share_world",
    "pat_fam_rta",
    "pat_fam_share_change",
    "tech_pat_fam",
    "tech_pat_share_world",
    "tech_pat_rta",
    "tech_pat_share_change",
    "pat_fam_nace",
    "pat_fam_ecosystem",
    "tech_pat_fam_nace",
    "tech_pat_fam_ecosystem",
)
SBS_NATIONAL = ("V11110", "V12110", "V12150", "V16110")
DESI_MEASURES = ("desi", "d1", "d2", "d3", "d4", "3a1", "3b1", "3b3", "3b4", "3b5", "3b6", "3b7", "3c1")
OWID_MEASURES = (
    "co2", "total_ghg", "primary_energy_consumption", "population", "gdp",
    "co2_per_capita", "ghg_per_capita", "co2_per_gdp", "energy_per_gdp", "energy_per_capita",
)  # fmt: skip
ALL_ACTIVITIES = "C10-S951_X_K"
ETS_ACTIVITIES = ("ETS10", "ETS20", "ETS21", "ETS24", "ETS29", "ETS30", "ETS36", "ETS42")
DESI_YIELDS = (
    "desi_index", "desi_human_capital", "desi_connectivity", "desi_integration", "desi_public_services",
    "desi_sme_basic_di", "desi_ebusiness_erp", "desi_big_data", "desi_cloud", "desi_ai",
    "desi_ict_green", "desi_einvoices", "desi_sme_online",
)  # fmt: skip
GREEN_YIELDS = (
    "co2_per_capita", "ghg_per_capita", "co2_per_gdp", "ghg_per_gdp", "energy_per_gdp",
    "energy_per_capita", "co2_per_capita_change", "ghg_per_capita_change", "co2_per_gdp_change",
    "ghg_per_gdp_change", "energy_per_gdp_change",
)  # fmt: skip
SBS_REGIONAL = ("V11210", "V16110")
SBS_CLUSTERS = ("V11210", "V16110", "V13320")
CLUSTER_FIGURES = (
    "cluster_emp",
    "cluster_units",
    "cluster_lq",
    "cluster_wage_ratio",
    "cluster_share",
    "cluster_traded_emp",
)
# Values that depend on a threshold version (IndicatorValue.parameter_version): every version kept.
CLUSTER_VERSIONED = (
    "cluster_growth",
    "cluster_stars",
    "cluster_us_strong",
    "cluster_strength_stars",
    "cluster_strength_us",
)

COMPUTATIONS: dict[str, Computation] = {
    c.code: c
    for c in [
        Computation(
            "ecosystems_national",
            {"sbs": Input("sbs_na_sca_r2", SBS_NATIONAL)},
            ("ecosystem_mapping", "eu_members"),
            adapters.national_sbs,
            ("emp", "ent", "turnover", "va", "productivity", "share_emp", "lq_emp", "emp_change"),
        ),
        Computation(
            "ecosystems_regional",
            {"sbs": Input("sbs_r_nuts06_r2", SBS_REGIONAL)},
            ("ecosystem_mapping", "eu_members", "nuts_converter"),
            adapters.regional_sbs,
            ("region_emp", "region_units", "region_share_emp", "region_lq_emp"),
        ),
        Computation(
            "patents_regional",
            {"pat": Input("pat_ep_rtot", ("NR", "P_MHAB"))},
            ("nuts_converter",),
            adapters.regional_patents,
            ("region_patents_pmhab",),
        ),
        Computation(
            "clusters_regional",
            {"sbs": Input("sbs_r_nuts06_r2", SBS_CLUSTERS)},
            ("cluster_definitions", "cluster_parameters", "eu_members", "nuts_converter"),
            adapters.regional_clusters,
            CLUSTER_FIGURES + CLUSTER_VERSIONED,
        ),
        Computation(
            "regional_nace",
            {"sbs": Input("sbs_r_nuts06_r2", ("V16110",))},
            ("eu_members", "nuts_converter"),
            adapters.regional_nace,
            ("region_nace_emp", "region_nace_lq"),
        ),
        Computation(
            "patents_technologies",
            {"patents": Input("ncses_sei2020_patents", ("patent_families",))},
            ("technology_weights", "patent_concordance", "ecosystem_mapping"),
            adapters.patents,
            PATENT_INDICATORS,
        ),
        Computation(
            "patent_intensity",
            {
                "patents": Input("ncses_sei2020_patents", ("patent_families",)),
                "sbs": Input("sbs_na_sca_r2", ("V16110",)),
            },
            ("patent_concordance", "ecosystem_mapping"),
            adapters.patent_intensity,
            ("pat_intensity_nace", "pat_intensity_ecosystem"),
        ),
        Computation(
            "epo_patent_intensity",
            {"patents": Input("pat_ep_rtot", ("P_MHAB",))},
            (),
            adapters.epo_regional,
            ("pat_ep_mhab",),
        ),
        # Uptake by technology: one input per Eurostat survey table that measures one of our
        # technologies (the codes are listed in fixtures/reference/technologies.csv); a table
        # registered later (cloud, big data, IoT…) becomes one more input here.
        Computation(
            "technology_uptake",
            {
                "isoc_eb_ai": Input(
                    "isoc_eb_ai",
                    ("E_AI_TANY",),
                    {"size": "GE10", "unit": "PC_ENT", "nace": "C10-S951_X_K"},
                ),
            },
            ("technology_uptake",),
            adapters.technology_uptake,
            ("tech_uptake",),
        ),
        Computation(
            "transition_digital",
            {"desi": Input("desi_2022", DESI_MEASURES)},
            ("eu_members",),
            adapters.transition_digital,
            DESI_YIELDS,
        ),
        Computation(
            "transition_green",
            {"owid": Input("owid_co2", OWID_MEASURES)},
            ("eu_members", "transition_parameters"),
            adapters.transition_green,
            GREEN_YIELDS,
        ),
        Computation(
            "transition_dii",
            {
                "dii": Input(
                    "isoc_e_dii",
                    ("E_DI3_GELO", "E_DI4_GELO"),
                    {"size": "10-249", "nace": ALL_ACTIVITIES, "unit": "PC_ENT"},
                )
            },
            ("eu_members",),
            adapters.transition_dii,
            ("sme_basic_di",),
        ),
        Computation(
            "transition_ai",
            {
                "ai": Input(
                    "isoc_eb_ai", ("E_AI_TANY",), {"size": "GE10", "nace": ALL_ACTIVITIES, "unit": "PC_ENT"}
                )
            },
            ("eu_members",),
            adapters.transition_ai,
            ("ent_ai",),
        ),
        Computation(
            "transition_co2",
            {"co2": Input("env_ac_ainah_r2", ("CO2",), {"nace": "TOTAL", "unit": "KG_HAB"})},
            ("eu_members", "transition_parameters"),
            adapters.transition_co2,
            ("co2_hab_eurostat", "co2_hab_eurostat_change"),
        ),
        Computation(
            "transition_air_ecosystems",
            {"air": Input("env_ac_ainah_r2", ("CO2", "GHG"), {"unit": ("T", "THS_T")})},
            ("ecosystem_mapping", "eu_members"),
            adapters.transition_air_ecosystems,
            ("eco_co2", "eco_co2_share", "eco_ghg", "eco_ghg_share"),
        ),
        Computation(
            "transition_ets",
            {"ets": Input("eea_ets_sectors", ETS_ACTIVITIES)},
            ("ets_ecosystem_map", "transition_parameters"),
            adapters.transition_ets,
            ("ets_emissions", "ets_emissions_change"),
        ),
        Computation(
            "transition_composites",
            {"desi": Input("desi_2022", DESI_MEASURES), "owid": Input("owid_co2", OWID_MEASURES)},
            ("eu_members", "transition_parameters"),
            adapters.transition_composites,
            ("digital_position", "green_position", "green_progress"),
        ),
    ]
    + [
        Computation(
            f"uptake_{code}",
            {
                "uptake": Input(code, measures, {"unit": "PC_ENT", "size": "GE10"}),
                "sbs": Input("sbs_na_sca_r2", ("V16110",)),
            },
            ("ecosystem_mapping", "eu_members"),
            partial(adapters.ecosystem_uptake, indicator=indicator),
            (indicator,),
        )
        for code, _, measures, indicator, *_ in BY_NACE_UPTAKE
    ]
    + [
        Computation(
            "regional_wages",
            {"sbs": Input("sbs_r_nuts06_r2", ("V16110", "V13320"))},
            ("eu_members", "nuts_converter"),
            adapters.regional_wages,
            ("region_wage_emp",),
        ),
        Computation(
            "high_tech_patents",
            {"pat": Input("pat_ep_ntec", HIGH_TECH_FIELDS, {"unit": "P_MHAB"})},
            ("eu_members",),
            adapters.high_tech_patents,
            ("pat_ht_mhab",),
        ),
    ]
}


@dataclass(frozen=True)
class Analysis:
    """An analysis whose results live in its own tables (not IndicatorValue): recompute runs
    RUNNER (a dotted path, called with the Run) when one of SOURCES changed. SOURCES are in order
    of preference: the analysis reads the first one that has a current release."""

    code: str
    sources: tuple[str, ...]
    runner: str
    title: str = ""


ANALYSES: dict[str, Analysis] = {
    a.code: a
    for a in [
        Analysis(
            "dependency_screen",
            ("comext_cn8_annual", "comext_crm_imports"),
            "indicators.screen.recompute_screen",
            "Strategic-dependency screen (CN8 × partner imports)",
        ),
        # Ecosystem pairs ("innovation-driven locomotives"): read from the mapping, the cluster
        # stars (regional SBS), our technology weights and the dependency screen; no own table —
        # the ranking is built from those stored results and cached per data generation.
        Analysis(
            "ecosystem_pairs",
            ("sbs_r_nuts06_r2", "comext_cn8_annual", "comext_crm_imports"),
            "indicators.panels.locomotives.recompute",
            "Cross-ecosystem collaboration potential (ecosystem pairs)",
        ),
    ]
}


@dataclass(frozen=True)
class IndicatorSpec:
    """An indicator: what it means (title, unit, direction) and where it comes from.

    ``scope`` is its geo level (country | region). ``breakdown`` says what the key stored in
    ``IndicatorValue.ecosystem`` is: an ecosystem slug, a NACE code, a technology, a product,
    a cluster category... The COMPUTATIONS entry whose ``yields`` lists it computes it
    (:func:`computation_of`); ``source`` is that computation's main input (the indicator's source).
    """

    code: str
    title: str
    unit: str
    description: str
    source: str
    scope: str  # geo level: country | region
    higher_is_better: bool | None = True
    decimals: int = 0
    # ecosystem | nace | technology | wipo_field | high_tech_field | product | cluster_category |
    # business_economy (one key: all the business economy)
    breakdown: str = "ecosystem"
    # With several keys and no ecosystem filter, the key the indicator page maps by default.
    default_key: str = ""


INDICATORS: dict[str, IndicatorSpec] = {
    i.code: i
    for i in [
        IndicatorSpec(
            "emp",
            "Persons employed",
            "persons",
            "Persons employed in the ecosystem's NACE activities, weighted by the mapping's shares.",
            "sbs_na_sca_r2",
            "country",
        ),
        IndicatorSpec(
            "ent",
            "Enterprises",
            "number",
            "Number of enterprises in the ecosystem's NACE activities, weighted by the mapping's shares.",
            "sbs_na_sca_r2",
            "country",
        ),
        IndicatorSpec(
            "turnover",
            "Turnover",
            "million EUR",
            "Turnover of the ecosystem's NACE activities, weighted by the mapping's shares.",
            "sbs_na_sca_r2",
            "country",
            decimals=1,
        ),
        IndicatorSpec(
            "va",
            "Value added at factor cost",
            "million EUR",
            "Value added at factor cost of the ecosystem's NACE activities, weighted by the mapping's "
            "shares (the employment share, applied unchanged).",
            "sbs_na_sca_r2",
            "country",
            decimals=1,
        ),
        IndicatorSpec(
            "productivity",
            "Apparent labour productivity",
            "EUR per person employed",
            "Value added at factor cost divided by persons employed.",
            "sbs_na_sca_r2",
            "country",
        ),
        IndicatorSpec(
            "share_emp",
            "Share of business-economy employment",
            "%",
            "The ecosystem's persons employed as a share of the business economy "
            "(NACE B–N excluding K, plus S95).",
            "sbs_na_sca_r2",
            "country",
            None,
            1,
        ),
        IndicatorSpec(
            "lq_emp",
            "Employment specialisation (location quotient vs EU27)",
            "ratio",
            "The ecosystem's share of employment in the place divided by its share in the EU27 "
            "(2020 composition). Above 1: more specialised than the EU.",
            "sbs_na_sca_r2",
            "country",
            None,
            2,
        ),
        IndicatorSpec(
            "emp_change",
            "Employment change",
            "%",
            "% change of the ecosystem's persons employed from the first year whose figure is "
            "complete (no component missing) to this year, also complete; the base year is shown.",
            "sbs_na_sca_r2",
            "country",
            None,
            1,
        ),
        IndicatorSpec(
            "region_emp",
            "Persons employed (regional)",
            "persons",
            "Persons employed in the ecosystem's NACE activities in the NUTS 2 region."
            " Regions are NUTS 2021: figures published in older NUTS versions are converted "
            "with the JRC converter (population weights; a split region's figures are estimates, "
            "marked E).",
            "sbs_r_nuts06_r2",
            "region",
        ),
        IndicatorSpec(
            "region_units",
            "Local units (regional)",
            "number",
            "Local units in the ecosystem's NACE activities in the NUTS 2 region."
            " Regions are NUTS 2021: figures published in older NUTS versions are converted "
            "with the JRC converter (population weights; a split region's figures are estimates, "
            "marked E).",
            "sbs_r_nuts06_r2",
            "region",
        ),
        IndicatorSpec(
            "region_share_emp",
            "Share of regional employment",
            "%",
            "The ecosystem's persons employed as a share of the region's business-economy "
            "persons employed (sections B-J, L-N and S95). Each section counts as published, so "
            "divisions Eurostat keeps confidential are inside the total; a section that is not "
            "published counts as the sum of its divisions, and the share is marked incomplete when "
            "one of them is missing too."
            " Regions are NUTS 2021: figures published in older NUTS versions are converted "
            "with the JRC converter (population weights; a split region's figures are estimates, "
            "marked E).",
            "sbs_r_nuts06_r2",
            "region",
            None,
            1,
        ),
        IndicatorSpec(
            "region_lq_emp",
            "Employment specialisation (regional location quotient vs EU)",
            "ratio",
            "The ecosystem's employment share in the region (see the regional share) over the same "
            "share for the EU: the ecosystem's persons employed summed over the EU27 (2020) regions "
            "that have both figures, divided by those regions' business-economy totals. Above 1: "
            "more specialised than the EU."
            " Regions are NUTS 2021: figures published in older NUTS versions are converted "
            "with the JRC converter (population weights; a split region's figures are estimates, "
            "marked E).",
            "sbs_r_nuts06_r2",
            "region",
            None,
            2,
        ),
    ]
}

CLUSTER_NOTE = (
    " Cluster categories: the 51 US benchmark traded clusters translated to NACE divisions, and 10 "
    "emerging industries approximated by us (methodology: cluster categories). Regions are NUTS "
    "2021 (JRC converter, population weights; split regions' figures are estimates, marked E)."
)


def _cluster(code, title, unit, description, higher=True, decimals=0, versioned=False):
    note = " Depends on the threshold version (parameter_version)." if versioned else ""
    return IndicatorSpec(
        code,
        title,
        unit,
        description + CLUSTER_NOTE + note,
        "sbs_r_nuts06_r2",
        "region",
        higher,
        decimals,
        "cluster_category",
    )


CLUSTER_INDICATORS = [
    _cluster(
        "cluster_emp",
        "Cluster employment (persons employed)",
        "persons",
        "Persons employed in the category: Σ over its NACE divisions of persons employed × traded share × "
        "weight. Incomplete (marker I) when a division is missing or confidential.",
    ),
    _cluster(
        "cluster_units",
        "Cluster establishments (local units)",
        "number",
        "Local units in the category, weighted like employment (can be fractional).",
    ),
    _cluster(
        "cluster_lq",
        "Cluster specialisation (location quotient vs EU)",
        "ratio",
        "Traded categories: the category's share of the region's traded employment over the same share "
        "for the EU27 (2020) regions pooled; emerging industries: share of the business-economy total. "
        "Marked E when the region's traded total includes our estimate for confidential divisions.",
        None,
        2,
    ),
    _cluster(
        "cluster_wage_ratio",
        "Cluster wages per person employed vs EU",
        "ratio",
        "Wages and salaries per person employed in the category over the category's EU level (pooled "
        "EU27 regions). The file has no employee counts, so persons employed is the denominator.",
        True,
        2,
    ),
    _cluster(
        "cluster_share",
        "Cluster share of regional employment",
        "%",
        "The category's persons employed as a share of the region's business-economy persons employed.",
        None,
        2,
    ),
    _cluster(
        "cluster_traded_emp",
        "Traded employment",
        "persons",
        "Persons employed in traded activities (key all-traded): Σ division × traded share; confidential "
        "divisions estimated from their section's residual (marker E).",
    ),
    _cluster(
        "cluster_growth",
        "Cluster employment growth",
        "%",
        "% change of the category's persons employed over the threshold version's growth window "
        "(base year given), both ends complete.",
        True,
        1,
        True,
    ),
    _cluster(
        "cluster_stars",
        "Cluster stars (size, specialisation, productivity, dynamism)",
        "stars",
        "Number of star rules met (0–4). No star from an incomplete or confidential value; marker I when "
        "a rule could not be assessed.",
        True,
        0,
        True,
    ),
    _cluster(
        "cluster_us_strong",
        "Strong cluster (US Cluster Mapping rule)",
        "1 = strong",
        "1 when LQ ≥ the 75th percentile of regions and ≥ 1, and employment and local units ≥ their 25th "
        "percentiles (thresholds of the version); traded categories only.",
        True,
        0,
        True,
    ),
    _cluster(
        "cluster_strength_stars",
        "Cluster strength (stars method)",
        "%",
        "Share of the region's traded employment in categories with at least the version's minimum "
        "number of stars (key all-traded).",
        True,
        1,
        True,
    ),
    _cluster(
        "cluster_strength_us",
        "Cluster strength (US strong clusters)",
        "%",
        "Share of the region's traded employment in strong clusters by the US rule (key all-traded).",
        True,
        1,
        True,
    ),
]
INDICATORS.update({i.code: i for i in CLUSTER_INDICATORS})
INDICATORS["region_patents_pmhab"] = IndicatorSpec(
    "region_patents_pmhab",
    "Patent applications to the EPO per million inhabitants (regional)",
    "per million inhabitants",
    "EPO patent applications by priority year and inventor region (fractional counts) per million "
    "inhabitants, all technology fields (key all-fields). Regions are NUTS 2021: counts and the "
    "population the published intensity implies are converted with the JRC converter (population "
    "weights; splits marked E), then divided.",
    "pat_ep_rtot",
    "region",
    True,
    1,
    "technology",
)


PATENTS = "ncses_sei2020_patents"
_FAMILIES = (
    " PATSTAT (INPADOC) patent families, fractional counts by inventor residence, in the year of "
    "the family's first grant (NCSES SEI 2020). EU28 is the EU-28 as NCSES publishes it; "
    "EU27_2020 is EU28 minus the UK (marked A), exact because NCSES lists the UK inside its EU."
)
_WEIGHTS = (
    " A technology's families are the sum of its WIPO fields' families times our weights "
    "(fixtures/reference/technology_wipo_fields.csv: judged, not the ATI monitor's IPC/CPC "
    "definitions)."
)
INDICATORS.update(
    {
        i.code: i
        for i in [
            IndicatorSpec(
                "region_nace_emp",
                "Persons employed by NACE division (regional)",
                "persons",
                "Persons employed in one NACE Rev. 2 division in the NUTS 2 region (regional SBS, "
                "converted to NUTS 2021 like the ecosystem figures).",
                "sbs_r_nuts06_r2",
                "region",
                breakdown="nace",
            ),
            IndicatorSpec(
                "region_nace_lq",
                "Specialisation by NACE division (regional location quotient vs EU)",
                "ratio",
                "The division's share of the region's business-economy persons employed over the "
                "same share for the EU27 (2020) regions that have both figures. Above 1: more "
                "specialised than the EU. Unlike the ecosystem LQ it mixes no activities, so it "
                "shows, for example, vehicle manufacturing (C29) apart from vehicle trade (G45).",
                "sbs_r_nuts06_r2",
                "region",
                None,
                2,
                breakdown="nace",
            ),
            IndicatorSpec(
                "pat_fam",
                "Patent families by WIPO field",
                "patent families",
                "Patent families in the WIPO technical field (TOTAL: all fields)." + _FAMILIES,
                PATENTS,
                "country",
                decimals=0,
                breakdown="wipo_field",
            ),
            IndicatorSpec(
                "pat_fam_share_world",
                "Share of world patent families by WIPO field",
                "%",
                "The place's patent families in the field as a % of the world's." + _FAMILIES,
                PATENTS,
                "country",
                decimals=2,
                breakdown="wipo_field",
            ),
            IndicatorSpec(
                "pat_fam_rta",
                "Revealed technological advantage by WIPO field",
                "ratio",
                "The place's share of world patent families in the field divided by its share in "
                "all fields. Above 1: relatively specialised in the field." + _FAMILIES,
                PATENTS,
                "country",
                None,
                2,
                breakdown="wipo_field",
            ),
            IndicatorSpec(
                "pat_fam_share_change",
                "Change of the share of world patent families (10 years)",
                "percentage points",
                "The share of world patent families in the field minus the same share ten years "
                "earlier (the base year is shown)." + _FAMILIES,
                PATENTS,
                "country",
                True,
                2,
                breakdown="wipo_field",
            ),
            IndicatorSpec(
                "tech_pat_fam",
                "Patent families by technology",
                "patent families (weighted)",
                "Patent families attributed to the technology." + _WEIGHTS + _FAMILIES,
                PATENTS,
                "country",
                decimals=0,
                breakdown="technology",
            ),
            IndicatorSpec(
                "tech_pat_share_world",
                "Share of world patent families by technology",
                "%",
                "The place's weighted patent families in the technology as a % of the world's."
                + _WEIGHTS
                + _FAMILIES,
                PATENTS,
                "country",
                decimals=2,
                breakdown="technology",
            ),
            IndicatorSpec(
                "tech_pat_rta",
                "Revealed technological advantage by technology",
                "ratio",
                "The place's share of world patent families in the technology divided by its share "
                "in all fields. Above 1: relatively specialised." + _WEIGHTS + _FAMILIES,
                PATENTS,
                "country",
                None,
                2,
                breakdown="technology",
            ),
            IndicatorSpec(
                "tech_pat_share_change",
                "Change of the share of world patent families by technology (10 years)",
                "percentage points",
                "The technology's share of world patent families minus the same share ten years "
                "earlier (the base year is shown)." + _WEIGHTS + _FAMILIES,
                PATENTS,
                "country",
                True,
                2,
                breakdown="technology",
            ),
            IndicatorSpec(
                "pat_fam_nace",
                "Patent families by NACE division (concordance)",
                "patent families (estimated)",
                "Patent families re-assigned from WIPO fields to NACE Rev. 2 divisions with the "
                "probabilistic concordance of Neuhäusler, Frietsch & Kroll (Fraunhofer ISI, 2019; "
                "transnational patents 2014–2016, ORBIS × PATSTAT): the same shares for every "
                "place and year. Each field's shares sum to 1, so totals are conserved." + _FAMILIES,
                PATENTS,
                "country",
                decimals=0,
                breakdown="nace",
            ),
            IndicatorSpec(
                "pat_fam_ecosystem",
                "Patent families by ecosystem (concordance × mapping)",
                "patent families (estimated)",
                "Patent families by NACE division (concordance) times the ecosystem mapping's "
                "shares of each division." + _FAMILIES,
                PATENTS,
                "country",
                decimals=0,
                breakdown="ecosystem",
            ),
            IndicatorSpec(
                "tech_pat_fam_nace",
                "Patent families of a technology by NACE division (EU27)",
                "patent families (estimated)",
                "A technology's weighted patent families re-assigned to NACE Rev. 2 divisions with "
                "the Fraunhofer ISI concordance (key: technology|NACE code; EU27 only)."
                + _WEIGHTS
                + _FAMILIES,
                PATENTS,
                "country",
                decimals=0,
                breakdown="technology|nace",
            ),
            IndicatorSpec(
                "tech_pat_fam_ecosystem",
                "Patent families of a technology by ecosystem",
                "patent families (estimated)",
                "A technology's patent families by NACE division (concordance) times the ecosystem "
                "mapping's shares (key: technology|ecosystem; EU27, EU28, US, CN, JP, KR)."
                + _WEIGHTS
                + _FAMILIES,
                PATENTS,
                "country",
                decimals=0,
                breakdown="technology|ecosystem",
            ),
            IndicatorSpec(
                "pat_intensity_nace",
                "Patent intensity by NACE division",
                "patent families per 1,000 persons employed",
                "Patent families re-assigned to the NACE division (Fraunhofer ISI concordance) per "
                "1,000 persons employed in it (Eurostat SBS, V16110), for the places and years both "
                "sources cover (NCSES lists 12 member states; the SBS copy ends in 2015). Divisions "
                "whose employment is missing or confidential have no figure." + _FAMILIES,
                PATENTS,
                "country",
                True,
                2,
                breakdown="nace",
            ),
            IndicatorSpec(
                "pat_intensity_ecosystem",
                "Patent intensity by ecosystem",
                "patent families per 1,000 persons employed",
                "Patent families mapped to the ecosystem (concordance × mapping) per 1,000 persons "
                "employed in its NACE divisions (SBS × the same mapping shares). Only when every "
                "division the ecosystem maps to has both figures: never a partial ratio." + _FAMILIES,
                PATENTS,
                "country",
                True,
                2,
                breakdown="ecosystem",
            ),
            IndicatorSpec(
                "pat_ep_mhab",
                "EPO patent applications per million inhabitants",
                "per million inhabitants",
                "Patent applications to the EPO by priority year and inventor region, all "
                "technology fields, per million inhabitants (Eurostat pat_ep_rtot, discontinued; "
                "ends in 2012).",
                "pat_ep_rtot",
                "country",
                True,
                1,
                breakdown="technology",
            ),
            IndicatorSpec(
                "tech_uptake",
                "Enterprises using the technology",
                "% of enterprises",
                "Enterprises with 10 or more persons employed (all activities except agriculture, "
                "mining and finance) that use the technology, from the Eurostat survey on ICT "
                "usage in enterprises (for AI: at least one of the AI technologies, isoc_eb_ai "
                "E_AI_TANY).",
                "isoc_eb_ai",
                "country",
                True,
                1,
                breakdown="technology",
            ),
        ]
    }
)
DESI_NOTE = (
    " Stored under the figure's reference year (DESI Metadata sheet), not the DESI edition; the "
    "breakdown key names the edition (DESI_2022 = DESI 2022). Where editions repeat a reference "
    "year, the latest edition's figure is kept."
)
DESI_SCORE_NOTE = (
    " DESI's own score (0–100, DG CONNECT's weights and bounds). Its year is the reference year most "
    "of the dimension's indicators have in that edition (DESI 2022: 2021)."
)
OWID_NOTE = " Our World in Data (2021 vintage; GDP in 2011 international-$, PPP, Maddison)."
CHANGE_NOTE = " % change from the base year (stored with each value; a parameter we set, 2005) to this year."
RANK_NOTE = " Rank 1 = best among the EU27 by the indicator's direction."


def _desi(code, title, unit, description, decimals=1, score=False):
    return IndicatorSpec(
        code,
        title,
        unit,
        description + (DESI_SCORE_NOTE if score else "") + DESI_NOTE + RANK_NOTE,
        "desi_2022",
        "country",
        True,
        decimals,
        breakdown="desi_edition",
    )


def _green(code, title, unit, description, decimals=2, change=False):
    return IndicatorSpec(
        code,
        title,
        unit,
        description + OWID_NOTE + (CHANGE_NOTE if change else "") + RANK_NOTE,
        "owid_co2",
        "country",
        False,
        decimals if not change else 1,
        breakdown="total",
    )


TRANSITION_INDICATORS = [
    _desi(
        "desi_index", "DESI overall score", "score (0–100)", "Digital Economy and Society Index.", score=True
    ),
    _desi("desi_human_capital", "DESI: human capital", "score (0–100)", "DESI dimension 1.", score=True),
    _desi("desi_connectivity", "DESI: connectivity", "score (0–100)", "DESI dimension 2.", score=True),
    _desi(
        "desi_integration",
        "DESI: integration of digital technology",
        "score (0–100)",
        "DESI dimension 3 (enterprises' digital intensity, technologies, e-commerce).",
        score=True,
    ),
    _desi(
        "desi_public_services",
        "DESI: digital public services",
        "score (0–100)",
        "DESI dimension 4.",
        score=True,
    ),
    _desi(
        "desi_sme_basic_di",
        "SMEs with at least a basic level of digital intensity (DESI)",
        "% of SMEs",
        "DESI 3a1: SMEs using at least 4 of 12 digital technologies (Eurostat ICT survey).",
    ),
    _desi("desi_ebusiness_erp", "Electronic information sharing (ERP)", "% of enterprises", "DESI 3b1."),
    _desi(
        "desi_big_data", "Enterprises analysing big data", "% of enterprises", "DESI 3b3 (Eurostat E_BDA)."
    ),
    _desi(
        "desi_cloud",
        "Enterprises buying sophisticated cloud services",
        "% of enterprises",
        "DESI 3b4 (E_CC1_SI).",
    ),
    _desi("desi_ai", "Enterprises using AI", "% of enterprises", "DESI 3b5: any AI technology (E_AI_TANY)."),
    _desi(
        "desi_ict_green",
        "ICT for environmental sustainability",
        "% of enterprises",
        "DESI 3b6: enterprises with medium/high intensity of green action through ICT (Ipsos/iCite survey).",
    ),
    _desi("desi_einvoices", "Enterprises sending e-invoices", "% of enterprises", "DESI 3b7 (E_INV4S_AP)."),
    _desi("desi_sme_online", "SMEs selling online", "% of SMEs", "DESI 3c1: at least 1% of turnover online."),
    IndicatorSpec(
        "sme_basic_di",
        "SMEs with at least a basic level of digital intensity (Eurostat)",
        "% of enterprises",
        "Enterprises with 10–249 persons employed, all activities except agriculture, mining and "
        "finance, using at least 4 of the Digital Intensity Index's 12 technologies. The breakdown key "
        "is the index version: E_DI3_GELO (version 3, odd years) and E_DI4_GELO (version 4, even "
        "years) are different technology lists, not comparable with each other." + RANK_NOTE,
        "isoc_e_dii",
        "country",
        True,
        1,
        breakdown="dii_version",
    ),
    IndicatorSpec(
        "ent_ai",
        "Enterprises using any AI technology (Eurostat)",
        "% of enterprises",
        "Enterprises with 10 or more persons employed, all activities except agriculture, mining and "
        "finance, using at least one AI technology (E_AI_TANY)." + RANK_NOTE,
        "isoc_eb_ai",
        "country",
        True,
        1,
        breakdown="total",
    ),
    _green(
        "co2_per_capita", "CO2 emissions per capita", "t CO2 per person", "Territorial fossil CO2 and cement."
    ),
    _green(
        "ghg_per_capita",
        "Greenhouse-gas emissions per capita",
        "t CO2-eq per person",
        "All greenhouse gases incl. land use (CAIT). EU27: member sums / population (marked A).",
    ),
    _green("co2_per_gdp", "CO2 emissions per unit of GDP", "kg CO2 per int-$", "Carbon intensity of GDP.", 3),
    _green(
        "ghg_per_gdp",
        "Greenhouse-gas emissions per unit of GDP",
        "kg CO2-eq per int-$",
        "Computed by us: total GHG / GDP. EU27: member sums (marked A).",
        3,
    ),
    _green(
        "energy_per_gdp",
        "Energy intensity (primary energy per unit of GDP)",
        "kWh per int-$",
        "Energy intensity.",
    ),
    _green(
        "energy_per_capita",
        "Primary energy consumption per capita",
        "kWh per person",
        "Energy use per person.",
        0,
    ),
    _green("co2_per_capita_change", "Change in CO2 per capita", "%", "CO2 per capita.", change=True),
    _green("ghg_per_capita_change", "Change in GHG per capita", "%", "GHG per capita.", change=True),
    _green("co2_per_gdp_change", "Change in CO2 per unit of GDP", "%", "CO2 per unit of GDP.", change=True),
    _green("ghg_per_gdp_change", "Change in GHG per unit of GDP", "%", "GHG per unit of GDP.", change=True),
    _green(
        "energy_per_gdp_change",
        "Change in energy intensity",
        "%",
        "Primary energy per unit of GDP.",
        change=True,
    ),
    IndicatorSpec(
        "co2_hab_eurostat",
        "CO2 emissions per inhabitant (air emissions accounts)",
        "t CO2 per inhabitant",
        "Eurostat air emissions accounts, all NACE activities and households (residence principle)."
        + RANK_NOTE,
        "env_ac_ainah_r2",
        "country",
        False,
        2,
        breakdown="total",
    ),
    IndicatorSpec(
        "co2_hab_eurostat_change",
        "Change in CO2 per inhabitant (air emissions accounts)",
        "%",
        "% change of Eurostat's CO2 per inhabitant from the base year (a parameter we set, 2010) to this "
        "year." + RANK_NOTE,
        "env_ac_ainah_r2",
        "country",
        False,
        1,
        breakdown="total",
    ),
    IndicatorSpec(
        "digital_position",
        "Digital position (composite, ours)",
        "score (0–100, EU27 min-max)",
        "Our composite: SMEs' digital intensity, big data, cloud and AI uptake (DESI), each at its latest "
        "reference year, min-max normalised over the 27 members (best 100, worst 0), equal weights "
        "(fixtures/reference/transition_composites.csv). The EU27 is placed with the members' bounds. "
        "A member lacking a component has no score." + RANK_NOTE,
        "desi_2022",
        "country",
        True,
        1,
        breakdown="total",
    ),
    IndicatorSpec(
        "green_position",
        "Green position (composite, ours)",
        "score (0–100, EU27 min-max)",
        "Our composite: GHG per capita, CO2 per unit of GDP and energy intensity (OWID, latest year), "
        "lower is better, min-max over the 27 members, equal weights." + RANK_NOTE,
        "owid_co2",
        "country",
        True,
        1,
        breakdown="total",
    ),
    IndicatorSpec(
        "green_progress",
        "Green progress (composite, ours)",
        "score (0–100, EU27 min-max)",
        "Our composite: change since the base year of GHG per capita, CO2 per unit of GDP and energy "
        "intensity (OWID), a larger fall is better, min-max over the 27 members, equal weights." + RANK_NOTE,
        "owid_co2",
        "country",
        True,
        1,
        breakdown="total",
    ),
]
ETS_CAVEAT = (
    " Allocated by our activity -> NACE -> ecosystem map (fixtures/reference/ets_activity_ecosystem.csv, "
    "unverified): the EEA aggregate in use holds 8 ETS activities only, so energy-intensive industries "
    "lack glass, ceramics, aluminium, ammonia and other activities; combustion of fuels (allocated to "
    "energy) includes other industries' combustion installations. All installations in the EU ETS "
    "(geo EU_ETS), not EU27_2020."
)
TRANSITION_INDICATORS += [
    IndicatorSpec(
        "ets_emissions",
        "EU ETS verified emissions mapped to the ecosystem",
        "Mt CO2-eq",
        "Verified emissions of the EU ETS activities mapped to the ecosystem, weighted by the map's "
        "shares; a year in which a mapped activity has no figure has no value." + ETS_CAVEAT,
        "eea_ets_sectors",
        "country",
        False,
        1,
    ),
    IndicatorSpec(
        "ets_emissions_change",
        "Change in EU ETS verified emissions mapped to the ecosystem",
        "%",
        "% change of the ecosystem's mapped ETS emissions from the base year (2005; aviation only "
        "from 2012, so no change for ecosystems it is mapped to)." + ETS_CAVEAT,
        "eea_ets_sectors",
        "country",
        False,
        1,
    ),
]
AIR_NOTE = (
    " From Eurostat's air emissions accounts by NACE (env_ac_ainah_r2, residence principle), summed "
    "with the ecosystem mapping's shares; a published code covering several divisions (C10-C12, "
    "C31_C32…) takes the mean of its divisions' shares. Needs the table with its NACE breakdown "
    "(the data mirror's extract has all activities only): without it there are no values."
)
TRANSITION_INDICATORS += [
    IndicatorSpec(
        "eco_co2",
        "CO2 emissions of the ecosystem (air emissions accounts)",
        "thousand tonnes CO2",
        "CO2 emitted by the ecosystem's NACE activities." + AIR_NOTE,
        "env_ac_ainah_r2",
        "country",
        None,
        0,
    ),
    IndicatorSpec(
        "eco_co2_share",
        "Ecosystem's share of CO2 emissions",
        "% of all NACE activities",
        "The ecosystem's CO2 over the CO2 of all NACE activities (households excluded)." + AIR_NOTE,
        "env_ac_ainah_r2",
        "country",
        None,
        1,
    ),
    IndicatorSpec(
        "eco_ghg",
        "Greenhouse-gas emissions of the ecosystem (air emissions accounts)",
        "thousand tonnes CO2-eq",
        "Greenhouse gases (CO2-equivalent) emitted by the ecosystem's NACE activities." + AIR_NOTE,
        "env_ac_ainah_r2",
        "country",
        None,
        0,
    ),
    IndicatorSpec(
        "eco_ghg_share",
        "Ecosystem's share of greenhouse-gas emissions",
        "% of all NACE activities",
        "The ecosystem's GHG over the GHG of all NACE activities (households excluded)." + AIR_NOTE,
        "env_ac_ainah_r2",
        "country",
        None,
        1,
    ),
]
INDICATORS.update({i.code: i for i in TRANSITION_INDICATORS})
INDICATORS["region_wage_emp"] = IndicatorSpec(
    "region_wage_emp",
    "Wages and salaries per person employed (regional business economy)",
    "EUR thousand per person employed",
    "Wages and salaries (V13320) over persons employed (V16110) in the region's business economy "
    "(sections B-N and S95 without K, each section as published or as the sum of its divisions), "
    "only where both totals are complete. EU27: the member regions with both totals complete, "
    "pooled (A). NUTS 2021; a split region keeps its published wage level (E). Persons employed "
    "include the self-employed and unpaid family workers, who earn no wages: the figure is lower "
    "than an average wage per employee.",
    "sbs_r_nuts06_r2",
    "region",
    True,
    1,
    breakdown="business_economy",
)
INDICATORS["pat_ht_mhab"] = IndicatorSpec(
    "pat_ht_mhab",
    "High-tech patent applications to the EPO per million inhabitants",
    "per million inhabitants",
    "Patent applications to the EPO by priority year and inventor country in Eurostat's high-tech "
    "groups (key: HT = all high-tech; AVI aviation, CAB computer and automated business equipment, "
    "CTE communication technology, LSR lasers, MGE micro-organisms and genetic engineering, SMC "
    "semiconductors), per million inhabitants, as published (pat_ep_ntec, discontinued; ends in "
    "2013). Ranked among the members with a value.",
    "pat_ep_ntec",
    "country",
    True,
    1,
    breakdown="high_tech_field",
    default_key="HT",
)
INDICATORS.update(
    {
        indicator: IndicatorSpec(
            indicator,
            title,
            "index, %",
            f"The ecosystem's uptake: {what} (% of enterprises with 10+ persons employed, Eurostat "
            f"{code}), averaged over the ecosystem's NACE divisions weighted by the mapping share × "
            "the place's persons employed in each division (SBS, the latest year published; the "
            "value's base period). Each division takes the narrowest published activity group that "
            "contains it. Marked incomplete (never ranked) when the divisions with a survey value "
            "cover less than 90% of that weight. An index, not a share of the ecosystem's enterprises.",
            code,
            "country",
            True,
            1,
        )
        for code, _, _, indicator, title, what in BY_NACE_UPTAKE
    }
)


def computation_of(indicator: str) -> Computation:
    """The computation whose ``yields`` lists INDICATOR (each indicator has exactly one)."""
    found = [c for c in COMPUTATIONS.values() if indicator in c.yields]
    if len(found) != 1:
        raise KeyError(f"indicator {indicator!r} is yielded by {len(found)} computations, not 1")
    return found[0]


def registry_problems() -> list[str]:
    """Inconsistencies between INDICATORS and COMPUTATIONS (the registry test asserts none)."""
    problems = []
    for code, spec in INDICATORS.items():
        try:
            computation = computation_of(code)
        except KeyError as exc:
            problems.append(str(exc))
            continue
        if spec.source not in computation.sources:
            problems.append(f"{code}: source {spec.source} is not an input of {computation.code}")
    for computation in COMPUTATIONS.values():
        problems += [
            f"{computation.code} yields unregistered {c}" for c in computation.yields if c not in INDICATORS
        ]
        problems += [
            f"{computation.code} reads unknown source {s}" for s in computation.sources if s not in SOURCES
        ]
    for analysis in ANALYSES.values():
        problems += [
            f"{analysis.code} reads unknown source {s}" for s in analysis.sources if s not in SOURCES
        ]
    return problems


# Eurostat code lists loaded as reference data (dimension name -> .dic file in the mirror).
CODELISTS = (
    "geo",
    "nace_r2",
    "indic_sb",
    "indic_is",
    "unit",
    "size_emp",
    "airpol",
    "indic_et",
    "stk_flow",
    "sitc06",
    "obs_status",
    "ipc",
)
EUROSTAT_DIC = (
    "https://ec.europa.eu/eurostat/estat-navtree-portlet-prod/BulkDownloadListing?file=dic%2Fen%2F{name}.dic"
)


def get_source(code: str) -> SourceSpec:
    try:
        return SOURCES[code]
    except KeyError:
        known = ", ".join(sorted(SOURCES))
        raise KeyError(f"Unknown source {code!r}. Known sources: {known}") from None
