"""The profile pages' test universe: the hand-made national SBS file (AT, DE, FR; 2013–2014) and
a hand-made regional file (AT11, AT12, DE21; same years), ingested and recomputed for real."""

import gzip
from pathlib import Path

from ecosystems.models import Region
from indicators import refresh
from tests.indicators.factories import load_codelists, sbs_tsv

ROOT = Path(__file__).resolve().parents[1]
REGIONS = {"AT11": "Burgenland", "AT12": "Niederösterreich", "DE21": "Oberbayern"}
REGIONAL_NACE = ["C25", "G47", "I55", "J62"]


def regional_tsv(years=("2014", "2013")) -> bytes:
    lines = ["nace_r2,indic_sb,geo\\time\t" + "\t".join(f"{y} " for y in years)]
    for r_i, geo in enumerate(REGIONS):
        for n_i, nace in enumerate(REGIONAL_NACE):
            for measure, scale in (("V16110", 100), ("V11210", 1)):
                cells = [f"{scale * (r_i + 1) * (n_i + 2) + int(y) - 2000} " for y in years]
                lines.append(f"{nace},{measure},{geo}\t" + "\t".join(cells))
    return gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0)


def load_profiles_universe(tmp_path):
    from django.core.cache import cache

    cache.clear()
    load_codelists(extra_geo=list(REGIONS) + ["AT1", "DE2"])
    from ecosystems.models import CodeLabel

    CodeLabel.objects.bulk_create(
        [CodeLabel(dimension="indic_sb", code="V11210", label="Local units")], ignore_conflicts=True
    )
    Region.objects.bulk_create(
        [
            Region(code=c, version=v, level=2, country=c[:2], name=n)
            for c, n in REGIONS.items()
            for v in (2013, 2021)
        ]
    )
    national = tmp_path / "sbs.tsv.gz"
    national.write_bytes(sbs_tsv())
    regional = tmp_path / "sbs_r.tsv.gz"
    regional.write_bytes(regional_tsv())
    outlines = ROOT / "fixtures" / "samples" / "nuts.geojson"  # hand-made: AT (level 0), AT13, EL52
    for source, path in (
        ("sbs_na_sca_r2", national),
        ("sbs_r_nuts06_r2", regional),
        ("nuts2021_rg_60m_l0", outlines),
    ):
        run = refresh.ingest(source, path=path)
        assert run.status == "succeeded", run.error
    run = refresh.recompute()
    assert run.status == "succeeded", run.error
