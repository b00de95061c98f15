"""The declarative registry of sources and indicators. Code reads it; nothing is discovered by string.

A source says where its bytes come from (the publisher's URL, or `mirror_path` inside the
configured mirror folder), what format to expect, which file dimension plays which role in the
tidy Observation table, and which code list validates each dimension.
"""

from dataclasses import dataclass, field

EUROSTAT_CREDIT = "Source: Eurostat ({code}), release {vintage}"
EUROSTAT_LICENCE = "Eurostat: reuse authorised, source acknowledged (CC BY 4.0, Decision 2011/833/EU)"
GISCO_CREDIT = "© EuroGeographics for the administrative boundaries (Eurostat GISCO)"
GISCO_LICENCE = "Eurostat GISCO terms; show the EuroGeographics notice on maps"
EUROSTAT_API = (
    "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/{code}?format=TSV&compressed=true"
)
EUROSTAT_TOC = "https://ec.europa.eu/eurostat/api/dissemination/catalogue/toc/xml"
GISCO_NUTS = "https://gisco-services.ec.europa.eu/distribution/v2/nuts/geojson/{name}"

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
    kind: str = "observations"  # observations | geometry
    roles: dict[str, str] = field(default_factory=dict)  # file dimension -> Observation column
    codelists: dict[str, str] = field(default_factory=dict)  # file dimension -> code list name
    ignore: tuple[str, ...] = ("freq",)  # constant dimensions not stored
    # Plausible value range per measure code ("*" = any): (min, max). Outside -> rejected.
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    licence: str = EUROSTAT_LICENCE
    credit: str = EUROSTAT_CREDIT
    toc_code: str | None = None  # code in Eurostat's table of contents, for update checks
    note: str = ""

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
            note="Regions in the NUTS 2013 version in the mirror's vintage; recoded for maps.",
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
            ("sdmx-csv-1", "sdmx-csv-2"),
            ISOC_ROLES,
            ISOC_CODELISTS,
            ranges=PERCENT,
        ),
        _eurostat(
            "isoc_eb_ai",
            "Artificial intelligence by size class of enterprise",
            "eurostat/isoc_eb_ai.csv",
            ("sdmx-csv-1", "sdmx-csv-2"),
            ISOC_ROLES,
            ISOC_CODELISTS,
            ranges=PERCENT,
            note="The mirror holds a small filtered extract (2025, all activities, GE10).",
        ),
        _eurostat(
            "env_ac_ainah_r2",
            "Air emissions accounts by NACE Rev. 2 activity",
            "eurostat/env_ac_ainah_r2.csv",
            ("sdmx-csv-1", "sdmx-csv-2"),
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
}


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    title: str
    unit: str
    description: str
    source: str
    scope: str  # country | region
    higher_is_better: bool | None = True
    decimals: int = 0


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
            "Persons employed in the ecosystem's NACE activities in the NUTS 2 region.",
            "sbs_r_nuts06_r2",
            "region",
        ),
        IndicatorSpec(
            "region_units",
            "Local units (regional)",
            "number",
            "Local units in the ecosystem's NACE activities in the NUTS 2 region.",
            "sbs_r_nuts06_r2",
            "region",
        ),
        IndicatorSpec(
            "region_share_emp",
            "Share of regional employment",
            "%",
            "The ecosystem's share of the region's persons employed in the covered activities.",
            "sbs_r_nuts06_r2",
            "region",
            None,
            1,
        ),
        IndicatorSpec(
            "region_lq_emp",
            "Employment specialisation (regional location quotient vs EU)",
            "ratio",
            "The ecosystem's employment share in the region over its share in the EU.",
            "sbs_r_nuts06_r2",
            "region",
            None,
            2,
        ),
    ]
}

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
