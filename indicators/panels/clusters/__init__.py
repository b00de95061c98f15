"""Page data for the cluster pages (/clusters/...): stars, the US strong rule and their badges.

The stars shown on a page are recomputed from the stored figures (cluster_emp, cluster_units,
cluster_lq, cluster_wage_ratio) with the same pure function as the stored values
(:func:`indicators.compute.clusters.assess`), for the threshold version in the URL, so every
badge can show its rule, cut-off, value and percentile. Cached by data generation.

One module per page: :mod:`.overview` (/clusters/), :mod:`.region` (/clusters/regions/<nuts>/),
:mod:`.category` (/clusters/categories/<slug>/ and the ecosystem page's categories),
:mod:`.strong` (strong clusters for other pages: matchmaking, value chains, ecosystem pairs);
reference data, the assessment, badges and strength in :mod:`.base`. The names callers use are
re-exported here.
"""

from .base import (
    METHODS,
    assessment,
    categories,
    category_map,
    parameter_sets,
    periods,
    resolve_parameters,
    resolve_period,
    rules,
)
from .category import categories_for_ecosystem, category
from .overview import overview
from .region import region
from .strong import assessed_strong_clusters, strong_clusters

__all__ = [
    "METHODS",
    "assessed_strong_clusters",
    "assessment",
    "categories",
    "categories_for_ecosystem",
    "category",
    "category_map",
    "overview",
    "parameter_sets",
    "periods",
    "region",
    "resolve_parameters",
    "resolve_period",
    "rules",
    "strong_clusters",
]
