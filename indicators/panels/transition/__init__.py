"""Page data for /transition/ and the country and ecosystem pages' twin-transition panels.

Reads stored indicator values (indicators.selectors), cached by data generation; the figures
themselves are computed at recompute by indicators/compute/transition.py. The sensitivity table
re-runs the pure composite function on the stored components with the current parameters.

One module per section: :mod:`.scoreboard` (/transition/: scoreboard, quadrant, rankings,
trends), :mod:`.parameters` (composite weights and the sensitivity tables), :mod:`.places` (the
country page's panel and the ecosystem page's ETS and air-emission panels); the indicator lists
and source helpers in :mod:`.base`. The names callers use are re-exported here.
"""

from ...selectors import eu_members
from .base import SCOREBOARD, reference_year, source_line
from .parameters import parameters
from .places import country_transition, ecosystem_air, ecosystem_ets
from .scoreboard import RANKABLE, transition_overview

__all__ = [
    "eu_members",
    "RANKABLE",
    "SCOREBOARD",
    "country_transition",
    "ecosystem_air",
    "ecosystem_ets",
    "parameters",
    "reference_year",
    "source_line",
    "transition_overview",
]
