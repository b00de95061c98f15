"""The load drill's own checks (bench/drill_refresh_load.py) catch what they are meant to catch."""

import gzip

from bench.drill_refresh_load import PAGES, check_generations, figures, shifted, state

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


HELD = {**TRUTH, "9/7": TRUTH["7"], "10/7": TRUTH["7"], "10": {COUNTRY: ["102"], ECOSYSTEM: ["1.2"]}}


def test_pages_held_on_the_old_generation_then_released_pass():
    seen = polls((COUNTRY, "7", ["100"]), (COUNTRY, "9/7", ["100"]), (ECOSYSTEM, "10/7", ["1.0"]))
    seen += polls((COUNTRY, "10", ["102"]), (ECOSYSTEM, "10", ["1.2"]))
    result = check_generations(seen, HELD)
    assert result["ok"] and result["generations_seen"] == ["7", "9/7", "10/7", "10"]


def test_new_figures_before_the_pages_are_released_or_a_hold_never_released_fail():
    early = {**HELD, "9/7": TRUTH["8"]}
    seen = polls((COUNTRY, "7", ["100"]), (COUNTRY, "9/7", ["101"]), (COUNTRY, "10", ["102"]))
    result = check_generations(seen, early)
    assert not result["ok"] and result["held_states_showing_new_figures"] == ["9/7"]
    stuck = {"7": TRUTH["7"], "9/7": TRUTH["8"]}
    result = check_generations(polls((COUNTRY, "7", ["100"]), (COUNTRY, "9/7", ["101"])), stuck)
    assert not result["ok"] and not result["released"]


def test_a_state_is_the_data_generation_and_the_held_one():
    assert state("8") == state("8", None) == state(8, 8) == "8"
    assert state("8", "5") == "8/5"
