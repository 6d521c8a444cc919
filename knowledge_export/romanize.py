"""Korean personal names in Latin letters, so "김민지" is found as "Minji Kim" and the reverse.

Names are romanised syllable by syllable (Revised Romanisation, as passports mostly are), and compared
through `fold`, which merges the spellings people actually use ("Jeong"/"Jung", "Hyeon"/"Hyun",
"Gyeong"/"Kyung", "Seo"/"Suh"). Family names have their customary spellings ("Lee", "Park", "Choi").
"""

from __future__ import annotations

import functools
import re

_INITIALS = ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"]
_VOWELS = ["a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu",
           "eu", "ui", "i"]
_FINALS = ["", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t",
           "ng", "t", "t", "k", "t", "p", "t"]

# Customary spellings of family names, beyond their Revised Romanisation.
_FAMILY = {
    "김": "kim gim", "이": "lee yi rhee rhie i ri", "박": "park pak bak", "최": "choi choe", "정": "jung jeong chung",
    "강": "kang gang", "조": "cho jo", "윤": "yoon yun", "장": "jang chang", "임": "lim im", "한": "han",
    "오": "oh o", "서": "seo suh", "신": "shin sin", "권": "kwon gwon", "황": "hwang", "안": "ahn an",
    "송": "song", "류": "ryu yoo yu", "유": "yoo yu", "전": "jeon jun chun", "홍": "hong", "고": "ko go",
    "문": "moon mun", "양": "yang", "손": "son sohn", "배": "bae", "백": "baek paek", "허": "heo huh",
    "남": "nam", "노": "noh roh no", "하": "ha", "곽": "kwak gwak", "성": "sung seong", "차": "cha",
    "주": "joo ju", "우": "woo u", "구": "koo gu", "민": "min", "진": "jin", "지": "ji", "엄": "um eom",
    "채": "chae", "원": "won", "천": "cheon chun", "방": "bang", "공": "kong gong", "현": "hyun hyeon",
    "함": "ham", "변": "byun byeon", "염": "yeom yum", "여": "yeo", "추": "choo chu", "도": "do", "소": "so",
    "석": "seok suk", "선": "seon sun", "설": "seol sul", "마": "ma", "길": "gil kil", "연": "yeon yun",
    "위": "wi", "표": "pyo", "명": "myung myeong", "기": "ki gi", "반": "ban", "왕": "wang", "금": "keum geum",
    "옥": "ok", "육": "yook yuk", "인": "in", "맹": "maeng", "제": "je", "모": "mo", "탁": "tak", "국": "kook guk",
}
SURNAMES = frozenset(_FAMILY)
LATIN_SURNAMES = frozenset(s.capitalize() for spellings in _FAMILY.values() for s in spellings.split() if len(s) > 1)
_HANGUL_NAME = re.compile(r"[가-힣]{2,4}")


def romanise(hangul: str) -> str:
    """Revised Romanisation of each syllable, joined: "민지" → "minji"."""
    out = []
    for char in hangul:
        code = ord(char) - 0xAC00
        if not 0 <= code < 11172:
            out.append(char.lower())
            continue
        initial, vowel, final = code // 588, (code % 588) // 28, code % 28
        out.append(_INITIALS[initial] + _VOWELS[vowel] + _FINALS[final])
    return "".join(out)


@functools.lru_cache(maxsize=8192)
def folded_romanisation(hangul: str) -> str:
    return fold(romanise(hangul))


def fold(latin: str) -> str:
    """One spelling for the romanisations people use for the same Korean sounds."""
    text = re.sub(r"[^a-z]", "", latin.lower())
    for old, new in (("eo", "u"), ("oo", "u"), ("ou", "u"), ("ee", "i"), ("ui", "i"), ("oe", "oi"), ("wo", "wu"),
                     ("uh", "u"), ("oh", "o"), ("g", "k"), ("b", "p"), ("d", "t"), ("r", "l"), ("sh", "s")):
        text = text.replace(old, new)
    return text


def family_folds(hangul_family: str) -> frozenset[str]:
    spellings = [*_FAMILY.get(hangul_family, "").split(), romanise(hangul_family)]
    return frozenset(fold(s) for s in spellings if s)


def latin_forms(hangul_name: str) -> list[str]:
    """The Latin spellings to look for, given a Korean full name: "김민지" → "Kim Minji", "Minji Kim", …"""
    if not _HANGUL_NAME.fullmatch(hangul_name) or hangul_name[0] not in SURNAMES or len(hangul_name) > 4:
        return []
    family, given = hangul_name[0], hangul_name[1:]
    given_rr = romanise(given)
    syllables = [romanise(c) for c in given]
    givens = {given_rr, "-".join(syllables), " ".join(syllables)}
    families = _FAMILY[family].split()[:3]
    forms = []
    for f in families:
        for g in sorted(givens):
            forms += [f"{f} {g}", f"{g} {f}"]
    return forms


def folded_key(family: str, given: str) -> tuple[str, str]:
    return fold(family), fold(given)


@functools.lru_cache(maxsize=8192)
def korean_name_keys(hangul_name: str) -> frozenset[tuple[str, str]]:
    """(family, given) keys of a Korean full name, under every customary family spelling."""
    if len(hangul_name) < 2 or hangul_name[0] not in SURNAMES:
        return frozenset()
    given = folded_romanisation(hangul_name[1:])
    return frozenset((family, given) for family in family_folds(hangul_name[0]))
