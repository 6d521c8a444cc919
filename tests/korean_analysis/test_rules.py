"""Without kiwipiepy, Korean words are split by rule: the stem stays, particles and endings go."""

from __future__ import annotations

import pytest

from korean_analysis.rules import split_word


def stem(word: str) -> str:
    return split_word(word)[0].form


@pytest.mark.parametrize(("word", "expected"), [("결제가", "결제"), ("충전이", "충전"), ("업데이트를", "업데이트"),
                                                ("설정으로", "설정"), ("서버로", "서버"), ("80에서", "80"), ("앱이", "앱")])
def test_a_particle_that_agrees_with_the_syllable_before_it_is_cut(word, expected):
    assert stem(word) == expected


@pytest.mark.parametrize("word", ["게이트웨이", "추가", "필요", "바다", "펌웨어"])
def test_a_word_whose_last_syllable_only_looks_like_a_particle_stays_whole(word):
    assert split_word(word) == split_word(word)[:1] and stem(word) == word


def test_a_noun_with_a_light_verb_keeps_the_noun():
    assert [m.form for m in split_word("실패했습니다")] == ["실패", "했습니다"]
    assert split_word("연결됩니다")[1].tag == "XSV"


def test_past_present_and_polite_forms_of_one_verb_give_one_stem():
    assert {stem(w) for w in ("멈췄습니다", "멈춰요", "멈춥니다")} == {"멈추"}
    assert stem("사라졌어요") == "사라지"


def test_a_light_verb_alone_is_the_verb_and_not_is_an_auxiliary():
    assert [(m.form, m.tag) for m in split_word("됩니다")] == [("되", "VV")]
    assert split_word("않습니다")[0].tag == "VX"


def test_the_copula_is_cut_and_a_lone_particle_is_only_a_particle():
    assert stem("문제입니다") == "문제"
    assert [m.tag for m in split_word("에서")] == ["J"]
