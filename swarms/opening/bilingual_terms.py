"""Korean support vocabulary with its English words, so a case reported in one language meets work
recorded in the other when texts are compared letter by letter (existing-work offers).

Not a translator: a glossary of the words support teams of energy equipment use every day (products,
parts, symptoms, actions), kept in one place so a team can add its own. `with_english(text)` appends
the English words of the Korean terms a text contains; English text is returned unchanged.
"""

from __future__ import annotations

import re

KO_EN: dict[str, str] = {
    # equipment and parts
    "인버터": "inverter", "배터리": "battery", "충전기": "charger", "전기차": "ev electric vehicle",
    "패널": "panel", "모듈": "module", "셀": "cell", "데이터로거": "datalogger logger", "로그박스": "logbox",
    "미터": "meter", "스마트미터": "smart meter", "계량기": "meter", "케이블": "cable", "커넥터": "connector",
    "퓨즈": "fuse", "릴레이": "relay", "팬": "fan", "필터": "filter", "센서": "sensor", "차단기": "breaker",
    "라우터": "router", "앱": "app", "포털": "portal", "웹": "web", "서버": "server", "펌웨어": "firmware fw",
    "소프트웨어": "software", "부트로더": "bootloader", "화면": "display screen", "디스플레이": "display",
    "시계": "clock", "구독": "subscription", "청구서": "invoice", "요금": "charge fee", "카드": "card",
    "보증": "warranty", "계정": "account", "비밀번호": "password", "와이파이": "wifi", "무선": "wireless",
    "외함": "enclosure", "단자": "terminal", "스트링": "string", "계통": "grid", "한전": "utility",
    # quantities and states
    "전압": "voltage", "전류": "current", "과전압": "over-voltage", "저전압": "under-voltage",
    "절연": "isolation insulation", "저항": "resistance", "지락": "ground fault", "온도": "temperature",
    "영하": "below freezing cold", "발전량": "energy yield production", "발전": "production",
    "충전": "charging charge", "방전": "discharge", "충전 상태": "state of charge soc", "용량": "capacity",
    "불균형": "imbalance", "통신": "communication", "연결": "connection", "소음": "noise", "속도": "speed",
    "시간": "time", "날짜": "date", "진행률": "progress", "정전": "outage power cut", "백업": "backup",
    "전원": "power", "수출 제한": "export limit", "송전": "export feed-in", "부하": "load",
    # symptoms and actions
    "오류": "error", "에러": "error", "경고": "warning", "알람": "alarm", "고장": "fault failure",
    "트립": "trip", "멈춤": "stuck stopped", "멈췄": "stuck stopped", "멈춥니다": "stuck stops",
    "끊김": "disconnect drop", "끊겨": "disconnected", "끊어": "disconnected", "안 됨": "not working fails",
    "실패": "failed failure", "초기화": "reset", "재시작": "restart reboot", "재부팅": "reboot",
    "업데이트": "update", "업그레이드": "upgrade", "설치": "install installation", "교체": "replace",
    "등록": "register registration", "로그인": "login sign in", "인식": "recognise accept",
    "두 번": "twice double", "중복": "duplicate double", "환불": "refund", "해지": "cancel",
    "누락": "missing", "비어": "missing empty", "제한": "limit limited", "느림": "slow", "빠짐": "missing",
    "떨어짐": "drops", "떨어져": "drops", "반복": "repeated", "증상": "symptom", "요청": "request",
    "문의": "question", "방법": "how to", "소리": "noise sound", "밤": "night", "아침": "morning", "비": "rain",
    "겨울": "winter", "그래프": "graph",
}

# Longest terms first, so "충전 상태" wins over "충전"; a term may carry Korean particles after it.
_TERMS = re.compile("|".join(re.escape(term) for term in sorted(KO_EN, key=len, reverse=True)))
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def with_english(text: str) -> str:
    """`text` followed by the English words of the Korean terms in it (nothing added to English text)."""
    if not text or not _HANGUL.search(text):
        return text
    words = dict.fromkeys(KO_EN[match.group(0)] for match in _TERMS.finditer(text))
    return f"{text}\n{' '.join(words)}" if words else text



def has_hangul(text: str) -> bool:
    return bool(_HANGUL.search(text or ""))
