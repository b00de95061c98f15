"""The JRC NUTS converter as reference data: parser, loading into PostgreSQL, the compute frame."""

from pathlib import Path

import pytest

from ecosystems.models import NutsConversion
from indicators import fetch as fetching
from indicators import reference as ref
from indicators.sources.base import ParseError
from indicators.sources.jrc_nuts import parse_converter

HEADER = "code_v2013,code_v2021,uniqueID,areaKm,pop18,pop11,artif_surf18,artif_surf12\n"
GOOD = HEADER + "PL12,PL91,PL12PL91,6104.1,3030917.2,2891572.8,131601.0,123312.0\n"
GOOD += "PL12,PL92,PL12PL92,29454.4,2353802.9,2384428.5,190947.0,171039.0\n"
NAME = "reference/jrc_nuts_converter/n2_cm_v2013_v2021.csv"


def test_parse_converter_reads_versions_and_level_from_the_name():
    frame = parse_converter(GOOD.encode(), NAME)
    assert frame[["level", "from_version", "to_version", "from_code", "to_code"]].values.tolist() == [
        [2, 2013, 2021, "PL12", "PL91"],
        [2, 2013, 2021, "PL12", "PL92"],
    ]
    assert frame["pop18"].sum() == pytest.approx(3030917.2 + 2353802.9)


@pytest.mark.parametrize(
    ("text", "name", "message"),
    [
        (GOOD, "n2_cm_v2021_v2013.csv", "older first"),
        (GOOD, "pop.csv", "not a JRC converter file name"),
        (HEADER.replace("pop18,", ""), NAME, "missing column(s) pop18"),
        (HEADER + "PL1,PL91,x,1,1,1,1,1\n", NAME, "'PL1' is not a NUTS 2 code"),
        (HEADER + "PL12,PL91,x,1,-5,1,1,1\n", NAME, "pop18 '-5' is not a weight"),
        (GOOD + "PL12,PL91,x,1,1,1,1,1\n", NAME, "PL12->PL91 listed twice"),
    ],
)
def test_parse_converter_rejects_bad_input_naming_the_problem(text, name, message):
    with pytest.raises(ParseError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_converter(text.encode(), name)


@pytest.fixture
def offline(settings, raw_dir, monkeypatch):
    def no_network(url, *args, **kwargs):
        raise fetching.FetchError(f"{url}: offline in tests")

    monkeypatch.setattr(fetching, "download", no_network)
    return Path(settings.OBSERVATORY_DATA_MIRROR)


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.mark.django_db
def test_load_nuts_converter_loads_and_bad_file_changes_nothing(offline):
    write(offline, NAME, GOOD)
    assert ref.load_nuts_converter() == 2
    frame = ref.nuts_converter_frame(level=2, to_version=2021)
    assert frame.columns.tolist() == ["from_version", "to_version", "from_code", "to_code", "pop18"]
    assert sorted(frame["to_code"]) == ["PL91", "PL92"]
    assert ref.load_nuts_converter() == 2  # idempotent: replaced, not added
    write(offline, "reference/jrc_nuts_converter/n2_cm_v2006_v2021.csv", "code_v2006,code_v2021\nDE41,DE40\n")
    with pytest.raises(ParseError):
        ref.load_nuts_converter()
    assert NutsConversion.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.mirror
def test_load_nuts_converter_from_the_real_mirror(mirror):
    count = ref.load_nuts_converter()
    files = sorted((mirror / "reference" / "jrc_nuts_converter").glob("n*_cm_v*_v*.csv"))
    assert len(files) == 30
    assert count == sum(len(f.read_text().splitlines()) - 1 for f in files)
    frame = ref.nuts_converter_frame(level=2, to_version=2021)
    assert set(frame["from_version"]) == {2006, 2010, 2013, 2016}
    pl12 = frame[(frame["from_version"] == 2013) & (frame["from_code"] == "PL12")]
    assert sorted(pl12["to_code"]) == ["PL91", "PL92"]
