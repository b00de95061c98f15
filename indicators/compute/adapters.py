"""Thin pure adapters between the registry's computation shape and the compute modules.

Every registered computation is called as ``function(inputs, references)``: ``inputs`` maps the
computation's input names to observation frames (``geo, nace, measure, period, value, flags``),
``references`` maps reference names (see ``indicators/inputs.py``) to their loaded values. It
returns ``indicator, ecosystem, geo, period, value, flags, rank`` (optionally ``markers``,
``published_geo``, ``geo_version``, ``base_period``) with indicator = the registry's codes.
No Django here.
"""

import pandas as pd

from indicators.compute import transition
from indicators.compute.clusters import compute_cluster_indicators
from indicators.compute.ecosystems import compute_ecosystem_indicators
from indicators.compute.patents import compute_patent_indicators
from indicators.compute.regional import compute_regional_indicators


def national_sbs(inputs: dict[str, pd.DataFrame], references: dict) -> pd.DataFrame:
    """National SBS -> emp, ent, turnover, va, productivity, share_emp, lq_emp, emp_change."""
    return compute_ecosystem_indicators(
        inputs["sbs"], references["ecosystem_mapping"], references["eu_members"]
    )


def regional_sbs(inputs: dict[str, pd.DataFrame], references: dict) -> pd.DataFrame:
    """Regional SBS -> region_emp, region_units, region_share_emp, region_lq_emp."""
    values = compute_regional_indicators(
        inputs["sbs"],
        references["ecosystem_mapping"],
        None,
        members=references["eu_members"],
        converter=references["nuts_converter"],
    )
    return values.assign(indicator="region_" + values["indicator"].astype(object))


def regional_clusters(inputs: dict[str, pd.DataFrame], references: dict) -> pd.DataFrame:
    """Regional SBS -> cluster_* figures, and stars for every cluster parameter version."""
    return compute_cluster_indicators(
        inputs["sbs"],
        references["cluster_definitions"],
        references["cluster_parameters"],
        members=references["eu_members"],
        converter=references["nuts_converter"],
    )


def regional_patents(inputs: dict[str, pd.DataFrame], references: dict) -> pd.DataFrame:
    """EPO patent applications by region -> region_patents_pmhab (NUTS 2021)."""
    values = compute_patent_indicators(inputs["pat"], references["nuts_converter"])
    return values.assign(indicator="region_" + values["indicator"].astype(object))


# NACE divisions as Eurostat writes them (C25; G45-G47 at group level too: G451): every code of
# the regional file at division level is its own "ecosystem" with share 1.
_DIVISION = r"^[B-N]\d\d$|^S95$"


def regional_nace(inputs: dict[str, pd.DataFrame], references: dict) -> pd.DataFrame:
    """Regional SBS -> region_nace_emp, region_nace_lq: each NACE division per NUTS 2 region,
    with the same NUTS 2021 harmonisation, totals and EU reference as the ecosystem figures
    (the ecosystem computation run with an identity mapping: one division, share 1)."""
    obs = inputs["sbs"]
    divisions = sorted(
        c for c in pd.unique(obs["nace"]) if pd.notna(c) and pd.Series([c]).str.match(_DIVISION).iloc[0]
    )
    mapping = pd.DataFrame({"ecosystem": divisions, "nace": divisions, "share": 1.0})
    values = compute_regional_indicators(
        obs, mapping, None, members=references["eu_members"], converter=references["nuts_converter"]
    )
    names = {"emp": "region_nace_emp", "lq_emp": "region_nace_lq"}
    values = values[values["indicator"].isin(names)]
    return values.assign(indicator=values["indicator"].map(names))


def patents(inputs: dict[str, pd.DataFrame], references: dict) -> pd.DataFrame:
    """NCSES patent families -> pat_fam*, tech_pat_*, pat_fam_nace, pat_fam_ecosystem."""
    from indicators.compute.technologies import compute_patent_indicators

    obs = inputs["patents"]
    table = pd.DataFrame(
        {
            "field": obs["extra"].str.extract(r"(?:^|\|)wipo35=([^|]*)")[0],
            "geo": obs["geo"],
            "period": obs["period"],
            "value": obs["value"],
        }
    )
    return compute_patent_indicators(
        table.dropna(subset=["field"]),
        references.get("technology_weights"),
        references.get("patent_concordance"),
        references.get("ecosystem_mapping"),
    )


def technology_uptake(inputs: dict[str, pd.DataFrame], references: dict) -> pd.DataFrame:
    """Eurostat enterprise ICT-usage shares -> tech_uptake (inputs are named by source code)."""
    from indicators.compute.technologies import uptake_values

    return uptake_values(inputs, references["technology_uptake"])


def epo_regional(inputs: dict[str, pd.DataFrame], references: dict) -> pd.DataFrame:
    """Eurostat pat_ep_rtot -> pat_ep_mhab (countries; regions: regional_patents, NUTS 2021)."""
    from indicators.compute.technologies import epo_intensity

    return epo_intensity(inputs["patents"])


def patent_intensity(inputs: dict[str, pd.DataFrame], references: dict) -> pd.DataFrame:
    """NCSES patent families + SBS persons employed -> pat_intensity_nace, pat_intensity_ecosystem."""
    from indicators.compute.technologies import patent_intensity as intensity

    obs = inputs["patents"]
    table = pd.DataFrame(
        {
            "field": obs["extra"].str.extract(r"(?:^|\|)wipo35=([^|]*)")[0],
            "geo": obs["geo"],
            "period": obs["period"],
            "value": obs["value"],
            "markers": "",
        }
    ).dropna(subset=["field", "value"])
    concordance = references.get("patent_concordance")
    if concordance is None or concordance.empty:
        return pd.DataFrame(columns=["indicator", "ecosystem", "geo", "period", "value", "flags", "rank"])
    sbs = inputs["sbs"]
    return intensity(table, sbs[sbs["measure"] == "V16110"], concordance, references.get("ecosystem_mapping"))


def transition_digital(inputs: dict[str, pd.DataFrame], references: dict) -> pd.DataFrame:
    """DESI workbook -> desi_* indicators by reference year (key DESI_<edition>)."""
    return transition.digital_indicators(inputs["desi"], references["eu_members"])


def transition_green(inputs: dict[str, pd.DataFrame], references: dict) -> pd.DataFrame:
    """OWID CO2 data -> emissions and energy levels and their change since the base year."""
    params = references["transition_parameters"]
    return transition.green_indicators(inputs["owid"], references["eu_members"], params["base_year"])


def transition_dii(inputs: dict[str, pd.DataFrame], references: dict) -> pd.DataFrame:
    return transition.eurostat_uptake(inputs["dii"], None, references["eu_members"])


def transition_ai(inputs: dict[str, pd.DataFrame], references: dict) -> pd.DataFrame:
    return transition.eurostat_uptake(None, inputs["ai"], references["eu_members"])


def transition_co2(inputs: dict[str, pd.DataFrame], references: dict) -> pd.DataFrame:
    params = references["transition_parameters"]
    return transition.eurostat_co2(inputs["co2"], references["eu_members"], params["eurostat_base_year"])


def transition_composites(inputs: dict[str, pd.DataFrame], references: dict) -> pd.DataFrame:
    """Digital position, green position and green progress (min-max, our weights)."""
    members = references["eu_members"]
    params = references["transition_parameters"]
    values = pd.concat(
        [
            transition.digital_indicators(inputs["desi"], members),
            transition.green_indicators(inputs["owid"], members, params["base_year"]),
        ],
        ignore_index=True,
    )
    return transition.composites(values, params["weights"], members)


def transition_ets(inputs: dict[str, pd.DataFrame], references: dict) -> pd.DataFrame:
    """EU ETS emissions by activity -> by ecosystem (our activity -> NACE -> ecosystem map)."""
    params = references["transition_parameters"]
    return transition.ets_by_ecosystem(inputs["ets"], references["ets_ecosystem_map"], params["base_year"])


def transition_air_ecosystems(inputs: dict[str, pd.DataFrame], references: dict) -> pd.DataFrame:
    """Air emissions accounts by NACE -> CO2 and GHG by ecosystem (empty without a NACE breakdown)."""
    return transition.air_emissions_by_ecosystem(
        inputs["air"], references["ecosystem_mapping"], references["eu_members"]
    )


def ecosystem_uptake(inputs: dict[str, pd.DataFrame], references: dict, indicator: str) -> pd.DataFrame:
    """A by-NACE ICT-survey table (input ``uptake``) + SBS employment (``sbs``) -> INDICATOR by
    ecosystem; where a year has two versions of the measure (DII v3 and v4), the newer is kept."""
    from indicators.compute.uptake import ecosystem_uptake as compute
    from indicators.compute.uptake import newest_measure

    return compute(
        newest_measure(inputs["uptake"]),
        inputs["sbs"],
        references["ecosystem_mapping"],
        references["eu_members"],
        indicator,
    )


def high_tech_patents(inputs: dict[str, pd.DataFrame], references: dict) -> pd.DataFrame:
    """Eurostat pat_ep_ntec (P_MHAB) -> pat_ht_mhab by country and high-tech group."""
    from indicators.compute.technologies import high_tech_intensity

    return high_tech_intensity(inputs["pat"], references["eu_members"])


def regional_wages(inputs: dict[str, pd.DataFrame], references: dict) -> pd.DataFrame:
    """Regional SBS -> region_wage_emp (wages and salaries per person employed, NUTS 2021)."""
    from indicators.compute.regional import region_wages

    values = region_wages(
        inputs["sbs"], members=references["eu_members"], converter=references["nuts_converter"]
    )
    return values.assign(indicator="region_" + values["indicator"].astype(object))
