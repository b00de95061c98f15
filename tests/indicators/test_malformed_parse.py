"""Every malformed file of the corpus is refused by parse_bytes with a clear ParseError."""

from __future__ import annotations

import pytest

from indicators.sources.base import ParseError
from indicators.sources.detect import parse_bytes
from tests.indicators.malformed import CASES


def test_corpus_has_enough_distinct_cases():
    names = [name for name, _, _ in CASES]
    assert len(names) >= 22
    assert len(set(names)) == len(names)


@pytest.mark.parametrize(("name", "raw", "expected"), CASES, ids=[case[0] for case in CASES])
def test_parse_bytes_rejects_malformed_case(name, raw, expected):
    source = f"malformed/{name}"
    with pytest.raises(ParseError) as caught:
        parse_bytes(raw, source)
    err = caught.value
    assert expected in str(err)
    assert err.source == source
    assert str(err).startswith(f"{source}: ")
    assert err.reason in str(err)
