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
from indicators.compute.ecosystems import compute_ecosystem_indicators
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
