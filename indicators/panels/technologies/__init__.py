"""Page data for /technologies/ and /technologies/<slug>/ and the technology sections of the
country and ecosystem pages: generation from NCSES patent families, uptake from Eurostat ICT usage.

One module per page: :mod:`.overview` (/technologies/), :mod:`.detail` (/technologies/<slug>/),
:mod:`.sections` (the country and ecosystem pages' sections); shared names and helpers in
:mod:`.base`. Panels are the same plain dicts as in indicators.panels (figure, summary, data
table, source, API query). Everything reads stored indicator values through indicators.selectors
and is cached by data generation. The names callers use are re-exported here.
"""

from .base import technology
from .detail import detail
from .overview import overview
from .sections import country_section, ecosystem_section

__all__ = ["country_section", "detail", "ecosystem_section", "overview", "technology"]
