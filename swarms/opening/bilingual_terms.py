"""Support vocabulary in Korean and English, so a case reported in one language meets work recorded in
the other (the offer of existing work, `swarms.opening.problem_similarity`).

Not a translator: a glossary of the words support desks use every day (equipment and parts, apps and
accounts, payments and deliveries, symptoms and actions), kept in one place so a team can add its own.
Korean terms become their English words (`to_english`); English words with the same meaning become one
word (`ENGLISH_SAME`), so "breaker trips" and "RCD trip" and "누전차단기가 떨어집니다" share words.
"""

from __future__ import annotations

import re

KO_EN: dict[str, str] = {
    # energy equipment and parts
    "인버터": "inverter", "배터리": "battery", "축전지": "battery", "충전기": "charger", "충전소": "charger",
    "전기차": "ev car", "차량": "car", "자동차": "car", "패널": "panel", "태양광": "solar", "모듈": "module",
    "셀": "cell", "데이터로거": "datalogger", "로거": "logger", "로그박스": "logbox", "미터": "meter",
    "스마트미터": "smart meter", "계량기": "meter", "전력량계": "meter", "케이블": "cable", "전선": "cable wire",
    "배선": "wiring", "커넥터": "connector", "플러그": "plug", "콘센트": "socket outlet", "퓨즈": "fuse",
    "릴레이": "relay", "팬": "fan", "냉각팬": "fan", "필터": "filter", "센서": "sensor", "차단기": "breaker",
    "누전차단기": "rcd breaker", "분전반": "consumer unit panel", "공유기": "router", "라우터": "router",
    "모뎀": "modem", "발전기": "generator", "히트펌프": "heat pump", "변압기": "transformer",
    "외함": "enclosure", "단자": "terminal", "스트링": "string", "계통": "grid", "한전": "grid utility",
    "부트로더": "bootloader", "펌웨어": "firmware", "소프트웨어": "software", "하드웨어": "hardware",
    "화면": "display screen", "디스플레이": "display", "표시창": "display", "버튼": "button", "램프": "led light",
    "시계": "clock", "브라켓": "bracket", "거치대": "holder", "부품": "part", "예비품": "spare part",
    "다이오드": "diode", "열화상": "thermal image", "정격": "rated", "용량": "capacity",
    # apps, accounts, services
    "앱": "app", "어플": "app", "애플리케이션": "app", "포털": "portal", "웹": "web", "웹사이트": "website",
    "홈페이지": "website", "서버": "server", "클라우드": "cloud", "계정": "account", "아이디": "id account",
    "비밀번호": "password", "암호": "password", "로그인": "login", "로그아웃": "logout", "회원": "member account",
    "가입": "sign up", "탈퇴": "delete account", "인증": "verification authentication", "인증번호": "verification code",
    "문자": "sms text", "이메일": "email", "메일": "email", "알림": "notification", "푸시": "push",
    "위젯": "widget", "대시보드": "dashboard", "그래프": "graph chart", "차트": "chart", "보고서": "report",
    "리포트": "report", "데이터": "data", "파일": "file", "폴더": "folder", "사본": "copy", "동기화": "sync",
    "백업": "backup", "복원": "restore", "내보내기": "export", "내려받기": "download", "다운로드": "download",
    "업로드": "upload", "공유": "share", "초대": "invitation invite", "링크": "link", "권한": "permission",
    "설정": "settings", "블루투스": "bluetooth", "와이파이": "wifi", "무선": "wireless", "인터넷": "internet",
    "네트워크": "network", "아이폰": "iphone ios", "안드로이드": "android", "갤럭시": "android samsung",
    "태블릿": "tablet", "버전": "version", "서머타임": "daylight saving dst", "시간대": "time zone",
    "요금제": "plan", "구독": "subscription", "모니터링": "monitoring", "사이트": "site",
    # payments, orders, delivery
    "결제": "payment", "간편결제": "payment", "카드": "card", "신용카드": "credit card", "승인": "approval approved",
    "취소": "cancel", "환불": "refund", "청구서": "invoice", "청구": "charge billing", "요금": "fee price",
    "단가": "price rate", "전기요금": "electricity tariff", "영수증": "receipt", "세금계산서": "tax invoice",
    "주문": "order", "배송": "delivery shipping", "택배": "parcel delivery", "송장": "tracking number",
    "출고": "shipped", "반품": "return", "교환": "exchange", "주소": "address", "포인트": "points",
    "보증": "warranty", "보증서": "warranty", "견적": "quote", "절감액": "savings", "절감": "savings",
    "송금": "transfer", "이체": "transfer", "계좌": "bank account", "입금": "deposit", "출금": "withdrawal",
    "정산": "settlement", "적립금": "reward points", "적립": "points earned", "쿠폰": "coupon", "할인": "discount",
    "혜택": "benefit", "환급": "refund", "도착": "arrived delivered", "분실": "lost", "파손": "damaged",
    "사진": "photo", "카메라": "camera", "촬영": "photo capture", "영상": "video", "녹화": "recording",
    "저장": "save saved", "세션": "session", "메시지": "message", "신호": "signal", "진동": "vibration",
    "사라지": "disappear missing", "사라짐": "disappear missing", "사라졌": "disappear missing",
    "화면 깨짐": "screen broken", "깨짐": "broken garbled", "로딩": "loading", "무한 로딩": "loading stuck",
    "목록": "list", "조회": "lookup tracking", "상세": "detail", "설정값": "settings",
    # quantities and states
    "전압": "voltage", "전류": "current", "과전압": "overvoltage", "저전압": "undervoltage",
    "주파수": "frequency", "절연": "isolation insulation", "저항": "resistance", "누전": "leakage rcd",
    "지락": "ground fault", "아크": "arc", "온도": "temperature", "과열": "overheat temperature",
    "뜨거": "hot overheat", "뜨겁": "hot overheat", "영하": "freezing cold", "발전량": "production yield",
    "발전": "production", "생산량": "production", "충전": "charging", "방전": "discharge",
    "충전 상태": "state of charge soc", "잔량": "state of charge soc", "불균형": "imbalance",
    "통신": "communication", "연결": "connection", "연동": "integration", "소음": "noise", "속도": "speed",
    "시간": "hour time", "날짜": "date", "진행률": "progress", "정전": "outage power cut", "전원": "power",
    "전기": "power electricity", "수출 제한": "export limit", "송전": "export feed", "부하": "load",
    "소비": "consumption", "사용량": "usage", "소비량": "consumption", "마이너스": "negative", "음수": "negative",
    "출력": "output", "절반": "half", "반으로": "half", "오프라인": "offline", "온라인": "online",
    "정상": "normal", "상태": "status state", "모드": "mode", "위상": "phase", "상": "phase",
    "주소 충돌": "address conflict", "충돌": "conflict", "용량 초과": "quota exceeded", "초과": "exceeded",
    "휴지통": "trash", "기록": "history log", "로그": "log", "내역": "history statement",
    # symptoms and actions
    "오류": "error", "에러": "error", "경고": "warning", "알람": "alarm", "고장": "fault failure",
    "결함": "defect fault", "트립": "trip", "차단": "trip cut", "멈춤": "stuck stopped", "멈췄": "stuck stopped",
    "멈추": "stuck stopped", "멈춥니다": "stuck stops", "멈춰": "stuck stopped", "정지": "stopped",
    "꺼짐": "shuts off", "꺼지": "shuts off", "꺼집니다": "shuts off", "꺼져": "off", "종료": "closes crash",
    "튕김": "crash", "다운": "down crash", "끊김": "disconnect drop", "끊겨": "disconnected", "끊어": "disconnected",
    "끊음": "disconnects", "끊기": "disconnect", "안 됨": "not working fails", "안됨": "not working fails",
    "안 돼": "not working", "안 와": "not received", "안 옵니다": "not received", "안 들어": "not received",
    "미수신": "not received", "수신": "received", "누락": "missing", "빠짐": "missing", "없음": "missing none",
    "실패": "failed failure", "초기화": "reset", "재시작": "restart reboot", "재부팅": "reboot",
    "업데이트": "update", "업그레이드": "upgrade", "설치": "installation install", "교체": "replace replacement",
    "수리": "repair", "점검": "inspection", "등록": "registration register", "인식": "detected recognised",
    "감지": "detected detection", "검색": "search find", "페어링": "pairing", "연결 안": "no connection",
    "두 번": "twice double", "이중": "double", "중복": "duplicate double", "해지": "cancel", "만료": "expired",
    "비어": "empty", "제한": "limit limited", "느림": "slow", "느려": "slow", "떨어짐": "drops", "떨어져": "drops",
    "떨어집니다": "drops trips", "내려갑니다": "trips", "감소": "drop decrease", "줄었": "dropped decreased",
    "반복": "repeated", "계속": "keeps repeatedly", "자주": "often", "증상": "symptom", "요청": "request",
    "문의": "question", "방법": "how to", "변경": "change", "소리": "noise sound", "밤": "night",
    "야간": "night", "심야": "night off peak", "낮": "day daytime", "오후": "afternoon", "오전": "morning",
    "아침": "morning", "저녁": "evening", "여름": "summer", "겨울": "winter", "비": "rain", "눈": "snow",
    "낙뢰": "lightning storm", "번개": "lightning", "폭풍": "storm", "예약": "schedule scheduled",
    "예약 충전": "scheduled charging", "무시": "ignored", "시작": "start starts", "즉시": "immediately",
    "바로": "immediately", "지연": "delay", "느린": "slow", "타임아웃": "timeout", "시간 초과": "timeout",
    "대기": "pending waiting", "진행": "progress", "완료": "completed", "준비중": "preparing",
    "상품 준비중": "preparing", "합치": "merge", "잠기": "locked", "잠김": "locked", "잠겼": "locked",
    "잠금": "locked", "부풀": "swollen", "볼록": "swollen bulge", "그늘": "shade shading", "시끄럽": "noise loud",
    "오래 걸": "slow", "거절": "declined", "접근": "access", "튕겨": "closes bounce", "튕기": "closes bounce",
    "무한": "loop", "빠지": "unplug come out", "빠져": "unplug come out", "저장 공간": "storage", "부족": "low full",
    "가득": "full", "실시간": "live realtime", "낮아": "low", "높아": "high", "동영상": "video", "대용량": "large",
    "통합": "merge", "삭제": "delete", "새로": "new",
    "교정": "calibration", "보정": "calibration", "방향": "direction", "반대": "reversed backwards",
    "거꾸로": "reversed backwards", "탄 자국": "burn mark", "그을음": "burn mark", "갈색": "brown",
}

# English words that mean the same in a support case, the first of each group standing for all (compared
# after lower-casing and again after a crude stem, so "rebooting" and "restarts" meet).
SAME_MEANING: tuple[tuple[str, ...], ...] = (
    ("firmware", "fw"), ("update", "upgrade", "upgraded", "upgrading"),
    ("breaker", "rcd", "rccb", "gfci", "mcb", "fuse box"),
    ("off", "dead", "blank", "dark", "shutdown", "shuts", "switches", "dies", "died"),
    ("overheat", "overheating", "overtemp", "hot", "warm", "heat"),
    ("closes", "crash", "crashes", "crashing", "quits"),
    ("restart", "reboot", "reboots", "rebooting", "restarts", "restarting", "restarted", "rebooted", "loop"),
    ("stuck", "hang", "hangs", "hanging", "frozen", "freeze", "freezes", "stall", "stalls", "stalled", "halted"),
    ("slow", "sluggish", "laggy", "lag", "lagging", "delayed"),
    ("disconnect", "disconnecting", "disconnects", "unreachable"), ("drop", "drops", "dropping"),
    ("notification", "notifications", "alerts", "alert", "push"),
    ("invitation", "invite", "invited"), ("refund", "refunded", "reimburse", "reimbursed", "chargeback"),
    ("email", "e-mail", "mail", "mails", "emails"),
    ("verification", "2fa", "otp", "mfa"), ("ios", "iphone", "ipad"), ("daylight", "dst"), ("clock", "clocks"),
    ("ct", "clamp"), ("arc", "afci"), ("charge", "soc"), ("app", "application"), ("datalogger", "logger"),
    ("wifi", "wlan", "wi-fi"), ("grid", "utility", "mains"), ("car", "ev", "vehicle"),
    ("locked", "lock", "lockout", "locks"), ("denied", "refused", "rejected", "declined", "forbidden",
                                              "unauthorized", "unauthorised"),
    ("noise", "noisy", "loud", "sound", "buzzing", "humming", "whining", "rattling"),
    ("outage", "blackout", "power cut"), ("photo", "picture", "image", "photos", "pictures"),
    ("graph", "chart", "curve", "plot"), ("swollen", "bulging", "swelling", "bulge", "puffed", "bloated"),
    ("damaged", "broken", "cracked", "dented"), ("price", "tariff", "rate", "cost", "fee"),
    ("delivery", "shipping", "parcel", "package", "shipment", "courier"), ("twice", "double", "duplicate"),
    ("login", "signin", "logon", "sign in", "log in", "sign-in", "log-in"), ("storage", "disk", "space"),
    ("wrong", "incorrect"), ("missing", "disappeared", "vanished"), ("receipt", "e-receipt"),
    ("installation", "install", "installed", "installing", "setup", "commissioning"),
    ("screen", "display", "lcd"), ("slowly", "forever"),
)
ENGLISH_SAME: dict[str, str] = {word: group[0] for group in SAME_MEANING for word in group[1:] if " " not in word}
ENGLISH_PHRASES: dict[str, str] = {word: group[0] for group in SAME_MEANING for word in group[1:] if " " in word}

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Longest terms first, so 누전차단기 wins over 차단기; a term may carry Korean particles after it. A one-syllable
# term (팬, 셀, 비, 밤, 상, 눈) counts only as a word of its own, never inside a longer word (서비스, 비밀번호).
_SHORT = {term for term in KO_EN if len(term) == 1}
_TERMS = re.compile(
    "|".join(re.escape(term) for term in sorted(set(KO_EN) - _SHORT, key=len, reverse=True))
    + "|" + "|".join(rf"(?<![\uac00-\ud7a3]){re.escape(term)}(?=[\s\W]|$|[은는이가을를에의도로와과])"
                     for term in sorted(_SHORT)))


def to_english(text: str) -> str:
    """`text` with each Korean glossary term replaced by its English words (English text unchanged)."""
    if not text or not _HANGUL.search(text):
        return text
    return _TERMS.sub(lambda match: f" {KO_EN[match.group(0)]} ", text)
