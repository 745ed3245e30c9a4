"""Safeguarding words are found where a word starts, whatever the case, in any script, and
marked for highlighting without ever turning the comment into markup."""

from __future__ import annotations

import pytest

from kiosk.config import DEFAULT_SAFEGUARDING_WORDS
from kiosk.staff_comments import mentions as kiosk_mentions
from sync.safeguarding import DEFAULT_WORDS, Run, marked, mentions


@pytest.mark.parametrize(
    "comment",
    [
        "He hit me",
        "Hit by a trolley",  # the start of the comment
        "they kept HITTING the bed",  # a longer word starting with it, in capitals
        "(hit) twice",  # after punctuation
        "I thought about self-harm",
        "I wanted to kill myself",
        "She was Abused",
        "“Unsafe” is how I felt",
    ],
)
def test_a_word_at_the_start_of_a_word_matches(comment):
    assert mentions(comment, DEFAULT_WORDS)


@pytest.mark.parametrize(
    "comment",
    [
        "The white sheets were clean",  # "hit" inside "white"
        "Nothing untoward: a chitchat with the nurse",
        "It was a safe place",  # "unsafe" is not "safe"
        "Everything was lovely",
        "",
    ],
)
def test_a_word_inside_another_word_does_not(comment):
    assert not mentions(comment, DEFAULT_WORDS)


def test_welsh_words_match_whatever_their_case():
    words = ["ofn", "camdriniaeth", "ŵyr"]
    assert mentions("Roedd gen i OFN yn y nos", words)
    assert mentions("Camdriniaeth gan aelod o staff", words)
    assert mentions("Daeth fy ŴYR i'm gweld", words)
    assert not mentions("Roedd y staff yn garedig", words)


def test_urdu_words_match_at_a_word_start_but_not_inside_a_word():
    fear = "خوف"
    assert mentions("مجھے رات کو خوف محسوس ہوا", [fear])  # "I felt fear at night"
    assert mentions("خوفزدہ تھا", [fear])  # "was frightened": it starts the word
    assert not mentions("میں بےخوف تھا", [fear])  # "I was fearless": inside the word


def test_a_vowel_mark_belongs_to_the_word_before_it():
    # An Arabic-script letter with a vowel mark (zer), then the word's letters: the mark is
    # part of the word, so the letters after it do not start a word.
    assert not mentions("بِخوف", ["خوف"])


def test_blank_words_match_nothing():
    assert not mentions("anything at all", ["", "  "])
    assert marked("anything", []) == [Run("anything", False)]


def test_marked_splits_the_comment_into_plain_and_highlighted_runs():
    runs = marked("I was HIT and felt unsafe; the white walls", DEFAULT_WORDS)
    assert runs == [
        Run("I was ", False),
        Run("HIT", True),
        Run(" and felt ", False),
        Run("unsafe", True),
        Run("; the white walls", False),
    ]
    assert "".join(run.text for run in runs) == "I was HIT and felt unsafe; the white walls"


def test_the_longest_word_is_highlighted_whole():
    assert marked("they abused him", DEFAULT_WORDS) == [
        Run("they ", False),
        Run("abused", True),
        Run(" him", False),
    ]
    assert marked("kill myself", ["kill", "kill myself"]) == [Run("kill myself", True)]


def test_a_word_of_the_list_after_a_false_start_is_still_found():
    # "white" holds "hit" (not a word start); "hitting" later in the line does start one.
    assert marked("white hitting", ["hit"]) == [
        Run("white ", False),
        Run("hit", True),
        Run("ting", False),
    ]


def test_the_kiosk_and_the_web_app_share_the_list_and_the_rule():
    assert DEFAULT_SAFEGUARDING_WORDS == DEFAULT_WORDS
    for comment in ("He hit me", "The white sheets", "SCARED at night", "self-harm"):
        assert kiosk_mentions(comment, DEFAULT_WORDS) == mentions(comment, DEFAULT_WORDS)
