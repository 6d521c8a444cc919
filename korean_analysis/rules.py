"""Korean words split without a model: a trailing particle or ending is cut off the stem by rule.

What the app does when kiwipiepy is not installed. The rules know the particles, the light verbs 하다 and
되다 with their common endings, the copula, the polite and past endings (`멈췄습니다`, `멈춰요` and
`멈춥니다` all give 멈추). A particle is cut only where it agrees with the syllable before it (이, 을, 은,
과, 으로 after a final consonant; 가, 를, 는, 와, 로 after none), so `게이트웨이` keeps its 이 and `충전이`
loses it. Everything else is one stem, tagged as a common noun.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Morpheme:
    """One morpheme: its form, its Sejong tag (NNG noun, VV verb, J… particle, E… ending, X… affix) and the
    analyser's log-probability of it (0 when split by rule)."""

    form: str
    tag: str
    score: float = 0.0


_AFTER_CONSONANT = ("으로부터", "으로는", "으로도", "으로", "이랑", "과", "은", "을", "이")
_AFTER_VOWEL = ("로부터", "로는", "로도", "로", "랑", "와", "는", "를", "가")
_AFTER_ANY = (
    "에서부터", "에게서", "한테서", "께서는", "께서도", "에서는", "에서도", "에서의", "에게는", "께서", "에서", "에게",
    "한테", "까지", "부터", "보다", "처럼", "마다", "밖에", "에는", "에도", "의", "도", "만", "에", "께",
)
_PARTICLES = tuple(sorted({*_AFTER_ANY, *_AFTER_CONSONANT, *_AFTER_VOWEL}, key=len, reverse=True))
# 하다, 되다, 시키다 and 드리다 after a noun ("실패했습니다", "연결됩니다", "문의드립니다"): each verb's forms.
_LIGHT_VERBS = {
    "하": {"하": ("", "다", "고", "는", "지", "면", "며", "여", "기", "게", "는데", "였", "였고", "였습니다", "였는데",
                 "였으나", "였음", "여야", "세요", "십시오", "려고"),
          "했": ("", "다", "고", "는데", "으나", "으며", "음", "습니다", "어요", "지만", "던"),
          "합": ("니다", "니까"), "해": ("", "서", "요", "도", "야", "주세요", "줘", "봤", "봤습니다", "보니"),
          "한": ("", "다", "데", "지"), "함": ("",)},
    "되": {"되": ("", "다", "고", "는", "지", "면", "며", "어", "어서", "었", "었고", "었습니다", "었는데", "었으나",
                 "었음", "기", "게", "는데", "나요", "요"),
          "됩": ("니다", "니까"), "됐": ("", "다", "고", "는데", "습니다", "어요", "음"),
          "돼": ("", "서", "요", "도", "야"), "된": ("", "다", "데", "지"), "됨": ("",)},
    "시키": {"시켰": ("", "습니다", "다", "고"), "시킵": ("니다",), "시키": ("", "고", "는", "면")},
    "드리": {"드립": ("니다",), "드려": ("", "요"), "드렸": ("", "습니다", "어요"), "드리": ("", "고", "며"),
           "드림": ("",)},
}
_LIGHT_VERB_FORMS = sorted(((form + ending, verb) for verb, forms in _LIGHT_VERBS.items()
                            for form, endings in forms.items() for ending in endings),
                           key=lambda pair: len(pair[0]), reverse=True)
_COPULA_ENDINGS = (
    "이었습니다", "였습니다", "입니다", "이에요", "이예요", "예요", "이었고", "이며", "인데", "이고", "이다",
)
_AUXILIARY_STEMS = frozenset({"않"})  # 하지 않습니다: "not", as the analyser reads it, says nothing alone
# Verb endings, and whether the stem before them must be in the past (final ㅆ): "다" ends 멈췄다, not 바다.
_VERB_ENDINGS = (("습니다", False), ("어요", False), ("아요", False), ("어서", False), ("아서", False),
                 ("는데", True), ("지만", True), ("어", True), ("다", True), ("고", True), ("음", True))
_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_VOWELS, _FINALS = 21, 28
_FINAL_RIEUL, _FINAL_BIEUP, _FINAL_SSANGSIOT = 8, 17, 20
# Contracted vowels back to the stem's: 춰 (추 + 어) → 추, 져 → 지, 돼 → 되, 봐 → 보.
_UNCONTRACTED = {"ㅝ": "ㅜ", "ㅕ": "ㅣ", "ㅙ": "ㅚ", "ㅘ": "ㅗ"}
_VOWEL_LETTERS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"


def split_word(word: str) -> tuple[Morpheme, ...]:
    """A Korean word as its stem and what was cut off it: `결제가` → 결제 + 가; `실패했습니다` → 실패 + 했습니다."""
    for form, verb in _LIGHT_VERB_FORMS:
        if word == form:
            return (Morpheme(verb, "VV"),)  # 됩니다 alone: the verb itself
        if word.endswith(form):
            return (*split_word(word[: -len(form)]), Morpheme(form, "XSV"))
    for ending in _COPULA_ENDINGS:
        if word.endswith(ending) and len(word) > len(ending):
            return (*_noun(word[: -len(ending)]), Morpheme(ending, "VCP"))
    for particle in _PARTICLES:
        stem = word[: -len(particle)]
        if word == particle:
            return (Morpheme(word, "J"),)
        if word.endswith(particle) and len(stem) >= _shortest_stem(particle) and _agrees(stem, particle):
            return (*_noun(stem), Morpheme(particle, "J"))
    verb = _verb_stem(word)
    if verb:
        ending = word[len(verb):] if word.startswith(verb) else word[len(verb) - 1:]
        return (Morpheme(verb, "VX" if verb in _AUXILIARY_STEMS else "VV"), Morpheme(ending, "EF"))
    return _noun(word)


def _noun(stem: str) -> tuple[Morpheme, ...]:
    return (Morpheme(stem, "NNG"),)


def _shortest_stem(particle: str) -> int:
    """One syllable before a longer particle, or before one that needs a final consonant (`앱이`); two
    otherwise, so `추가` is not 추 + 가."""
    return 1 if len(particle) > 1 or particle in _AFTER_CONSONANT else 2


def _agrees(stem: str, particle: str) -> bool:
    final = _final(stem[-1])
    if particle in _AFTER_CONSONANT:
        return final > 0
    if particle.startswith("로") or particle == "랑":
        return final in (0, _FINAL_RIEUL) or final < 0  # 로 after a vowel, ㄹ, or a digit
    if particle in _AFTER_VOWEL:
        return final == 0
    return True


def _verb_stem(word: str) -> str:
    """`멈춥니다`, `멈췄습니다`, `멈춰요` → 멈추; `있습니다` → 있: the stem before a verb ending, or ""."""
    for ending, past_only in _VERB_ENDINGS:
        stem = word[: -len(ending)]
        if not word.endswith(ending) or not stem:
            continue
        past = _final(stem[-1]) == _FINAL_SSANGSIOT and stem[-1] != "있"  # 있 is a verb of its own
        if past:
            stem = stem[:-1] + _with_final(stem[-1], 0)
        if past or not past_only:
            return stem[:-1] + _uncontracted(stem[-1])
    if word.endswith("니다") and len(word) > 2 and _final(word[-3]) == _FINAL_BIEUP:
        return word[:-3] + _with_final(word[-3], 0)
    if word.endswith("요") and len(word) > 1 and _vowel(word[-2]) in _UNCONTRACTED:
        return word[:-2] + _uncontracted(word[-2])  # 멈춰요, 느려요, 봐요
    return ""


def _final(syllable: str) -> int:
    """The final consonant's index of a Hangul syllable (0: none); -1 for anything else."""
    code = ord(syllable)
    return (code - _HANGUL_FIRST) % _FINALS if _HANGUL_FIRST <= code <= _HANGUL_LAST else -1


def _vowel(syllable: str) -> str:
    code = ord(syllable) - _HANGUL_FIRST
    return _VOWEL_LETTERS[(code // _FINALS) % _VOWELS] if 0 <= code <= _HANGUL_LAST - _HANGUL_FIRST else ""


def _with_final(syllable: str, final: int) -> str:
    return chr(ord(syllable) - _final(syllable) + final) if _final(syllable) >= 0 else syllable


def _uncontracted(syllable: str) -> str:
    vowel = _vowel(syllable)
    if vowel not in _UNCONTRACTED or _final(syllable) != 0:
        return syllable
    code = ord(syllable) - _HANGUL_FIRST
    initial = code // (_VOWELS * _FINALS)
    return chr(_HANGUL_FIRST + (initial * _VOWELS + _VOWEL_LETTERS.index(_UNCONTRACTED[vowel])) * _FINALS)
