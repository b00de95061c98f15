"""Twin-transition pages: the scoreboard's indicator lists, sources and the stored scoreboard data."""

from __future__ import annotations

from django.urls import reverse

from ... import charts
from ...registry import INDICATORS
from ...selectors import EU, cached, eu_members, place_names, release_infos, values

DIGITAL = (
    "desi_index",
    "desi_human_capital",
    "desi_connectivity",
    "desi_integration",
    "desi_public_services",
    "desi_sme_basic_di",
    "desi_big_data",
    "desi_cloud",
    "desi_ai",
    "sme_basic_di",
    "ent_ai",
    "digital_position",
)
GREEN = (
    "ghg_per_capita",
    "co2_per_capita",
    "co2_per_gdp",
    "ghg_per_gdp",
    "energy_per_gdp",
    "ghg_per_capita_change",
    "co2_per_gdp_change",
    "energy_per_gdp_change",
    "co2_hab_eurostat",
    "green_position",
    "green_progress",
)
SCOREBOARD = DIGITAL + GREEN
LEADERS = ("desi_ai", "desi_cloud", "desi_big_data")
TRENDS = (
    "desi_index",
    "desi_integration",
    "ghg_per_capita",
    "co2_per_gdp",
    "energy_per_gdp",
    "co2_hab_eurostat",
)
PUBLISHERS = {
    "desi_2022": "European Commission, DESI 2022",
    "owid_co2": "Our World in Data",
}


def source_label(indicator: str) -> str:
    s = release_infos().get(INDICATORS[indicator].source, {})
    return PUBLISHERS.get(
        INDICATORS[indicator].source, f"{s.get('publisher', 'Eurostat')} {INDICATORS[indicator].source}"
    )


def source_line(indicator: str) -> str:
    code = INDICATORS[indicator].source
    s = release_infos().get(code, {"code": code})
    return (
        f"Source: {s.get('publisher', 'Eurostat')} {code}, {s.get('vintage') or 'not loaded'}; "
        "EU Industry Observatory"
    )


def short_sources(*indicators: str) -> str:
    """'Sources: <publisher> <code> (<vintage>); …' for a figure drawing on several sources."""
    infos = release_infos()
    parts = []
    for code in dict.fromkeys(INDICATORS[i].source for i in indicators):
        s = infos.get(code, {"code": code})
        release = f"release {s['release']}" if s.get("release") else "not loaded"
        parts.append(f"{PUBLISHERS.get(code, s.get('publisher', 'Eurostat'))} ({code}, {release})")
    return "Sources: " + "; ".join(parts)


def reference_year(rows: list[dict], members: set[str]) -> str | None:
    """The latest year most members have a value for (ties: the later year)."""
    counts: dict[str, int] = {}
    for r in rows:
        if r["geo"] in members and charts.is_number(r["value"]):
            counts[r["period"]] = counts.get(r["period"], 0) + 1
    if not counts:
        return None
    top = max(counts.values())
    return max(p for p, n in counts.items() if n == top)


def _by_indicator(codes) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {c: [] for c in codes}
    for r in values(codes):
        out[r["indicator"]].append(r)
    return out


def scoreboard_data() -> dict:
    return cached("transition:scoreboard", _scoreboard_data)


def _scoreboard_data() -> dict:
    members = set(eu_members())
    rows_of = _by_indicator(SCOREBOARD)
    years, at = {}, {}
    for code, rows in rows_of.items():
        year = reference_year(rows, members)
        years[code] = year
        at[code] = {r["geo"]: r for r in rows if r["period"] == year}
    meta = []
    for code in SCOREBOARD:
        s = INDICATORS[code]
        base = next((r["base_period"] for r in at[code].values() if r.get("base_period")), "")
        edition = next((r["ecosystem"] for r in at[code].values() if r["ecosystem"] != "total"), "")
        edition = {"E_DI3_GELO": "Digital Intensity Index version 3", "E_DI4_GELO": "version 4"}.get(
            edition, edition
        )
        meta.append(
            {
                "code": code,
                "title": s.title,
                "unit": s.unit,
                "decimals": s.decimals,
                "year": years[code],
                "base": base,
                "edition": edition.replace("_", " "),
                "source": INDICATORS[code].source,
                "source_label": source_label(code),
                "higher_is_better": s.higher_is_better,
                "group": "digital" if code in DIGITAL else "green",
                "url": reverse("indicators:indicator-detail", args=[code]),
            }
        )
    return {"meta": meta, "at": at, "years": years}


def _name_rows(members: list[str]) -> list[tuple[str, str]]:
    names = place_names()
    return sorted(((g, names.get(g, g)) for g in members), key=lambda x: x[1]) + [(EU, "EU27")]
