"""Load reference data: our own definitions from fixtures/, publisher classifications from the
mirror (or the publisher). Idempotent: running it twice changes nothing the second time.

Curators' edits win: the ecosystem mapping fixture only seeds version 1 when no version exists.
"""

import csv
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from ecosystems import selectors as taxonomy
from ecosystems import services as taxonomy_writes

from . import fetch as fetching
from .registry import CODELISTS, EUROSTAT_DIC

logger = logging.getLogger(__name__)

FIXTURES = settings.BASE_DIR / "fixtures" / "reference"
EUROSTAT_CLASSIFICATIONS = "https://github.com/eurostat/correspondenceTables/raw/main/inst/extdata/test/"
NUTS_XLSX = "https://ec.europa.eu/eurostat/documents/345175/629341/"
# The JRC matrices as redistributed in the R package `nuts` (data/PROVENANCE.md §15).
JRC_CONVERTER = "https://raw.githubusercontent.com/AAoritz/nuts/2fa0eb9e77ef883185dde2f923c01f9a0179c725/data-raw/nuts-matrices/"
JRC_VERSIONS = (2006, 2010, 2013, 2016, 2021)


@dataclass(frozen=True)
class ReferenceFile:
    mirror_path: str
    remote_url: str


REFERENCE_FILES = {
    "nace": ReferenceFile(
        "reference/eurostat_classifications/Nace2_long.csv",
        EUROSTAT_CLASSIFICATIONS + "Nace2_long.csv",
    ),
    "nuts2021": ReferenceFile(
        "gisco/NUTS_LB_2021_4326.geojson",
        "https://gisco-services.ec.europa.eu/distribution/v2/nuts/geojson/NUTS_LB_2021_4326.geojson",
    ),
    "nuts2016": ReferenceFile("reference/eurostat_nuts_classification/nuts-2016.tsv", ""),
    "nuts2013_2016": ReferenceFile(
        "reference/eurostat_nuts_classification/NUTS2013-NUTS2016.xlsx",
        NUTS_XLSX + "NUTS2013-NUTS2016.xlsx",
    ),
    "cluster_linkage": ReferenceFile(
        "reference/cluster_definitions_us/ClusterLinkage.xlsx",
        "https://github.com/ACR1/industry-clusters/raw/59f88b820b8214435425f2971ff86ffd443f59fb/"
        "Shared_Files/ClusterLinkage.xlsx",
    ),
    # The Fraunhofer ISI WIPO35 × NACE concordance as shared in piotrsobecki/economical_impact_pri.
    "patent_concordance": ReferenceFile(
        "reference/patent_nace_concordance/IPC_WIPO35_by_NACE2_concordance_table.xlsx",
        "https://raw.githubusercontent.com/piotrsobecki/economical_impact_pri/"
        "b131f79fac8a0f561963cf8714d34c398f77ff7e/concordance/concordance_table.xlsx",
    ),
    "nuts2021_xlsx": ReferenceFile(
        "reference/eurostat_nuts_classification/NUTS2021.xlsx", NUTS_XLSX + "NUTS2021.xlsx"
    ),
}


def read_reference(ref: ReferenceFile) -> bytes | None:
    """Bytes from the mirror, else the publisher; None (logged) when neither is reachable."""
    root = fetching.mirror_root()
    if root is not None and (root / ref.mirror_path).is_file():
        return (root / ref.mirror_path).read_bytes()
    if not ref.remote_url:
        return None
    try:
        return fetching.download(ref.remote_url)
    except fetching.FetchError as exc:
        logger.warning("reference file unavailable: %s", exc)
        return None


def read_dic(name: str) -> bytes | None:
    return read_reference(ReferenceFile(f"eurostat/dic/en/{name}.dic", EUROSTAT_DIC.format(name=name)))


def _fixture_rows(name: str) -> list[dict[str, str]]:
    """Rows of a fixture CSV; lines starting with ``#`` before the header are our note."""
    with (FIXTURES / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def ets_ecosystem_map():
    """Our EU ETS activity -> NACE -> ecosystem map (fixtures/reference/ets_activity_ecosystem.csv)."""
    import pandas as pd

    frame = pd.DataFrame(_fixture_rows("ets_activity_ecosystem.csv"))
    frame["share"] = frame["share"].astype(float)
    return frame


def transition_parameters() -> dict:
    """Our twin-transition parameters (fixtures/reference/transition_*.csv; README there):
    ``weights`` (DataFrame: version, composite, indicator, direction, weight, reasoning),
    ``version`` (int), ``base_year`` and ``eurostat_base_year`` (int)."""
    import pandas as pd

    weights = pd.DataFrame(_fixture_rows("transition_composites.csv"))
    weights["weight"] = weights["weight"].astype(float)
    params = {r["name"]: r["value"] for r in _fixture_rows("transition_parameters.csv")}
    return {
        "weights": weights,
        "version": int(weights["version"].max()),
        "base_year": int(params["base_year"]),
        "eurostat_base_year": int(params["eurostat_base_year"]),
    }


def locomotive_weights() -> dict[int, dict]:
    """Our weights of the ecosystem-pair score (fixtures/reference/locomotive_weights.csv), per
    version: {number: {"number", "weights": {component: w}, "related_min", "reasoning": {name: text}}}."""
    out: dict[int, dict] = {}
    for row in _fixture_rows("locomotive_weights.csv"):
        number = int(row["version"])
        entry = out.setdefault(
            number, {"number": number, "weights": {}, "related_min": None, "reasoning": {}}
        )
        entry["reasoning"][row["parameter"]] = row["reasoning"]
        if row["parameter"] == "related_min":
            entry["related_min"] = float(row["value"])
        else:
            entry["weights"][row["parameter"]] = float(row["value"])
    return out


def load_countries() -> int:
    return taxonomy_writes.upsert_countries(
        {
            "code": row["code"],
            "name": row["name"],
            "iso2": row["iso2"],
            "kind": row["kind"],
            "eu27_2020": row["eu27_2020"] == "1",
            "efta": row["efta"] == "1",
        }
        for row in _fixture_rows("countries.csv")
    )


MAPPING_V1_NOTE = (
    "Initial UNVERIFIED draft by the project team (fixtures/reference/ecosystem_nace_mapping.csv), "
    "derived from NACE descriptions, not the Commission's SWD(2021) 351 allocation table."
)


@transaction.atomic
def load_ecosystems() -> tuple[int, int]:
    """The 14 ecosystems (upserted) and, if no mapping version exists yet, mapping v1."""
    count = taxonomy_writes.upsert_ecosystems(
        {
            "slug": row["slug"],
            "name": row["name"],
            "short_name": row.get("short_name", ""),
            "description": row.get("description", ""),
            "order": int(row.get("order") or 0),
        }
        for row in _fixture_rows("ecosystems.csv")
    )
    rows = taxonomy_writes.seed_mapping(
        MAPPING_V1_NOTE,
        (
            {k: row[k] for k in ("ecosystem", "nace", "share", "confidence", "source_note")}
            for row in _fixture_rows("ecosystem_nace_mapping.csv")
        ),
    )
    return count, rows


CLUSTERS_V1_NOTE = (
    "Initial definitions by the project team (fixtures/reference/cluster_category_nace.csv): "
    "US traded clusters translated NAICS -> NACE divisions by linked NAICS count; emerging "
    "industries as judged division shares (approximations)."
)
THRESHOLDS_V1_NOTE = (
    "Initial thresholds: size top 10% and LQ >= 2 (European Cluster Observatory); wages per "
    "person employed >= the category's EU level and growth >= the EU's (our choice: the tool's "
    "cut-offs were never published); US rule p75/1.0/p25 (clustermapping.us)."
)


@transaction.atomic
def load_clusters(linkage: bool = True) -> dict[str, int]:
    """Cluster categories (upserted), definitions v1 and thresholds v1 (seeded only when no
    version exists: curators' versions win), and the US related-cluster links (replaced;
    from the mirror or the publisher, skipped with ``linkage=False``)."""
    categories = taxonomy_writes.upsert_cluster_categories(
        {
            "slug": row["slug"],
            "name": row["name"],
            "kind": row["kind"],
            "us_name": row["us_name"],
            "approximation": row["approximation"] == "1",
            "sbs_coverage": float(row["sbs_coverage"]),
            "description": row["description"],
            "order": int(row["order"]),
        }
        for row in _fixture_rows("cluster_categories.csv")
    )
    seeded = taxonomy_writes.seed_cluster_definitions(
        CLUSTERS_V1_NOTE,
        (
            {
                "category": r["category"],
                "nace": r["nace"],
                "weight": r["weight"],
                "traded_share": r["traded_share"],
                "naics_count": float(r["naics_count"]) if r["naics_count"] else None,
                "confidence": r["confidence"],
                "source_note": r["source_note"],
            }
            for r in _fixture_rows("cluster_category_nace.csv")
        ),
    )
    counts = {"categories": categories, "definition rows seeded": seeded}
    taxonomy_writes.seed_cluster_parameters(THRESHOLDS_V1_NOTE)
    if linkage:
        counts["links"] = load_cluster_linkage()
    return counts


def load_cluster_linkage() -> int:
    """The US related-cluster table, by US name onto our traded categories; replaced as a whole."""
    import io

    import pandas as pd

    raw = read_reference(REFERENCE_FILES["cluster_linkage"])
    if raw is None:
        return 0
    frame = pd.read_excel(io.BytesIO(raw), sheet_name=0)
    frame.columns = [str(c).strip() for c in frame.columns]
    return taxonomy_writes.replace_cluster_links(
        (str(r[0]).strip(), str(r[1]).strip(), str(r[2]).strip()) for r in frame.itertuples(index=False)
    )


def load_codelists() -> dict[str, int]:
    """Eurostat code lists (.dic): replaced per dimension, in one transaction each."""
    from .sources.eurostat import parse_dic

    counts = {}
    for name in CODELISTS:
        raw = read_dic(name)
        if raw is None:
            logger.warning("code list %s unavailable; validation of %s falls back to our places", name, name)
            continue
        counts[name] = taxonomy_writes.replace_code_labels(name, parse_dic(raw, f"{name}.dic"))
    return counts


def load_nace() -> int:
    """NACE Rev. 2 structure (with parents) plus Eurostat's aggregates from the nace_r2 code list."""
    from .sources.nace import aggregate_codes, parse_nace_structure

    raw = read_reference(REFERENCE_FILES["nace"])
    if raw is None:
        return 0
    frame = parse_nace_structure(raw, REFERENCE_FILES["nace"].mirror_path)
    dic = taxonomy.code_labels("nace_r2")
    aggregates = aggregate_codes(dic) if dic else None
    return taxonomy_writes.replace_activities(
        [
            {
                "code": r.code,
                "dotted": r.dotted,
                "level": r.level,
                "section": r.section,
                "name": r.name,
                "parent": r.parent,
            }
            for r in frame.itertuples(index=False)
        ],
        []
        if aggregates is None
        else [{"code": r.code, "name": r.name} for r in aggregates.itertuples(index=False)],
    )


@transaction.atomic
def load_regions() -> dict[str, int]:
    """NUTS regions in versions 2013, 2016, 2021 and the official change tables between them."""
    from .sources import nuts

    counts = {}
    loaders = [
        ("nuts2021", nuts.parse_nuts_2021_labels),
        ("nuts2016", nuts.parse_nuts_2016_tsv),
        ("nuts2013_2016", nuts.parse_nuts_2013_from_correspondence),
    ]
    for key, parser in loaders:
        raw = read_reference(REFERENCE_FILES[key])
        if raw is None:
            continue
        frame = parser(raw, REFERENCE_FILES[key].mirror_path)
        version = int(frame["version"].iloc[0])
        taxonomy_writes.replace_regions(
            version,
            (
                {"code": r.code, "level": int(r.level), "country": r.country, "name": r.name or ""}
                for r in frame.drop_duplicates("code").itertuples(index=False)
            ),
        )
        counts[f"regions {version}"] = len(frame)
    for key, versions in (("nuts2013_2016", (2013, 2016)), ("nuts2021_xlsx", (2016, 2021))):
        raw = read_reference(REFERENCE_FILES[key])
        if raw is None:
            continue
        changes = nuts.parse_nuts_changes(raw, REFERENCE_FILES[key].mirror_path, *versions)
        taxonomy_writes.replace_nuts_changes(
            *versions,
            (
                {"old_code": r.old_code, "new_code": r.new_code, "change": r.change, "note": r.note or ""}
                for r in changes.itertuples(index=False)
            ),
        )
        counts[f"changes {versions[0]}→{versions[1]}"] = len(changes)
    return counts


def converter_files() -> list[ReferenceFile]:
    """The 30 JRC matrices: levels 1-3, every pair of versions, older first."""
    names = [
        f"n{level}_cm_v{old}_v{new}.csv"
        for level in (1, 2, 3)
        for i, old in enumerate(JRC_VERSIONS)
        for new in JRC_VERSIONS[i + 1 :]
    ]
    return [ReferenceFile(f"reference/jrc_nuts_converter/{n}", JRC_CONVERTER + n) for n in names]


def load_nuts_converter() -> int:
    """The JRC NUTS converter matrices, replaced as a whole in one transaction.

    Every file is parsed before anything is written: a bad file raises ParseError and the
    table stays as it was. Files that cannot be reached are skipped (logged); nothing is
    replaced when none can.
    """
    from .sources.jrc_nuts import parse_converter

    frames = []
    for ref in converter_files():
        raw = read_reference(ref)
        if raw is None:
            logger.warning("NUTS converter file unavailable: %s", ref.mirror_path)
            continue
        frames.append(parse_converter(raw, ref.mirror_path))
    if not frames:
        return 0
    return taxonomy_writes.replace_nuts_conversions(r for f in frames for r in f.to_dict("records"))


def nuts_converter_frame(level: int = 2, to_version: int = 2021):
    """The converter as the compute functions take it: ``from_version, to_version, from_code,
    to_code, pop18`` (level ``level``, into ``to_version``). Empty when not loaded."""
    import pandas as pd

    columns = ["from_version", "to_version", "from_code", "to_code", "pop18"]
    return pd.DataFrame(taxonomy.nuts_conversion_rows(level, to_version, columns), columns=columns)


WIPO_FIELD_CODES = frozenset(f"W{n:02d}" for n in range(1, 36))


class TechnologyReferenceError(ValueError):
    """A reference fixture we wrote is inconsistent (nothing is loaded)."""


def check_technologies(technologies: list[dict], fields: list[dict]) -> list[str]:
    """Problems of technologies.csv + technology_wipo_fields.csv (empty list: consistent)."""
    problems = []
    slugs = [row["slug"] for row in technologies]
    if len(set(slugs)) != len(slugs):
        problems.append("technologies.csv: a slug is repeated")
    seen = set()
    for n, row in enumerate(fields, start=2):
        where = f"technology_wipo_fields.csv: line {n}"
        if row["technology"] not in slugs:
            problems.append(f"{where}: unknown technology {row['technology']!r}")
        if row["wipo_field"] not in WIPO_FIELD_CODES:
            problems.append(f"{where}: unknown WIPO field {row['wipo_field']!r} (W01…W35)")
        try:
            weight = float(row["weight"])
        except ValueError:
            weight = -1
        if not 0 < weight <= 1:
            problems.append(f"{where}: weight {row['weight']!r} is not in (0, 1]")
        if not row.get("reasoning", "").startswith("Ours"):
            problems.append(f"{where}: reasoning must start with 'Ours' (the weights are our judgment)")
        key = (row["technology"], row["wipo_field"])
        if key in seen:
            problems.append(f"{where}: {key} repeated")
        seen.add(key)
    for row in technologies:
        for code in filter(None, row.get("uptake", "").split(";")):
            if ":" not in code:
                problems.append(
                    f"technologies.csv: {row['slug']}: uptake code {code!r} is not source:measure"
                )
    return problems


@transaction.atomic
def load_technologies(technologies=None, fields=None) -> tuple[int, int]:
    """Our technology list and WIPO-field weights (upserted; fields replaced per technology).

    Tags curators added in the admin (not in the file) are kept as they are.
    """
    from observatory.models import Technology, TechnologyField

    technologies = technologies if technologies is not None else _fixture_rows("technologies.csv")
    fields = fields if fields is not None else _fixture_rows("technology_wipo_fields.csv")
    problems = check_technologies(technologies, fields)
    if problems:
        raise TechnologyReferenceError("; ".join(problems))
    for row in technologies:
        tech, _ = Technology.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "definition": row["definition"],
                "order": int(row["order"] or 0),
                "uptake": [c.strip() for c in row.get("uptake", "").split(";") if c.strip()],
                "uptake_note": row.get("uptake_note", ""),
                "curated": True,
            },
        )
        tech.fields.all().delete()
        TechnologyField.objects.bulk_create(
            TechnologyField(
                technology=tech, wipo_field=f["wipo_field"], weight=f["weight"], reasoning=f["reasoning"]
            )
            for f in fields
            if f["technology"] == row["slug"]
        )
    from .loading import bump_generation

    bump_generation()  # the technology pages are cached by data generation
    return len(technologies), len(fields)


def load_all() -> list[str]:
    """Everything, in dependency order; returns human-readable lines for the command's output."""
    lines = [f"countries: {load_countries()}"]
    technologies, weights = load_technologies()
    lines.append(f"technologies: {technologies} with {weights} WIPO-field weights")
    ecosystems, mapping_rows = load_ecosystems()
    lines.append(f"ecosystems: {ecosystems}; mapping rows seeded: {mapping_rows or 'kept existing versions'}")
    clusters = load_clusters()
    lines.append("clusters: " + ", ".join(f"{k} {v}" for k, v in clusters.items()))
    codelists = load_codelists()
    lines.append("code lists: " + (", ".join(f"{k} {v}" for k, v in codelists.items()) or "none reachable"))
    lines.append(f"NACE activities: {load_nace()}")
    regions = load_regions()
    lines.append("NUTS: " + (", ".join(f"{k} {v}" for k, v in regions.items()) or "none reachable"))
    lines.append(f"NUTS converter overlaps (JRC): {load_nuts_converter() or 'none reachable'}")
    from .screen import load_country_groups

    lines.append(f"supplier-risk country groups seeded: {load_country_groups() or 'kept existing versions'}")
    from .input_concordance import load_ecosystem_inputs

    lines.append(
        f"input concordance rows seeded (ours): {load_ecosystem_inputs() or 'kept existing versions'}"
    )
    return lines


def mirror_description() -> str:
    root = fetching.mirror_root()
    return f"mirror {Path(root)}" if root else "no mirror configured (publishers' URLs)"
