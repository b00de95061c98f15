"""The load drill's own checks (bench/drill_refresh_load.py) catch what they are meant to catch."""

import gzip

from bench.drill_refresh_load import PAGES, check_generations, figures, shifted

COUNTRY, ECOSYSTEM = PAGES.values()
TRUTH = {
    "7": {COUNTRY: ["100"], ECOSYSTEM: ["1.0"]},
    "8": {COUNTRY: ["101"], ECOSYSTEM: ["1.1"]},
}


def polls(*rows):
    return [(path, 200, generation, figs) for path, generation, figs in rows]


def test_pages_each_showing_their_generation_pass():
    seen = polls((COUNTRY, "7", ["100"]), (ECOSYSTEM, "7", ["1.0"]), (COUNTRY, "8", ["101"]))
    result = check_generations(seen, TRUTH)
    assert result["ok"] and result["generations_seen"] == ["7", "8"]


def test_a_page_mixing_generations_fails():
    seen = polls((COUNTRY, "7", ["100"]), (COUNTRY, "8", ["100"]), (ECOSYSTEM, "8", ["1.1"]))
    result = check_generations(seen, TRUTH)
    assert not result["ok"] and result["mixed_pages"] == 1


def test_a_generation_the_witness_never_saw_an_error_or_no_change_fails():
    assert check_generations(polls((COUNTRY, "7", ["100"]), (COUNTRY, "9", ["102"])), TRUTH)[
        "unverified_generations"
    ] == ["9"]
    assert not check_generations([(COUNTRY, 500, None, [])] + polls((COUNTRY, "8", ["101"])), TRUTH)["ok"]
    same = {"7": TRUTH["7"], "8": TRUTH["7"]}
    assert not check_generations(polls((COUNTRY, "7", ["100"]), (COUNTRY, "8", ["100"])), same)["ok"]


def test_figures_are_key_figures_and_table_cells():
    page = '<span class="kf-value">1,234 <abbr>p</abbr></span><table><td class="num">5&nbsp;%</td></table>'
    assert figures(page) == ["1,234 p", "5 %"]


def test_the_forced_vintage_shifts_persons_employed_only_and_keeps_flags():
    raw = gzip.compress(
        b"nace_r2,indic_sb,geo\\time\t2015 \t2014 \nC10,V16110,DE\t100 \t: c\nC10,V11110,DE\t7 \t8 p\n"
        b"C10,V16110,AT\t5 e\t6 \n"
    )
    lines = gzip.decompress(shifted(raw, 3)).decode().splitlines()
    assert lines[1] == "C10,V16110,DE\t103 \t: c"
    assert lines[2] == "C10,V11110,DE\t7 \t8 p"
    assert lines[3] == "C10,V16110,AT\t8 e\t9 "
