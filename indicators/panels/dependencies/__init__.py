"""Page data for the strategic-dependency screen: /dependencies/ and /dependencies/products/<code>/.

Reads the stored screen (indicators.screen writes it) through indicators.selectors; every panel
is a plain dict like the profile pages' (see indicators/panels/__init__.py), so exports, permalinks
and citations work the same way. The API behind every panel is /api/v1/dependencies/.

One module per page: :mod:`.screen` (/dependencies/), :mod:`.product` (one product),
:mod:`.summaries` (the country and ecosystem pages' summaries); shared helpers in :mod:`.base`.
The names callers use are re-exported here.
"""

from ...compute.dependencies import EU
from .base import RISK_GROUPS, SHOW, SORTS
from .product import product_page
from .screen import screen_page
from .summaries import summary_for

__all__ = ["EU", "RISK_GROUPS", "SHOW", "SORTS", "product_page", "screen_page", "summary_for"]
