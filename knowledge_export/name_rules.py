"""Personal names: the case's contact and account, the swarm's own people, and names found by their context.

Known names are found whole (in any spacing and case, in Korean and in their romanised forms), and by
their parts only where a part is used as a name: a given name written as one, a part with an honorific
or a title ("민지님", "Ms. Field"), a distinctive part ("Acme"). A part that is an ordinary word ("river",
"field", "energy"; "하늘" by the morphological analyser) is never redacted alone. Names the case does not
know are found by context: a Korean name before a title or honorific (과장, 대리, 팀장, 고객, 님, 씨),
confirmed as a proper noun by the shared Korean analyser (`korean_analysis.analyser`, kiwipiepy; without
it, by the shape of a name: a family name and a given name, or a given name before a title); an English
name after a title, a greeting or in a signature.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from knowledge_export.detectors import Finding, RedactionKind
from knowledge_export.romanize import (
    LATIN_SURNAMES,
    SURNAMES,
    fold,
    folded_romanisation,
    korean_name_keys,
    latin_forms,
)
from korean_analysis import analyser

# Words that name the legal form, not the company: "Acme GmbH" is found as "Acme" too, "GmbH" alone is not.
LEGAL_FORMS = frozenset(
    [
        "inc", "inc.", "ltd", "ltd.", "llc", "gmbh", "ag", "sa", "s.a.", "co", "co.", "corp", "corp.", "corporation",
        "company", "plc", "bv", "b.v.", "kk", "k.k.", "limited", "group", "holdings", "the", "and", "of", "주식회사",
        "(주)", "㈜", "유한회사", "그룹",
    ]
)
# Ordinary English words that company, family and given names borrow: never redacted on their own.
COMMON_WORDS = frozenset(
    [
        "able", "air", "alpha", "amber", "apple", "art", "atlantic", "august", "auto", "autumn", "bay", "bell",
        "best", "bill", "bio", "bird", "black", "blue", "bold", "bridge", "bright", "brook", "brown", "cap",
        "capital", "care", "carter", "cash", "castle", "central", "chief", "city", "clean", "cliff", "cloud", "cook",
        "core", "cross", "crystal", "data", "dawn", "day", "dean", "delta", "design", "diamond", "digital", "direct",
        "dream", "east", "eco", "edge", "electric", "energy", "express", "fair", "faith", "fall", "field", "fire",
        "first", "forest", "fox", "frank", "fresh", "frost", "fuel", "future", "garden", "gate", "general", "glen",
        "global", "gold", "golden", "good", "grace", "grand", "gray", "great", "green", "grey", "guard", "hall",
        "happy", "hardy", "harbor", "head", "health", "heath", "hill", "hills", "holly", "home", "honest", "hope",
        "house", "hunter", "industries", "international", "iron", "island", "ivy", "jade", "joy", "june", "key",
        "king", "lake", "lane", "life", "light", "lily", "link", "little", "lock", "long", "love", "lucky", "major",
        "mark", "marsh", "mason", "master", "may", "media", "medical", "micro", "mill", "miller", "mobile", "motor",
        "motors", "mountain", "nano", "national", "net", "network", "networks", "new", "night", "noble", "north",
        "nova", "ocean", "oil", "omega", "one", "online", "orange", "pacific", "page", "park", "partners", "peak",
        "pearl", "pine", "plus", "port", "porter", "power", "price", "prime", "pro", "pure", "rain", "rich", "ridge",
        "river", "rock", "rose", "royal", "ruby", "sea", "service", "services", "sharp", "shield", "silver", "sky",
        "small", "smart", "snow", "software", "solar", "solutions", "south", "space", "spring", "star", "steel",
        "sterling", "stone", "storm", "street", "studio", "summer", "summit", "sun", "sweet", "swift", "systems",
        "tech", "technologies", "top", "tower", "trust", "turner", "united", "valley", "victor", "vision", "walker",
        "wall", "ward", "water", "web", "well", "wells", "west", "white", "will", "wind", "winter", "wise", "wolf",
        "wood", "woods", "works", "young", "song", "moon", "son", "ha", "an", "bang", "do", "so", "ma", "ban", "ok",
        "in", "go", "agent", "admin", "engineer", "manager", "team", "support", "desk", "center", "centre",
        "service", "customer", "user", "owner", "lead", "staff",
    ]
)
_TITLES_KO = (
    r"(?:고객|과장|대리|팀장|부장|차장|사원|주임|실장|이사|대표|매니저|선임|책임|수석|연구원|엔지니어|프로|선생|교수|상무|전무|사장|"
    r"본부장|센터장|파트장|담당자|님|씨)님?"
)
_PARTICLE_WORDS = r"께서|께|에게|한테|이|가|은|는|을|를|의|와|과|도|만|로|이랑|랑|들"
_PARTICLE = rf"(?:{_PARTICLE_WORDS})?"
# A title ends the word, or a particle follows it: "대리가", "팀장님께서"; "대리점", "고객센터", "씨앗" are words.
_WORD_END = rf"(?=(?:{_PARTICLE_WORDS})*(?![가-힣]))"
_KOREAN_BEFORE_TITLE = re.compile(rf"(?<![가-힣])(?P<name>[가-힣]{{2,4}})\s?(?:{_TITLES_KO}){_WORD_END}")
_KOREAN_AFTER_LABEL = re.compile(
    rf"(?:고객|담당자|담당|작성자|요청자|문의자|성함|이름|성명|연락\s?담당)\s*[:：]?\s*(?P<name>[가-힣]{{3}}){_PARTICLE}(?![가-힣])"
)
_KOREAN_SELF = re.compile(r"(?<![가-힣])(?P<name>[가-힣]{3,4})\s?(?:입니다|이에요|예요|드림|올림|배상)")
_EN_NAME = r"(?:O'|Mc|Mac)?[A-Z][a-z]+(?:[-'][A-Za-z][a-z]+)?"
_EN_TITLED = re.compile(
    rf"(?<![A-Za-z])(?:Mr|Ms|Mrs|Miss|Mx|Dr|Prof|Sir|Madam)\.?\s+(?P<name>{_EN_NAME}(?:\s{_EN_NAME})?)"
)
_EN_GREETED = re.compile(
    rf"(?<![A-Za-z])(?:Hi|Hello|Hey|Dear|Thanks|Thank you|Cheers|Regards|Best regards|Kind regards|Many thanks|"
    rf"Sincerely|Best)(?:,\s*|\s+)(?P<name>{_EN_NAME}(?:\s{_EN_NAME})?)(?=\s*[,.!:\n]|\s*$)"
)
_EN_SIGNATURE = re.compile(
    rf"^\s*(?:--|—|Thanks|Thank you|Regards|Best regards|Kind regards|Best|Cheers|Sincerely|Many thanks|감사합니다|"
    rf"고맙습니다)[,.!]*\s*\n\s*(?P<name>{_EN_NAME}(?:\s{_EN_NAME}){{0,2}}|[가-힣]{{2,4}})\s*$",
    re.M,
)
_EN_ROLE = re.compile(
    rf"(?<![A-Za-z])(?:[Cc]ontact(?: person)?|[Rr]eported by|[Cc]aller|[Cc]ustomer|[Rr]equester|[Ss]ubmitted by|"
    rf"[Aa]ssigned to|[Ee]ngineer|[Tt]echnician|[Nn]ame|[Cc]c|[Ss]poke (?:to|with)|[Cc]alled)\s*:?\s+"
    rf"(?P<name>{_EN_NAME}\s{_EN_NAME})"
)
# A romanised Korean name with its hyphenated given name ("Jae-won Choi", "Kim Min-ji") needs no context.
_SURNAME_ALT = "|".join(sorted(LATIN_SURNAMES, key=len, reverse=True))
_ROMANISED_KOREAN = re.compile(
    rf"(?<![A-Za-z])(?:(?:{_SURNAME_ALT})\s+[A-Z][a-z]{{1,5}}-[a-z]{{2,5}}|[A-Z][a-z]{{1,5}}-[a-z]{{2,5}}\s+(?:{_SURNAME_ALT}))"
    rf"(?![A-Za-z])"
)
_NOT_GREETED = frozenset(
    ["all", "team", "everyone", "support", "there", "guys", "folks", "both", "again", "sir", "madam", "mr", "ms",
     "mrs", "miss", "mx", "dr", "prof"]
)
_NOT_NAMES = COMMON_WORDS | frozenset(
    ["success", "portal", "account", "help", "the", "ops", "it", "sales", "engineering", "product"]
)
_HONORIFIC_AFTER = re.compile(rf"\s?(?:{_TITLES_KO}){_WORD_END}")
_SURNAME_RUN = re.compile(rf"(?<![가-힣])[{''.join(sorted(SURNAMES))}][가-힣]{{2,3}}")
_GIVEN_BEFORE_TITLE = re.compile(rf"(?<![가-힣])(?P<name>[가-힣]{{2}})\s?(?:{_TITLES_KO}){_WORD_END}")
_TITLE_BEFORE = re.compile(
    r"(?:(?:Mr|Ms|Mrs|Miss|Mx|Dr|Prof|Dear|Hi|Hello|Hey|Thanks|Cheers|Regards)\.?,?|(?:고객|담당자|담당|성함|이름)\s*[:：]?)\s+$"
)


@dataclass(frozen=True, slots=True)
class _Part:
    canonical: str  # the full name the part belongs to: one placeholder for all of its forms
    anywhere: bool  # a distinctive part (or a given name): redacted without context


class NameFinder:
    """Finds the given names (and their parts and forms) and the names that context reveals in a text."""

    def __init__(self, names: Iterable[str]) -> None:
        self._wholes: dict[str, str] = {}  # folded form -> canonical
        self._parts: dict[str, _Part] = {}
        self._hangul_keys: dict[tuple[str, str], str] = {}  # (family, given) of romanised names -> canonical
        self._forms: set[str] = set()  # every written form to look for
        for raw in names:
            name = " ".join((raw or "").split())
            if len(name) >= 2 and name.casefold() not in self._wholes:
                self._add(name)
        forms = sorted({*self._forms}, key=len, reverse=True)
        alternation = "|".join(_spelled(form) for form in forms)
        self._pattern = re.compile(rf"(?<![A-Za-z0-9_])(?:{alternation})(?![A-Za-z0-9_])", re.I) if forms else None

    def _whole(self, form: str, canonical: str) -> None:
        self._wholes.setdefault(_key(form), canonical)
        self._forms.add(form)

    def _add(self, name: str) -> None:
        self._whole(name, name)
        if re.fullmatch(r"[가-힣]{3,4}", name) and name[0] in SURNAMES:
            for form in latin_forms(name):
                self._whole(form, name)
            self._add_part(name[1:], name, korean=True)
            return
        words = [w.strip(",.()") for w in name.split()]
        kept = [w for w in words if len(w) >= 2 and w.casefold() not in LEGAL_FORMS and not w.isdigit()]
        if len(words) == 2 and all(re.fullmatch(r"[A-Za-z'-]+", w) for w in words):
            self._whole(f"{words[1]} {words[0]}", name)  # "Park Mina" for "Mina Park"
            self._remember_romanised(words, name)
        if len(words) == 1 and not kept:
            return
        for word in kept:
            if len(kept) == 1 and len(words) == 1:
                break  # a one-word name is found whole
            self._add_part(word, name, korean=bool(re.search("[가-힣]", word)))

    def _add_part(self, word: str, canonical: str, *, korean: bool) -> None:
        if _key(word) in self._wholes or _key(word) in self._parts:
            return
        anywhere = not ordinary_korean_word(word) if korean else word.casefold() not in COMMON_WORDS
        self._parts[_key(word)] = _Part(canonical, anywhere)
        self._forms.add(word)

    def _remember_romanised(self, words: list[str], canonical: str) -> None:
        """A Latin name that may be a romanised Korean one: remember its (family, given) to find it in Hangul."""
        for family, given in ((words[0], words[1]), (words[1], words[0])):
            self._hangul_keys[(fold(family), fold(given))] = canonical

    def find(self, text: str) -> Iterator[Finding]:
        if self._pattern is not None:
            yield from self._known(text)
        if self._hangul_keys:
            yield from self._romanised_in_hangul(text)
        yield from find_contextual_names(text)

    def _known(self, text: str) -> Iterator[Finding]:
        for match in self._pattern.finditer(text):
            key = _key(match.group())
            if key in self._wholes:
                yield Finding(match.start(), match.end(), RedactionKind.NAME, self._wholes[key])
                continue
            part = self._parts.get(key)
            if part is not None and _used_as_name(text, match, part):
                yield Finding(match.start(), match.end(), RedactionKind.NAME, part.canonical)

    def _romanised_in_hangul(self, text: str) -> Iterator[Finding]:
        """Korean spellings of a romanised name: a full name anywhere, a given name before an honorific."""
        for match in _SURNAME_RUN.finditer(text):
            run = match.group()
            for length in (4, 3):
                candidate = run[:length]
                if len(candidate) < length:
                    continue
                keys = korean_name_keys(candidate)
                found = next((self._hangul_keys[k] for k in keys if k in self._hangul_keys), None)
                if found:
                    yield Finding(match.start(), match.start() + length, RedactionKind.NAME, found)
                    break
        for match in _GIVEN_BEFORE_TITLE.finditer(text):
            given = folded_romanisation(match.group("name"))
            found = next((c for (_, g), c in self._hangul_keys.items() if g == given), None)
            if found:
                yield Finding(match.start("name"), match.end("name"), RedactionKind.NAME, found)


def _key(text: str) -> str:
    """One key for "Kim Min-ji", "KIM MINJI" and "Kim Min ji"."""
    return re.sub(r"[\s-]+", "", text.casefold())


def _spelled(form: str) -> str:
    """A name as written in any case and spacing, a Latin word also split once by a space or hyphen."""
    words = []
    for word in form.split():
        if re.fullmatch(r"[A-Za-z]{4,}", word):
            words.append("|".join([re.escape(word)] + [f"{re.escape(word[:i])}[- ]{re.escape(word[i:])}"
                                                       for i in range(2, len(word) - 1)]))
            words[-1] = f"(?:{words[-1]})"
        else:
            words.append(re.escape(word).replace(r"\-", "[- ]?"))
    return r"[\s-]*".join(words)


def _used_as_name(text: str, match: re.Match[str], part: _Part) -> bool:
    """A part alone is a name with a title or honorific, or when it is distinctive and written as a name."""
    word = match.group()
    after = text[match.end() : match.end() + 12]
    before = text[max(0, match.start() - 12) : match.start()]
    if re.match("[가-힣]", word):
        preceded = re.search("[가-힣]$", before) is not None
        return not preceded and (part.anywhere or _HONORIFIC_AFTER.match(after) is not None)
    if _TITLE_BEFORE.search(before) or _HONORIFIC_AFTER.match(after):
        return True
    return part.anywhere and word[:1].isupper()  # "Dev" of "Lee Dev" is a name, "dev server" is not


# --- names the case does not know ---------------------------------------------------------------------


def find_contextual_names(text: str) -> Iterator[Finding]:
    """Korean names before titles (the Korean analyser decides); English names after titles, greetings, in
    signatures."""
    if re.search("[가-힣]", text):
        for pattern in (_KOREAN_BEFORE_TITLE, _KOREAN_AFTER_LABEL, _KOREAN_SELF):
            for match in pattern.finditer(text):
                name = match.group("name")
                if korean_person(name):
                    yield Finding(match.start("name"), match.end("name"), RedactionKind.NAME, name)
    for match in _ROMANISED_KOREAN.finditer(text):
        yield Finding(match.start(), match.end(), RedactionKind.NAME, match.group())
    for pattern in (_EN_TITLED, _EN_GREETED, _EN_SIGNATURE, _EN_ROLE):
        for match in pattern.finditer(text):
            name = match.group("name")
            words = name.split()
            if words[0].casefold() in _NOT_GREETED or any(w.casefold() in _NOT_NAMES for w in words):
                continue
            if re.fullmatch("[가-힣]+", name) and not korean_person(name):
                continue
            yield Finding(match.start("name"), match.end("name"), RedactionKind.NAME, name)


_NOT_PEOPLE = frozenset(
    ["고객", "고객사", "담당", "담당자", "관리자", "사용자", "개발자",
     "운영자", "기사", "엔지니어", "해당", "기존", "신규", "전체"]
)


# Without the analyser (kiwipiepy not installed), the shape of a name decides, and these lists keep ordinary
# words out: given names that are also common nouns (what the model reads as such; alone they need an
# honorific, like COMMON_WORDS in English), the endings of teams and places before a title ("기술팀 팀장"),
# and the two-syllable family names a four-syllable name starts with.
ORDINARY_KOREAN_WORDS = frozenset(
    """가을 겨울 고운 구름 구슬 기쁨 기적 나라 나무 노을 누리 다정 마루 물결 미소 믿음 바다 바람 보람 보배 보석
    봄비 사랑 새벽 새봄 새싹 소망 송이 시내 아름 아침 여름 여울 열매 영광 용기 우리 으뜸 은총 은혜 이슬 자랑 저녁
    정의 지혜 초롱 초원 축복 충성 파도 평화 하나 하늘 한결 한길 햇살 행복 호수 희망""".split()  # noqa: SIM905 - a word list reads better as text
)
_NOT_NAME_ENDINGS = ("팀", "실", "부", "센터", "지점", "본부", "업체", "공장", "현장", "사무소", "법인", "지사", "본사")
_TWO_SYLLABLE_SURNAMES = ("남궁", "황보", "제갈", "선우", "독고", "사공", "서문")


def _shaped_like_a_name(word: str) -> bool:
    """Without the analyser: a given name alone (before a title), a family name and a given name."""
    if word in ORDINARY_KOREAN_WORDS or word.endswith(_NOT_NAME_ENDINGS) or re.fullmatch(_TITLES_KO, word):
        return False
    if len(word) == 4:
        return word.startswith(_TWO_SYLLABLE_SURNAMES)
    return len(word) == 2 or (len(word) == 3 and word[0] in SURNAMES)


@functools.lru_cache(maxsize=4096)
def korean_person(word: str) -> bool:
    """Is this Hangul word (before a title) a person's name? The analyser must read a proper noun in it."""
    if word in _NOT_PEOPLE or len(word) < 2:
        return False
    tokens = analyser.morphemes(word)
    if not analyser.has_model():
        return _shaped_like_a_name(word)
    if any(t.tag == "NNP" for t in tokens):
        return True
    # An unknown three-syllable word starting with a family name: how most names the model has not seen read.
    return len(word) == 3 and word[0] in SURNAMES and len(tokens) == 1 and tokens[0].score < -18


@functools.lru_cache(maxsize=4096)
def ordinary_korean_word(word: str) -> bool:
    """Is this Hangul given name also an ordinary word ("하늘", "보람")? Then it needs an honorific."""
    tokens = analyser.morphemes(word)
    if not analyser.has_model():
        return word in ORDINARY_KOREAN_WORDS
    return not any(t.tag == "NNP" for t in tokens)
