"""How an unmarked swarm reads: which message is the cause, which the fix, and what is only chat.

Each message gets a score per section from cues in English and Korean; penalties keep out what looks
like a cause or a fix and is not: a question or a guess, a quoted error or log (a symptom), a pasted
release note or changelog, an idea someone answered with "that didn't help". A fix somebody then
confirms ("works now", "정상 동작합니다") scores higher. Scores are computed once per message, so a
10,000-message swarm is read in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge_export.text import list_items


class _Cue:
    """A regex with literal guards: the regex runs only when one guard is in the lowercased text, because
    Python's `re` tries every alternative at every position and a swarm has thousands of messages."""

    def __init__(self, pattern: str, guards: tuple[str, ...], flags: int = re.I) -> None:
        self.pattern = re.compile(pattern, flags)
        self.guard = re.compile("|".join(re.escape(guard) for guard in guards))  # literals only: a fast scan

    def search(self, text: str, lowered: str = "") -> re.Match[str] | None:
        if not self.guard.search(lowered or text.lower()):
            return None
        return self.pattern.search(text)


_RESOLUTION_CUES = _Cue(
    r"\bfixed (?:it )?(?:by|with)\b|\bthe fix\b|\bfix(?:ed)? (?:was|is)\b|\bresolved (?:by|with|it)\b|"
    r"\bworkaround\b|\bsolution\b|\bsolved\b|\bresolution\b|\bfixed\b|"
    r"해결 ?방법|해결했|해결하였|조치(?:했|하였|함|방법|완료)?|수정(?:했|됨|하였|완료)|복구(?:했|하였|완료)|우회",
    ("fix", "resolv", "workaround", "solution", "solved", "resolution", "해결", "조치", "수정", "복구", "우회"),
)
_ACTIONS = _Cue(
    r"\b(?:rolled back|roll(?:ing)? back|lowered|raised|increased|decreased|changed|replaced|reinstalled|"
    r"re-?flashed|flashed|upgraded|downgraded|updated|patched|restarted|rebooted|reset|cleared|purged|"
    r"disabled|enabled|re-?seated|swapped|set \w+ to|switched|uploaded|renewed|dropped|moved|pointed|added|"
    r"installed|deployed|rotated|reloaded|re-?indexed|ran a (?:full )?\w+|cleaned|recalibrated|limited|capped|"
    r"whitelisted|allow-?listed|removed|deleted|corrected|adjusted|migrated|now (?:use|uses|verify|"
    r"verifies|send|sends))\b|"
    r"롤백|낮췄|높였|변경(?:했|하였|하니|후)|교체(?:했|하였|후)|재설치|"
    r"업데이트(?:했|하였|후)|재부팅(?:했|하였|후)|초기화(?:했|하였|후)|비활성화|활성화(?:했|하였)|"
    r"올렸|내렸|설치했|설치하였|갱신|되돌리|보정|청소|재전송|배포",
    (
        "roll", "lower", "raise", "increas", "decreas", "chang", "replac", "install", "flash", "grad", "updat",
        "patch", "restart", "reboot", "reset", "clear", "purg", "abl", "seat", "swap", "set ", "switch", "upload",
        "renew", "drop", "mov", "point", "add", "deploy", "rotat", "load", "index", "ran ", "clean", "calibrat",
        "limit", "cap", "list", "remov", "delet", "correct", "adjust", "migrat", "now ",
        "롤백", "낮췄", "높였", "변경", "교체", "재설치", "업데이트", "재부팅", "초기화", "활성화",
        "올렸", "내렸", "설치", "갱신", "되돌리", "보정", "청소", "재전송", "배포",
    ),
)
_CAUSE_CUES = _Cue(
    r"\broot cause\b|\bcaused by\b|\bbecause\b|\bdue to\b|\bthe reason\b|\bturned out\b|\bturns out\b|"
    r"\bthe culprit\b|\bcause (?:is|was)\b|\bthe cause\b|\b(?:that|this|which) is why\b|\bthat'?s why\b|"
    r"\bhence\b|\bexplains?\b|\bbecause of\b|"
    r"원인(?:은|이|는)?|때문(?:에|입니다|이었|이네요)|탓(?:이|입니다)",
    ("cause", "because", "due to", "reason", "turn", "culprit", "why", "hence", "explain", "원인", "때문", "탓"),
)
_STRONG_CAUSE = re.compile(
    r"root cause|turned out|turns out|culprit|that'?s the (?:cause|reason)|원인은|이게 원인|이 원인"
)
_QUESTION = re.compile(r"[?？]\s*(?:[\U0001F300-\U0001FAFF\u2600-\u27BF]\s*)*$")
_HEDGE = _Cue(
    r"^\s*(?:maybe|perhaps|possibly|could it be|might be|i wonder|not sure|let'?s try|shall we|should we|"
    r"what if|any idea|anyone)\b|\b(?:might|may be|could be|probably|i guess|i suspect)\b|"
    r"혹시|아마|일까요|아닐까요|것 같(?:아요|습니다|은데)|해 ?볼까요|해 ?보죠|확인해 ?볼게요",
    (
        "maybe", "perhaps", "possibl", "could", "might", "wonder", "not sure", "let", "shall", "should", "what if",
        "any idea", "anyone", "may be", "probably", "guess", "suspect", "혹시", "아마", "일까요",
        "아닐까요", "것 같", "볼까요",
        "보죠", "볼게요",
    ),
)
_REFUTED = _Cue(
    r"\b(?:didn'?t help|did not help|no luck|no change|not it|not the (?:cause|issue|problem)|still (?:fails|failing|"
    r"broken|happening|the same|there|trips|errors?)|doesn'?t work|didn'?t work|same error|ruled out|wasn'?t it|"
    r"false alarm|unrelated)\b|"
    r"효과 ?(?:가 )?없|안 ?되(?:네요|요|습니다)|그대로(?:입니다|네요|예요)|여전히|아니(?:네요|었어요|었습니다)|"
    r"관계 ?없|무관",
    (
        "help", "luck", "change", "not it", "not the", "still", "work", "same error", "ruled out", "wasn",
        "false alarm", "unrelated", "효과", "안 되", "안되", "그대로", "여전히", "아니", "관계", "무관",
    ),
)
_CONFIRMED = _Cue(
    r"\b(?:works? now|working now|that (?:fixed|did) it|confirmed|resolved now|all good|back to normal|"
    r"no more (?:errors?|trips|alarms?)|gone|stable since|(?:works?|working|arriving|loads?|passing|pass) again|"
    r"(?:errors?|warnings?|alarms?|restarts?|drops?) (?:stopped|gone))\b|"
    r"해결(?:됐|되었|됨)|정상(?:입니다|이에요|화|적으로|으로)?|사라졌|확인(?:됐|되었)",
    (
        "work", "fixed it", "did it", "confirm", "resolved now", "all good", "normal", "no more", "gone", "again",
        "stopped",
        "stable", "해결", "정상", "사라졌", "확인",
    ),
)
_RELEASE_NOTE = _Cue(
    r"release ?notes?|change ?log|what'?s new|known issues?|patch ?notes?|릴리(?:스|즈) ?노트|패치 ?노트|변경 ?이력",
    ("release", "change", "what", "known issue", "patch", "릴리", "노트", "이력"),
)
_VERSION_HEADER = re.compile(r"^[ \t]*(?:#+[ \t]*)?v?\d+\.\d+(?:\.\d+)*[ \t]*(?:\(|[-–:]|$)", re.M)
# A pasted error or log: a quoted line, a code span or block, or a line shaped like a log or a stack trace.
_QUOTED = re.compile(
    r"(?m)^\s*>|`[^`]+`|^\s*(?:ERROR|WARN(?:ING)?|FATAL|Exception|Traceback|Caused by:|at [\w.$]+\(|"
    r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d)|\"[^\"]{12,}\"|“[^”]{12,}”",
)
_LOG_HINT = re.compile(r"ERROR|WARN|FATAL|Exception|Traceback|Caused by|\d{4}-\d\d-\d\d| at [\w.$]+\(")
_FILLER = re.compile(
    r"^(?:(?:ah+|oh+|ooh|aha|hm+|ok(?:ay)?|k|kk|cool|great|nice|awesome|perfect|sweet|thanks?(?: you)?(?: (?:all|"
    r"everyone|so much|a lot|guys|team))?|thx|ty|tysm|cheers|got it|makes sense|that explains it|"
    r"that makes sense|good (?:catch|call|find)|lgtm|\+1|will do|on it|sure|yes|yep|yeah|no worries|np|wow|lol|"
    r"haha|nice one|well done|good job|great work|amazing|brilliant|agreed|indeed|right|true|exactly|same|"
    r"done|noted|fixed|solved|resolved|it works|works|all good|"
    r"네+|넵|예|옙|아+|오+|아하|그렇군요|그렇네요|알겠습니다|알겠어요|확인했습니다|확인했어요|확인|좋아요|좋네요|굿|"
    r"감사합니다|감사해요|고맙습니다|고마워요|수고하셨습니다|수고하세요|수고 많으셨습니다|해결되었습니다|해결됐습니다|"
    r"해결됐네요|해결되었네요|해결|완료|완료했습니다|넵 감사합니다|ㅎ+|ㅋ+|대박)[\s,.!~]*)+$",
    re.I,
)
# Who was told what is the swarm's business, not the article's: "박서준 대리님께 설명드렸습니다", "told the customer".
_TOLD = re.compile(
    r"(?:안내|설명|전달|연락|공유|회신)\s*(?:드렸|드림|했|하였|완료|예정)|"
    r"\b(?:told|informed|emailed|called|notified|let)\s+(?:the\s+)?(?:customer|client|them|him|her|"
    r"\[NAME-\d+\])\b|\b(?:customer|client) (?:was|has been) (?:told|informed|notified|updated)\b",
    re.I,
)
_DECORATION = re.compile(r"[\U0001F300-\U0001FAFF\u2600-\u27BF\uFE0F\u200d]|:[a-z0-9_+'-]+:")
# A section label alone on its line ("Fix:", "해결 방법:"), or in front of its text.
SECTION_LABEL = re.compile(
    r"^\s*(?:\*\*|\*|_)?(?:root cause|cause|resolution|the fix|fix|solution|workaround|steps?|fix steps|key note|"
    r"note|notes|summary|원인|해결 ?방법|해결|조치 ?(?:방법|사항)?|단계|절차|참고|요약)(?:\*\*|\*|_)?\s*[:：]\s*",
    re.I,
)

RESOLUTION_THRESHOLD = 2.0
CAUSE_THRESHOLD = 2.0


@dataclass(frozen=True, slots=True)
class Scored:
    index: int
    cause: float
    resolution: float


def is_filler(text: str) -> bool:
    """Chat that says nothing an article could use: thanks, agreement, "Ah, that explains it.", "해결되었습니다 🙏"."""
    bare = " ".join(_DECORATION.sub(" ", text or "").split())
    return not bare or bool(_FILLER.match(bare))


def score_messages(texts: Sequence[str], authors: Sequence[str], owner: str = "", *, cause: bool = True,
                   resolution: bool = True) -> list[Scored]:
    """A cause and a resolution score per message (only the sections asked for); the caller picks the best
    above the thresholds. Penalties and the neighbours' answers are read only for messages with a cue."""
    count = len(texts)
    views = [_View(text) for text in texts]
    raw = [_resolution_score(v) for v in views] if resolution else [0.0] * count
    causes = [_cause_score(v) for v in views] if cause else [0.0] * count
    refuted: dict[int, bool] = {}
    confirmed: dict[int, bool] = {}

    def says_no(j: int) -> bool:
        if j not in refuted:
            refuted[j] = bool(_REFUTED.search(views[j].text, views[j].lowered))
        return refuted[j]

    def says_yes(j: int) -> bool:
        if j not in confirmed:
            confirmed[j] = bool(_CONFIRMED.search(views[j].text, views[j].lowered))
        return confirmed[j]

    scores = []
    for index, view in enumerate(views):
        if not raw[index] and not causes[index]:
            scores.append(Scored(index, 0.0, 0.0))
            continue
        later = range(index + 1, min(count, index + 3))  # "didn't help" or "works now" right after it
        answered_no = any(says_no(j) for j in later)
        base = _penalties(view, says_no(index)) - (5.0 if answered_no else 0.0) + 0.5 * index / max(count, 1)
        fix = raw[index]
        if fix:
            # A confirmation is a message that says it works without being a fix itself.
            answered_yes = any(says_yes(j) and raw[j] < RESOLUTION_THRESHOLD for j in later)
            fix += 3.0 if answered_yes else 1.0 if says_yes(index) else 0.0
            fix += 0.5 if owner and authors[index] == owner else 0.0
        scores.append(Scored(index, causes[index] + base if causes[index] else 0.0, fix + base if fix else 0.0))
    return scores


class _View:
    """One message as the cues read it: lowercased for the guards, and without quoted errors and logs."""

    __slots__ = ("lowered", "text", "unquoted", "unquoted_lowered")

    def __init__(self, text: str) -> None:
        self.text = text
        self.lowered = text.lower()
        self.unquoted = _QUOTED.sub(" ", text) if ("`" in text or ">" in text or '"' in text or "“" in text
                                                    or _LOG_HINT.search(text)) else text
        self.unquoted_lowered = self.unquoted.lower() if self.unquoted is not text else self.lowered


def _penalties(view: _View, refuted: bool) -> float:
    penalty = 0.0
    if _QUESTION.search(view.text):
        penalty -= 3.0
    elif _HEDGE.search(view.text, view.lowered):
        penalty -= 1.0 if _STRONG_CAUSE.search(view.unquoted_lowered) else 3.0
    if _RELEASE_NOTE.search(view.text, view.lowered) or _VERSION_HEADER.search(view.text):
        penalty -= 5.0
    if refuted:
        penalty -= 4.0
    return penalty


def _cause_score(view: _View) -> float:
    if not _CAUSE_CUES.search(view.unquoted, view.unquoted_lowered):
        return 0.0  # a cue only inside a quoted error or log is the symptom speaking, not the cause
    return 4.0 if _STRONG_CAUSE.search(view.unquoted_lowered) else 3.0


def _resolution_score(view: _View) -> float:
    score = 0.0
    if _RESOLUTION_CUES.search(view.unquoted, view.unquoted_lowered):
        score += 3.0
    if _ACTIONS.search(view.unquoted, view.unquoted_lowered):
        score += 2.0
    if "\n" in view.text and list_items(view.text):
        score += 1.5
    return score


def best(scored: Sequence[Scored], section: str, threshold: float) -> Scored | None:
    """The highest score above the threshold; a tie goes to the later message (where a swarm ends up)."""
    candidates = [s for s in scored if getattr(s, section) >= threshold]
    return max(candidates, key=lambda s: (getattr(s, section), s.index), default=None)


def prose_and_steps(text: str) -> tuple[str, list[str]]:
    """A message split into its prose (labels, list lines and filler sentences out) and its list items."""
    steps = list_items(text)
    prose_lines = []
    for line in text.split("\n"):
        if list_items(line):
            continue
        labelled = SECTION_LABEL.sub("", line, count=1).strip()
        line = labelled[:1].upper() + labelled[1:] if labelled != line.strip() else labelled
        if line and not is_filler(line):
            prose_lines.append(_drop_filler_sentences(line))
    return "\n".join(line for line in prose_lines if line).strip(), steps


def _drop_filler_sentences(line: str) -> str:
    from knowledge_export.text import sentences

    kept = [s for s in sentences(line) if not is_filler(s) and not _TOLD.search(s)]
    return " ".join(kept)
