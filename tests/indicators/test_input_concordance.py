"""Our input concordance (fixtures/reference/ecosystem_inputs.csv): the file is consistent and
covers the mirror's 66 screened products; the loader seeds each version once, rejects a bad file
naming the line and the reason, and writes nothing when any row is bad."""

import csv
import io
import os
from pathlib import Path

import pytest

from indicators.input_concordance import COLUMNS, InputConcordanceError, load_ecosystem_inputs, parse
from indicators.models import EcosystemInput, InputConcordanceVersion

ROOT = Path(__file__).resolve().parents[2]
FILE = ROOT / "fixtures" / "reference" / "ecosystem_inputs.csv"
EXTRACT = "reference/eurostat_comext_crm_imports/eu_comext_critical_inputs_cn8_2022_2024.csv"
REQUIRED = {
    "mobility-transport-automotive",
    "aerospace-defence",
    "electronics",
    "energy-renewables",
    "energy-intensive-industries",
    "digital",
}
GOOD = [
    "1,digital,81129289,GaN chips,high,Ours: because,JRC 2020",
    "1,electronics,81129281,ITO,medium,Ours: displays,CRM study 2023",
]


def _file(tmp_path, lines, header=None):
    header = header or ",".join(COLUMNS)
    path = tmp_path / "ecosystem_inputs.csv"
    path.write_text("# our note\n" + header + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def _fixture_rows():
    return list(csv.DictReader(line for line in FILE.open(encoding="utf-8") if not line.startswith("#")))


def test_the_fixture_is_ours_and_consistent():
    slugs = {
        r.split(",")[0] for r in (ROOT / "fixtures/reference/ecosystems.csv").read_text().splitlines()[1:]
    }
    rows = parse(FILE.read_text(encoding="utf-8"), slugs)
    assert {r["ecosystem"] for r in rows} >= REQUIRED
    assert all(r["reasoning"].startswith("Ours") and r["sources"] for r in rows)
    assert FILE.read_text(encoding="utf-8").startswith("# Written by us")


def test_the_fixture_covers_exactly_the_screened_products_of_the_mirror():
    mirror = Path(os.environ.get("OBSERVATORY_DATA_MIRROR", ROOT.parent / "shared" / "data"))
    if not (mirror / EXTRACT).is_file():
        pytest.skip(f"the Comext extract is not in the mirror ({mirror / EXTRACT})")
    with (mirror / EXTRACT).open(newline="", encoding="utf-8") as handle:
        screened = {r["PRODUCT_NC"] for r in csv.DictReader(handle)}
    used = {r["product"] for r in _fixture_rows()}
    assert len(screened) == 66
    assert used == screened  # every screened product is used by some ecosystem, none invented


def test_the_loader_seeds_each_version_once(reference):
    n = load_ecosystem_inputs()
    assert n == len(_fixture_rows()) == EcosystemInput.objects.count()
    assert load_ecosystem_inputs() == 0  # kept, not rewritten
    row = EcosystemInput.objects.get(
        version__number=1, ecosystem__slug="mobility-transport-automotive", product="28369100"
    )
    assert row.confidence == "high" and row.reasoning.startswith("Ours") and "JRC 2020" in row.sources
    v2 = InputConcordanceVersion.objects.get(number=2)
    assert "locator" in v2.note and "2530 90 40 read as lithium minerals" in v2.note  # the file's "# v2:"
    assert "Seeded from" in InputConcordanceVersion.objects.get(number=1).note


@pytest.mark.parametrize(
    "bad, reason",
    [
        ("1,nope,81129289,x,high,Ours: y,JRC", "unknown ecosystem 'nope'"),
        ("1,digital,8112928,x,high,Ours: y,JRC", "product '8112928' is not a CN8 code"),
        ("1,digital,81129295,x,sure,Ours: y,JRC", "confidence 'sure' is not one of high, medium, low"),
        ("1,digital,81129295,x,high,Because,JRC", "reasoning must start with 'Ours'"),
        ("1,digital,81129295,x,high,Ours: y,", "sources must name"),
        ("0,digital,81129295,x,high,Ours: y,JRC", "version '0' is not a whole number"),
        ("1,digital,81129289,again,high,Ours: y,JRC", "digital × 81129289 repeated in version 1"),
        ("1,digital,81129295,x,high", "expected 7 fields"),
        ("2,digital,81129295,x,high,Ours: y,JRC 2020 foresight", "source 'JRC 2020 foresight' has no"),
        ("2,digital,81129295,x,high,Ours: y,Somebody § p. 3", "source 'Somebody § p. 3' is not one of JRC"),
    ],
)
def test_a_bad_row_is_rejected_with_its_line_and_nothing_is_written(reference, tmp_path, bad, reason):
    path = _file(tmp_path, [*GOOD, bad])
    with pytest.raises(InputConcordanceError) as error:
        load_ecosystem_inputs(path)
    assert f"ecosystem_inputs.csv: line 5: {reason}" in str(error.value)  # note, header, 2 good rows
    assert not InputConcordanceVersion.objects.exists() and not EcosystemInput.objects.exists()


def test_a_wrong_header_is_rejected(reference, tmp_path):
    with pytest.raises(InputConcordanceError, match="line 2: header must be"):
        load_ecosystem_inputs(_file(tmp_path, GOOD, header="version,ecosystem,product"))
    assert not EcosystemInput.objects.exists()


def test_a_new_version_is_added_beside_the_old_one(reference, tmp_path):
    assert load_ecosystem_inputs(_file(tmp_path, GOOD)) == 2
    v2 = "2,digital,81129295,fibre,high,Ours: z,JRC 2020 foresight § technology section: digital technologies"
    assert load_ecosystem_inputs(_file(tmp_path, [*GOOD, v2])) == 1
    assert sorted(InputConcordanceVersion.objects.values_list("number", flat=True)) == [1, 2]
    from indicators.selectors import ecosystem_inputs

    current = ecosystem_inputs()
    assert current["version"] == 2 and [r["product"] for r in current["rows"]] == ["81129295"]


def test_parse_reads_quoted_fields():
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    writer.writerow([1, "digital", "81129289", "chips, 5G", "high", "Ours: a, b", "JRC 2020; CRM Act"])
    rows = parse(text.getvalue(), {"digital"})
    assert rows[0]["use"] == "chips, 5G" and rows[0]["version"] == 1


# --- version 2: every citation has a locator; the two CN 2023 split codes reviewed -------------


def test_every_citation_of_version_2_names_a_known_document_and_a_locator():
    from indicators.input_concordance import DOCUMENTS, citations

    rows = [r for r in _fixture_rows() if r["version"] == "2"]
    v1 = [r for r in _fixture_rows() if r["version"] == "1"]
    assert len(rows) == len(v1)  # v2 keeps every row of v1
    for r in rows:
        for c in citations(r["sources"]):
            assert c["document"] in DOCUMENTS, c
            assert c["locator"] or c["document"] == "ours", c


def test_citations_split_document_and_locator():
    from indicators.input_concordance import citations

    got = citations("CRM Act 2023 § Annex I, Section 1: lithium; JRC 2020 foresight (Li-ion batteries); x")
    assert [(c["document"], c["locator"], c["detail"]) for c in got] == [
        ("CRM Act 2023", "Annex I, Section 1: lithium", ""),
        ("JRC 2020 foresight", None, "Li-ion batteries"),  # version 1: the document only
        (None, None, ""),
    ]


def test_the_split_codes_reasoning_holds_against_the_raw_extract():
    """v2 reads 2530 90 40 as lithium minerals and 2530 90 50 as rare-earth ores from their
    partners; the figures its reasoning quotes, recomputed from the raw file with plain pandas."""
    import pandas as pd

    mirror = Path(os.environ.get("OBSERVATORY_DATA_MIRROR", ROOT.parent / "shared" / "data"))
    if not (mirror / EXTRACT).is_file():
        pytest.skip("the Comext extract is not in the mirror")
    raw = pd.read_csv(mirror / EXTRACT, dtype=str, keep_default_na=False)
    raw["v"] = raw["VALUE_IN_EUROS"].astype(float)
    extra = raw[~raw.PARTNER_ISO.isin(set(raw.DECLARANT_ISO))]

    def shares(code):
        rows = extra[extra.PRODUCT_NC.eq(code)]
        by = rows.groupby("PARTNER_ISO")["v"].sum()
        return rows["v"].sum(), by / by.sum(), rows.groupby("PERIOD")["v"].sum()

    rows = {
        r["product"]: r
        for r in _fixture_rows()
        if r["version"] == "2" and r["ecosystem"] == "mobility-transport-automotive"
    }
    total, share, by_year = shares("25309040")
    text = rows["25309040"]["reasoning"]
    assert f"EUR {total / 1e6:.0f} million" in text and f"{share['AU']:.0%} from Australia" in text
    assert f"{share['BR']:.0%} from Brazil" in text
    assert f"fell {1 - by_year['2024'] / by_year['2023']:.0%}" in text
    assert rows["25309040"]["confidence"] == "medium" and "lithium minerals" in rows["25309040"]["use"]
    total, share, _ = shares("25309050")
    text = rows["25309050"]["reasoning"]
    assert f"EUR {total / 1e6:.1f} million" in text and f"{share['IN']:.0%} from India" in text
    assert f"{share['CN']:.0%} from China" in text and share.idxmax() == "IN"
    assert rows["25309050"]["confidence"] == "low" and "rare-earth ores" in rows["25309050"]["use"]
