"""The cut-down Chinese font still draws Chinese: every character of every ``zh-Hans.json``, the
commonest characters people type, all of GB2312 in both weights and every CJK Unified Ideograph
in the regular weight that comments are typed in, with no empty boxes and no system font."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter

import pytest
from PySide6.QtGui import QFont, QRawFont

from kiosk.font_subset import FAMILY, IDEOGRAPHS, characters, gb2312, survey_characters
from kiosk.resources import fonts_dir, surveys_dir
from kiosk.ui.fonts import BUNDLED, LATIN_FAMILY, MISSING, glyph_families, language_font

#: About 400 of the most frequent hanzi in written Chinese, then words a patient might write.
COMMON = (
    "的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出而要于就下得可你年生自会那后"
    "能对着事其里所去行过家十用发天如然作方成者多日都三小军二无同么经法当起与好看学进种将还分"
    "此心前面又定见只主没公从知使长现很样高已但实点开问最月回因头间动别山真正外工力几本把机名"
    "给新文明加次手全先两比话意应体路想部电打内太政西通再少等口东北表位利气万老常及平各美重信"
    "关即被向入什情化合相身教做物听感走结民理业原提命立水性系女代处解吃报书期干放员白场接安母"
    "父儿数光告达住直候病医院护士房饭菜厕所净吵睡觉痛药疼谢帮助照顾夜晚早午餐热冷舒服慢快耐心"
)
TYPED = [
    "护士们非常好，但是晚上太吵了，我睡不着。",
    "饭菜是凉的！等了两个小时才看到医生？",
    "谢谢大家的照顾（特别是7号病房）。",
    "醫院很乾淨",  # traditional characters, typed by someone from Hong Kong or Taiwan
]
REGULAR, BOLD = BUNDLED[FAMILY].files


@pytest.fixture(scope="module")
def faces(qapp) -> dict[str, QRawFont]:
    return {name: QRawFont(str(fonts_dir() / name), 32) for name in (REGULAR, BOLD)}


def _zh_strings() -> list[str]:
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    for path in sorted(surveys_dir().rglob("zh-Hans.json")):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return found


def _lacking(face: QRawFont, text: str) -> str:
    # By code point: PySide6 passes a one-character str as a QChar, wrongly past Latin-1.
    return "".join(sorted({ch for ch in text if not face.supportsCharacter(ord(ch))}))


def test_both_weights_have_every_character_of_every_chinese_survey_string(faces):
    # Line breaks are not drawn: they need no glyph.
    text = "".join(ch for ch in "".join(_zh_strings()) if unicodedata.category(ch) != "Cc")
    for name, face in faces.items():
        lacking = _lacking(face, text)
        assert not lacking, f"{name} lacks {lacking!r}: run python -m kiosk.font_subset"


def test_chinese_text_is_drawn_by_the_bundled_font_with_no_boxes(qapp):
    font = language_font(FAMILY)
    font.setPixelSize(32)
    for weight in (QFont.Weight.Normal, QFont.Weight.Bold):
        font.setWeight(weight)
        drawn: Counter[str] = Counter()
        # What patients type is drawn in the comment box's regular weight.
        typed = TYPED if weight == QFont.Weight.Normal else TYPED[:-1]
        for text in [COMMON, *typed, *_zh_strings()]:
            drawn += glyph_families(text, font)
        assert MISSING not in drawn
        assert set(drawn) <= {FAMILY, LATIN_FAMILY}, drawn
        assert drawn[FAMILY] > 400


def test_comments_typed_in_chinese_render_in_the_regular_weight(faces):
    ideographs = "".join(chr(code) for code in range(IDEOGRAPHS[0], IDEOGRAPHS[1] + 1))
    hanzi = "".join(sorted(gb2312()))
    assert len(hanzi) > 7000
    assert _lacking(faces[REGULAR], "".join(TYPED) + COMMON) == ""
    # The whole block, bar the few code points assigned after this font was made.
    assert len(_lacking(faces[REGULAR], ideographs)) < 50
    # Headings and buttons, in bold, have every character of GB2312.
    assert _lacking(faces[BOLD], hanzi + COMMON) == ""
    assert _lacking(faces[REGULAR], hanzi) == ""


def test_the_subset_keeps_what_the_tool_says(faces):
    regular, bold = characters("Regular", surveys_dir()), characters("Bold", surveys_dir())
    shown = {ch for ch in survey_characters(surveys_dir()) if ch.isprintable()}
    assert shown <= bold < regular
    assert "\u3000" in bold and "\n" not in bold  # the ideographic space is a glyph
    for face in faces.values():
        assert _lacking(face, "。，、（）「」！？：；Ａａ１ a7\u3000") == ""
