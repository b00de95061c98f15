"""Reference inputs of the registered computations, by name: name -> loader (Django side).

A computation lists the names it needs (``Computation.references``); recompute loads each once
and hands the values to the pure functions. Adding a reference (e.g. a NUTS converter) is one
entry here.
"""

import logging
from collections.abc import Callable

import pandas as pd

from ecosystems import selectors as taxonomy

from .loading import IngestError

logger = logging.getLogger(__name__)


def current_mapping_version():
    """The current ecosystem mapping version (an ecosystems MappingVersion)."""
    version = taxonomy.current_mapping()
    if version is None:
        raise IngestError("no current ecosystem mapping: run `manage.py load_reference` first")
    return version


def mapping_frame(version=None) -> pd.DataFrame:
    """The ecosystem mapping: ``ecosystem, nace, share`` (share float)."""
    version = version or current_mapping_version()
    rows = taxonomy.mapping_rows(version)
    frame = pd.DataFrame(rows, columns=["ecosystem", "nace", "share"])
    frame["share"] = frame["share"].astype("float64")
    return frame


def eu_members() -> frozenset[str]:
    """EU27_2020 member geo codes, from the Country reference (the one place membership lives)."""
    members = frozenset(taxonomy.eu27_codes())
    if not members:
        raise IngestError("no EU member countries in the reference: run `manage.py load_reference`")
    return members


def nuts_converter() -> pd.DataFrame | None:
    """The NUTS 2 -> 2021 converter (JRC matrices) for regional computations; None (codes kept
    as published, logged) until `manage.py load_reference` has loaded it."""
    from .reference import nuts_converter_frame

    frame = nuts_converter_frame(level=2, to_version=2021)
    if frame.empty:
        logger.warning("NUTS converter not loaded: regional values keep their published codes")
        return None
    return frame


def cluster_definitions(version=None) -> pd.DataFrame:
    """The current cluster definitions: ``category, kind, nace, weight, traded_share`` (floats)."""
    version = version or taxonomy.current_cluster_definition()
    columns = ["category", "kind", "nace", "weight", "traded_share"]
    if version is None:
        logger.warning("no cluster definitions loaded (manage.py load_reference): no cluster figures")
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(taxonomy.cluster_definition_rows(version), columns=columns)
    frame = frame.astype({"weight": "float64", "traded_share": "float64"})
    from .compute.clusters import ClusterInputError, check_definitions

    try:
        check_definitions(frame)
    except ClusterInputError as exc:
        raise IngestError(f"cluster definitions v{version.number}: {exc}") from None
    return frame


def cluster_parameters() -> list[dict]:
    """Every version of the cluster thresholds (each version's stars are kept)."""
    sets = taxonomy.cluster_threshold_sets()
    if not sets:
        logger.warning("no cluster thresholds loaded (manage.py load_reference): no cluster stars")
    return sets


def technology_weights() -> pd.DataFrame:
    """Our WIPO-field weights: ``technology, wipo_field, weight`` (float)."""
    from observatory.models import TechnologyField

    rows = TechnologyField.objects.values_list("technology__slug", "wipo_field", "weight")
    frame = pd.DataFrame(list(rows), columns=["technology", "wipo_field", "weight"])
    frame["weight"] = frame["weight"].astype("float64")
    return frame


def technology_uptake() -> dict[str, list[str]]:
    """Technology slug -> its uptake indicator codes (``source:measure``), from our list."""
    from observatory.models import Technology

    return {t.slug: list(t.uptake) for t in Technology.objects.filter(curated=True) if t.uptake}


def patent_concordance() -> pd.DataFrame | None:
    """The WIPO35 × NACE concordance (``field, nace, share``) from the mirror or its publisher
    copy; None (logged: no by-NACE patent figures) when neither is reachable."""
    from .reference import REFERENCE_FILES, read_reference
    from .sources.base import ParseError
    from .sources.concordance import parse_concordance

    ref = REFERENCE_FILES["patent_concordance"]
    raw = read_reference(ref)
    if raw is None:
        logger.warning("patent concordance not reachable: no patent figures by NACE")
        return None
    try:
        return parse_concordance(raw, ref.mirror_path)
    except ParseError as exc:
        raise IngestError(str(exc)) from exc


def transition_parameters() -> dict:
    """Composite weights and base years of the twin-transition scoreboard (our versioned CSVs)."""
    from .reference import transition_parameters as read

    return read()


def ets_ecosystem_map() -> pd.DataFrame:
    """Our EU ETS activity -> NACE -> ecosystem map (a versioned CSV in fixtures/reference)."""
    from .reference import ets_ecosystem_map as read

    return read()


REFERENCES: dict[str, Callable[[], object]] = {
    "ets_ecosystem_map": ets_ecosystem_map,
    "transition_parameters": transition_parameters,
    "ecosystem_mapping": mapping_frame,
    "technology_weights": technology_weights,
    "technology_uptake": technology_uptake,
    "patent_concordance": patent_concordance,
    "eu_members": eu_members,
    "nuts_converter": nuts_converter,
    "cluster_definitions": cluster_definitions,
    "cluster_parameters": cluster_parameters,
}


def load_references(names) -> dict[str, object]:
    unknown = sorted(set(names) - set(REFERENCES))
    if unknown:
        raise IngestError(f"unknown reference input(s): {', '.join(unknown)}")
    return {name: REFERENCES[name]() for name in names}
