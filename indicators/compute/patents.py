"""Regional patent intensity in NUTS 2021 from the EPO patent applications file (pure pandas).

Rules (methodology page): the file gives, per region and priority year, applications (``NR``,
fractional counts) and applications per million inhabitants (``P_MHAB``), in NUTS 2010. A
per-million figure cannot be summed or split, so the population it implies
(``NR / P_MHAB × 10⁶``, where ``P_MHAB > 0``) is harmonised with the counts
(:func:`indicators.compute.nuts.harmonise`, JRC converter, population weights; marker ``E`` on
a split, ``A`` on a merge) and the intensity recomputed as counts over population × 10⁶. A
region-year with no applications (``P_MHAB = 0``) implies no population: it is 0 where the
region is unchanged, and missing where it would have to be combined.
"""

import numpy as np
import pandas as pd

from indicators.compute import nuts
from indicators.compute.ecosystems import prepare_obs
from indicators.compute.regional import nuts2_mask, with_provenance

KEY = "all-fields"


def compute_patent_indicators(
    obs: pd.DataFrame, converter: pd.DataFrame | None, nominal_version: int = 2010
) -> pd.DataFrame:
    """``patents_pmhab`` per NUTS 2 region and year (NUTS 2021 with a converter).

    Input: obs with measures NR and P_MHAB. Output: ``indicator, ecosystem (all-fields), geo,
    period, value, flags, rank, published_geo, geo_version, markers``.
    """
    obs = prepare_obs(obs, ["NR", "P_MHAB"])
    obs = obs[nuts2_mask(obs["geo"])].assign(period=lambda d: d["period"].astype(str))
    wide = obs.pivot_table(index=["geo", "period"], columns="measure", values="value", aggfunc="first")
    wide = wide.reindex(columns=["NR", "P_MHAB"]).reset_index()
    zero = wide["P_MHAB"] == 0
    pop = wide["NR"] / wide["P_MHAB"].where(~zero) * 1e6
    long = pd.concat(
        [
            wide[["geo", "period"]].assign(measure="NR", value=wide["NR"]),
            wide[["geo", "period"]].assign(measure="POP", value=pop),
        ],
        ignore_index=True,
    ).assign(nace="", flags="")
    provenance = None
    if converter is not None:
        long, provenance, _ = nuts.harmonise(long, converter, nominal_version)
    out = long.pivot_table(index=["geo", "period"], columns="measure", values="value", aggfunc="first")
    out = out.reindex(columns=["NR", "POP"]).reset_index()
    value = out["NR"] / out["POP"] * 1e6
    # No applications, unchanged region: 0 per million (its population is simply not implied).
    zeros = wide.loc[zero, ["geo", "period"]].assign(z=True)
    out = out.merge(zeros, on=["geo", "period"], how="left")
    if provenance is not None:
        kind = provenance.set_index(["geo", "period"])["kind"]
        same = pd.MultiIndex.from_frame(out[["geo", "period"]]).map(kind.to_dict()).isin(["unchanged"])
    else:
        same = np.ones(len(out), dtype=bool)
    value = np.where(out["z"].fillna(False).astype(bool) & same, 0.0, value)
    res = out[["geo", "period"]].assign(
        indicator="patents_pmhab", ecosystem=KEY, value=value, flags="", rank=pd.NA
    )
    res = res[res["value"].notna()]
    res = with_provenance(res, provenance)
    res["rank"] = res.groupby("period")["value"].rank(method="min", ascending=False).astype("Int64")
    return res.reset_index(drop=True)
