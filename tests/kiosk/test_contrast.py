"""``kiosk.contrast``: WCAG relative luminance and contrast ratios, against published values."""

from __future__ import annotations

import pytest

from kiosk.contrast import contrast, luminance, rgb


def test_black_and_white_are_21_to_1_either_way_round():
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#FFFFFF", "#000000") == pytest.approx(21.0)
    assert contrast("#4C6272", "#4C6272") == 1.0


@pytest.mark.parametrize(
    ("first", "second", "ratio"),
    [
        ("#767676", "#FFFFFF", 4.54),  # the lightest grey that passes 4.5:1 on white
        ("#005EB8", "#FFFFFF", 6.37),  # NHS Blue on white
        ("#FFEB3B", "#FFFFFF", 1.22),  # the old focus ring on a white card: invisible
        ("#AEB7BD", "#F0F4F5", 1.84),  # the old chip border on the page
        ("#212B32", "#000000", 1.46),  # the old face outline on high contrast's black
        ("#FFEB3B", "#212B32", 11.81),  # the focus ring's two bands
    ],
)
def test_known_ratios(first, second, ratio):
    assert contrast(first, second) == pytest.approx(ratio, abs=0.01)


def test_luminance_runs_from_black_to_white_and_takes_triples():
    assert luminance("#000000") == 0.0
    assert luminance((255, 255, 255)) == pytest.approx(1.0)
    assert rgb("#005eb8") == (0, 94, 184)
    with pytest.raises(ValueError, match="#RRGGBB"):
        rgb("#FFF")
