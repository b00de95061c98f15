"""Technology pages: shared names, our technology list, releases and small helpers."""

from __future__ import annotations

from django.urls import reverse

from ...registry import SOURCES
from ...selectors import cached, periods_of, place_names
from ...sources.ncses import REGION_GEO, WIPO_FIELDS

EU = "EU27_2020"
RIVALS = ("US", "CN", "JP", "KR")
COMPARED = (EU, *RIVALS)
PATENTS = "ncses_sei2020_patents"
# Published figure the portal's headline is compared with (ATI = the Commission's Advanced
# Technologies for Industry monitor; its headline figure as the issue quotes it).
ATI_HEADLINE = {
    "value": 21.94,
    "text": "21.94% of advanced-technology global patent applications held by the EU27",
    "source": "European Commission, Advanced Technologies for Industry (ATI) monitor",
}
# Names for the NCSES places that are not in our Country reference (NCSES wording).
EXTRA_NAMES = {
    "WORLD": "World",
    "EU28": "EU-28 (with the UK)",
    "EU27_2020": "EU27 (EU-28 minus the UK)",
    "EU_OTH": "Other EU-28 members (not listed by NCSES)",
    "US": "United States",
    "CN": "China (incl. Hong Kong)",
    "JP": "Japan",
    "KR": "South Korea",
    "TW": "Taiwan",
    "CA": "Canada",
    "MX": "Mexico",
    "PR": "Puerto Rico",
    "AR": "Argentina",
    "BR": "Brazil",
    "RU": "Russia",
    "IN": "India",
    "MY": "Malaysia",
    "SG": "Singapore",
    "IL": "Israel",
    "ZA": "South Africa",
    "AU": "Australia",
    "NZ": "New Zealand",
}
# Places shown in "generation by country": named economies, not residuals or the world.
COUNTRY_GEOS = tuple(g for g in REGION_GEO.values() if g not in {"WORLD", "EU28", "EU_OTH"})


def name(geo: str) -> str:
    return EXTRA_NAMES.get(geo) or place_names().get(geo, geo)


def field_name(code: str) -> str:
    return "All fields" if code == "TOTAL" else WIPO_FIELDS.get(code, (code, ""))[0]


def tech_url(slug: str) -> str:
    return reverse("technologies:technology-detail", args=[slug])


def source_text(code: str = PATENTS) -> str:
    s = source_of_source(code)
    publisher = "NCSES SEI 2020" if code == PATENTS else "Eurostat"
    return f"Source: {publisher} {s['code']}, {s.get('vintage') or 'not loaded'}; EU Industry Observatory"


def source_of_source(code: str) -> dict:
    from ...selectors import release_infos

    return release_infos().get(code, {"code": code, "vintage": "", "publisher": ""})


def technologies() -> list[dict]:
    """Our technologies (curated list) with their WIPO weights and uptake codes."""

    def build():
        from observatory.models import Technology

        out = []
        for t in Technology.objects.filter(curated=True).prefetch_related("fields"):
            out.append(
                {
                    "slug": t.slug,
                    "name": t.name,
                    "definition": t.definition,
                    "uptake": list(t.uptake),
                    "uptake_note": t.uptake_note,
                    "fields": [
                        {
                            "code": f.wipo_field,
                            "name": field_name(f.wipo_field),
                            "weight": float(f.weight),
                            "reasoning": f.reasoning,
                        }
                        for f in t.fields.all()
                    ],
                }
            )
        return out

    return cached("technologies", build)


def technology(slug: str) -> dict | None:
    return next((t for t in technologies() if t["slug"] == slug), None)


def latest(indicator: str) -> str | None:
    periods = periods_of(indicator)
    return periods[-1] if periods else None


def uptake_status(tech: dict) -> list[dict]:
    """Each uptake code of the technology: registered? loaded? (for the honest empty state)."""
    loaded = {code for code, info in _releases().items() if info.get("release")}
    out = []
    for code in tech["uptake"]:
        source, _, measure = code.partition(":")
        out.append(
            {
                "code": code,
                "source": source,
                "measure": measure,
                "registered": source in SOURCES,
                "loaded": source in loaded,
            }
        )
    return out


def _releases() -> dict:
    from ...selectors import release_infos

    return release_infos()


def rankable(points: list[dict]) -> list[dict]:
    """Points that may be drawn in a ranking: not marked incomplete (I)."""
    return [p for p in points if "I" not in (p.get("flags") or "")]


def incomplete_note(points: list[dict]) -> str:
    left = [p["label"] for p in points if "I" in (p.get("flags") or "")]
    if not left:
        return ""
    return f" Not ranked (the publisher says their counts are incomplete): {', '.join(left)}."


def _by(rows, *keys):
    return {tuple(r[k] for k in keys): r for r in rows}
