"""Hand-made SBS-shaped files for the data-engine tests (the real format, tiny content).

The test universe: 3 countries (AT, DE, FR) plus EU27_2020 members' codes from fixtures, a
handful of NACE codes (the business-economy total, C25, G47, I55), years 2013–2014.
"""

import gzip

from ecosystems.models import CodeLabel

NACE = ["B-N_S95_X_K", "C", "C25", "C30", "G47", "I55", "J62"]
MEASURES = ["V11110", "V12110", "V12150", "V16110"]
GEOS = ["AT", "DE", "FR"]


def sbs_tsv(overrides: dict | None = None, years=("2014", "2013"), gz: bool = True) -> bytes:
    """An old-header Eurostat SBS bulk TSV. Cell value = a deterministic number per key,
    or overrides[(nace, measure, geo, year)] (a raw cell text such as ': c' or '12 e')."""
    overrides = overrides or {}
    lines = ["nace_r2,indic_sb,geo\\time\t" + "\t".join(f"{y} " for y in years)]
    for n_i, nace in enumerate(NACE):
        for m_i, measure in enumerate(MEASURES):
            for g_i, geo in enumerate(GEOS):
                cells = []
                for y in years:
                    base = 1000 * (10 if nace == "B-N_S95_X_K" else 1) * (g_i + 1) + 10 * n_i + m_i
                    cells.append(overrides.get((nace, measure, geo, y), f"{base + int(y) - 2013} "))
                lines.append(f"{nace},{measure},{geo}\t" + "\t".join(cells))
    text = "\n".join(lines) + "\n"
    return gzip.compress(text.encode(), mtime=0) if gz else text.encode()


def load_codelists(extra_geo=()) -> None:
    """Code lists covering the test universe (what `load_reference` loads from Eurostat)."""
    rows = [("geo", g) for g in [*GEOS, "EU27_2020", *extra_geo]]
    rows += [("nace_r2", n) for n in NACE]
    rows += [("indic_sb", m) for m in MEASURES]
    CodeLabel.objects.bulk_create(
        [CodeLabel(dimension=d, code=c, label=f"{d} {c}") for d, c in rows], ignore_conflicts=True
    )
