"""Thin pure adapters between the registry's computation shape and the compute modules.

Every registered computation is called as ``function(inputs, references)``: ``inputs`` maps the
computation's input names to observation frames (``geo, nace, measure, period, value, flags``),
``references`` maps reference names (see ``indicators/inputs.py``) to their loaded values. It
returns ``indicator, ecosystem, geo, period, value, flags, rank`` (optionally ``markers``,
``published_geo``, ``geo_version``, ``base_period``) with indicator = the registry's codes.
No Django here.
"""

import pandas as pd

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
