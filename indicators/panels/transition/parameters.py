"""The composites' parameters and the sensitivity tables (methodology and /transition/)."""

from __future__ import annotations

import pandas as pd

from ...compute import transition as tc
from ...registry import INDICATORS
from ...selectors import cached, eu_members, place_names, values
from ..common import country_url, fmt

# ------------------------------------------------------------------ parameters and sensitivity


def parameters() -> dict:
    from ...reference import transition_parameters

    params = transition_parameters()
    weights = params["weights"]
    return {
        "version": params["version"],
        "base_year": params["base_year"],
        "eurostat_base_year": params["eurostat_base_year"],
        "weights": [
            {
                **r,
                "title": INDICATORS[r["indicator"]].title if r["indicator"] in INDICATORS else r["indicator"],
            }
            for r in weights.to_dict("records")
        ],
    }


def variant_label(variant: str) -> str:
    if variant.startswith("without "):
        code = variant.removeprefix("without ")
        return f"without {INDICATORS[code].title if code in INDICATORS else code}"
    return {"minmax": "min-max (default)", "zscore": "z-scores"}.get(variant, variant)


def sensitivity_tables() -> list[dict]:
    return cached("transition:sensitivity", _sensitivity_tables)


def _sensitivity_tables() -> list[dict]:
    """Ranks of each composite under min-max (default), z-scores and each component left out."""
    from ...reference import transition_parameters

    weights = tc.check_weights(transition_parameters()["weights"])
    members = list(eu_members())
    names = place_names()
    out = []
    for name in tc.COMPOSITES:
        w = weights[weights["composite"] == name]
        rows = values(list(w["indicator"]))
        frame = pd.DataFrame(rows)
        if frame.empty:
            continue
        table, years = tc.latest_table(frame, w["indicator"], members)
        if set(w["indicator"]) - set(table.columns):
            continue
        ranks = tc.sensitivity(table, w, members)
        variants = [c for c in ranks.columns if c not in ("rank_min", "rank_max", "spread")]
        body = []
        for geo in ranks.sort_values(["minmax", "rank_min"]).index:
            r = ranks.loc[geo]
            body.append(
                {
                    "name": names.get(geo, geo),
                    "url": country_url(geo),
                    "ranks": [fmt(r[v]) for v in variants],
                    "spread": fmt(r["spread"]),
                }
            )
        moved = ranks["spread"].dropna()
        out.append(
            {
                "composite": name,
                "title": INDICATORS[name].title,
                "variants": [variant_label(v) for v in variants],
                "rows": body,
                "years": years,
                "median_spread": fmt(moved.median()) if not moved.empty else "–",
                "max_spread": fmt(moved.max()) if not moved.empty else "–",
            }
        )
    return out
