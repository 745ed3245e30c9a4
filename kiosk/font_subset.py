"""Cut Noto Sans CJK SC down to the characters a Chinese-speaking patient reads and types, for
the kiosk to bundle (the whole font is about 16 MB a weight; the budget for every font is 30 MB).

    python -m kiosk.font_subset SOURCE_DIR [--out resources/fonts]

SOURCE_DIR holds ``NotoSansCJK-Regular.ttc`` and ``NotoSansCJK-Bold.ttc``, as Debian's
``fonts-noto-cjk`` package installs them (``/usr/share/fonts/opentype/noto``; or
``apt-get download fonts-noto-cjk && dpkg -x fonts-noto-cjk_*.deb x`` and pass
``x/usr/share/fonts/opentype/noto``). Needs ``fontTools`` (the ``dev`` extra). Run it again
whenever a ``zh-Hans.json`` gains a character outside the set: ``tests/kiosk/test_font_subset.py``
fails until then, naming the characters.

What each weight keeps:

- Regular draws what patients type, so it keeps the whole CJK Unified Ideographs block (every
  hanzi in GBK, simplified and traditional), every character of GB2312 (its 6,763 hanzi, pinyin
  with tone marks, Greek, Cyrillic), CJK punctuation, full-width forms and Latin.
- Bold only draws the survey's own words (headings and buttons), so it keeps GB2312 and the
  rest, without the rarer ideographs.

Both keep every character of every ``zh-Hans.json`` under ``resources/surveys``. The family
name stays "Noto Sans CJK SC", which is what the survey files name.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

#: The family the subset keeps, and the face of it inside Debian's collections.
FAMILY = "Noto Sans CJK SC"
WEIGHTS = ("Regular", "Bold")
LANGUAGE = "zh-Hans"

#: Blocks every weight keeps whole: Latin for ward names and digits, general punctuation, CJK
#: symbols and punctuation (、。「」), and half- and full-width forms (，！？（）).
COMMON_RANGES = (
    (0x0020, 0x007E),
    (0x00A0, 0x00FF),
    (0x2000, 0x206F),
    (0x3000, 0x303F),
    (0xFF00, 0xFFEF),
)
#: CJK Unified Ideographs: what a patient may type, in Regular only.
IDEOGRAPHS = (0x4E00, 0x9FFF)


def gb2312() -> set[str]:
    """Every character of GB2312, the national standard for simplified Chinese text, from
    Python's own codec: the same set on every machine."""
    found: set[str] = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                found.update(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return found


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def survey_characters(surveys: Path) -> set[str]:
    """Every character of every ``zh-Hans.json`` below *surveys*."""
    found: set[str] = set()
    for path in sorted(surveys.rglob(f"{LANGUAGE}.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for text in _strings(data):
            found.update(text)
    return found


def _ranges(*ranges: tuple[int, int]) -> set[str]:
    return {chr(code) for start, end in ranges for code in range(start, end + 1)}


def characters(weight: str, surveys: Path) -> set[str]:
    """The characters *weight* keeps (see the module's docstring)."""
    keep = _ranges(*COMMON_RANGES) | gb2312() | survey_characters(surveys)
    if weight == "Regular":
        keep |= _ranges(IDEOGRAPHS)
    # Line breaks and other control characters have no glyph; spaces (U+3000) do.
    return {ch for ch in keep if unicodedata.category(ch) != "Cc"}


def subset(source: Path, target: Path, keep: Iterable[str]) -> None:
    """Write the SC face of the collection *source*, cut down to *keep*, as an OTF *target*."""
    from fontTools import subset as fonttools_subset
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(source))
    faces = [face for face in collection.fonts if face["name"].getDebugName(1) == FAMILY]
    if not faces:
        raise SystemExit(f"{source} has no '{FAMILY}' face: is it Debian's fonts-noto-cjk?")
    face = faces[0]
    options = fonttools_subset.Options()
    options.layout_features = ["*"]  # vertical forms, locl and proportional punctuation
    options.name_IDs = ["*"]  # the copyright and licence records stay with the font
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False  # the same inputs give the same bytes
    subsetter = fonttools_subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(ch) for ch in keep))
    subsetter.subset(face)
    _full_unicode_cmap(face)
    face.save(str(target))


def _full_unicode_cmap(face: Any) -> None:
    """Give *face* a format 12 character map beside its format 4 one.

    The subsetter keeps only format 4 when every character is in the Basic Multilingual Plane,
    but thousands of scattered hanzi overflow its 64 KB length field, and Qt then finds none of
    the characters past the overflow. Qt prefers format 12 (32-bit lengths) when there is one.
    """
    from fontTools.ttLib.tables._c_m_a_p import CmapSubtable

    mapping = face.getBestCmap()
    table = face["cmap"]
    table.tables = [t for t in table.tables if t.format != 12]
    for platform, encoding in ((0, 4), (3, 10)):
        subtable = CmapSubtable.newSubtable(12)
        subtable.platformID, subtable.platEncID, subtable.language = platform, encoding, 0
        subtable.cmap = dict(mapping)
        table.tables.append(subtable)
    table.tables.sort(key=lambda t: (t.platformID, t.platEncID, t.language))


def main(argv: list[str] | None = None) -> int:
    from kiosk.resources import fonts_dir, surveys_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source_dir", type=Path, help="folder with NotoSansCJK-*.ttc")
    parser.add_argument("--out", type=Path, default=fonts_dir(), help="where the fonts go")
    args = parser.parse_args(argv)
    for weight in WEIGHTS:
        source = args.source_dir / f"NotoSansCJK-{weight}.ttc"
        if not source.is_file():
            print(f"{source} is missing: pass the folder fonts-noto-cjk installs", file=sys.stderr)
            return 1
        keep = characters(weight, surveys_dir())
        target = args.out / f"NotoSansCJKsc-{weight}.otf"
        subset(source, target, keep)
        print(f"{target}: {len(keep)} characters, {target.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
