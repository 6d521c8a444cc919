"""Generate tests/data/korean_cases.csv: synthetic resolved support cases written in Korean.

Deterministic (fixed seed, no clock): run `python tests/data/make_korean_cases.py` to rebuild it.
Each topic is named by a few nouns that take a different particle each time (`결제가`, `결제를`,
`결제는`) and predicates in several politeness levels and tenses (`실패했습니다`, `실패해요`, `실패함`),
so a case and its resolver's earlier cases share stems more often than whole words: what the morpheme
analyser is for. Predicates are shared across topics, so only the topic's nouns tell them apart.
"""

from __future__ import annotations

import csv
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

OUT = Path(__file__).with_name("korean_cases.csv")
SEED = 20240913
N_CASES = 480

TOPICS = {
    "payment": ("결제 서비스", ["결제", "카드결제", "승인", "청구서", "영수증"]),
    "login": ("계정", ["로그인", "비밀번호", "인증", "계정", "세션"]),
    "delivery": ("배송", ["배송", "택배", "운송장", "주소", "도착"]),
    "refund": ("결제 서비스", ["환불", "취소", "반품", "교환", "환급"]),
    "app": ("모바일 앱", ["앱", "화면", "버튼", "업데이트", "설치"]),
    "charging": ("충전기", ["충전", "배터리", "충전기", "케이블", "전원"]),
    "sync": ("클라우드", ["동기화", "백업", "데이터", "파일", "저장"]),
    "alarm": ("모바일 앱", ["알림", "푸시", "메시지", "소리", "진동"]),
    "coupon": ("결제 서비스", ["쿠폰", "포인트", "할인", "적립금", "혜택"]),
    "camera": ("모바일 앱", ["카메라", "사진", "영상", "녹화", "촬영"]),
    "wifi": ("충전기", ["와이파이", "연결", "블루투스", "페어링", "신호"]),
    "invoice": ("결제 서비스", ["세금계산서", "정산", "입금", "송금", "계좌"]),
}
PREDICATES = [
    "실패했습니다", "실패해요", "실패함", "실패하였습니다", "안 됩니다", "안 돼요", "안 됨", "되지 않습니다",
    "멈췄습니다", "멈춰요", "멈춤", "느려졌습니다", "느려요", "오류가 납니다", "오류가 났어요", "사라졌습니다",
    "사라졌어요", "반복됩니다", "반복돼요", "확인이 필요합니다", "문의드립니다", "문의합니다",
]
OPENERS = ["고객 문의:", "", "", "긴급:", "재문의:", "", "어제부터", "오늘 아침부터", "업데이트 후"]
PEOPLE = {
    "U_minji": ["payment", "refund"],
    "U_jun": ["login"],
    "U_seoyeon": ["delivery"],
    "U_hyun": ["app", "alarm"],
    "U_dohyun": ["charging"],
    "U_yuna": ["sync"],
    "U_taeho": ["refund", "delivery"],
    "U_sora": ["alarm", "login"],
    "U_jisoo": ["coupon"],
    "U_woojin": ["camera", "app"],
    "U_hana": ["wifi", "charging"],
    "U_minho": ["invoice", "payment"],
    "U_eunji": ["coupon", "refund"],
    "U_kyung": ["camera"],
    "U_bora": ["wifi", "sync"],
    "U_sangwoo": ["invoice"],
}


def _has_final(word: str) -> bool:
    last = word[-1]
    return "가" <= last <= "힣" and (ord(last) - 0xAC00) % 28 != 0


def particle(word: str, rng: random.Random) -> str:
    """The word with a particle that fits its last syllable (가/이, 를/을, 는/은, 에서, 도, or none)."""
    final = _has_final(word)
    options = ["이" if final else "가", "을" if final else "를", "은" if final else "는", "에서", "도", "의", ""]
    return word + rng.choice(options)


def case_text(topic: str, rng: random.Random) -> tuple[str, str]:
    nouns = TOPICS[topic][1]
    first, second = rng.sample(nouns, 2)
    subject = f"{rng.choice(OPENERS)} {particle(first, rng)} {rng.choice(PREDICATES)}".strip()
    description = f"{particle(second, rng)} {rng.choice(PREDICATES)} {particle(first, rng)} {rng.choice(PREDICATES)}"
    return subject, description


def main() -> None:
    rng = random.Random(SEED)
    people = list(PEOPLE)
    start = datetime(2024, 1, 2, 9, tzinfo=UTC)
    rows = []
    for i in range(N_CASES):
        person = rng.choice(people)
        topics = PEOPLE[person]
        topic = rng.choice(topics) if rng.random() > 0.2 else rng.choice(list(TOPICS))
        subject, description = case_text(topic, rng)
        created = start + timedelta(hours=i * 20 + rng.randint(0, 5))
        rows.append([f"KR-{2000 + i}", created.isoformat(), subject, description, TOPICS[topic][0], "", person])
    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "created", "subject", "description", "product", "component", "resolver"])
        writer.writerows(rows)


if __name__ == "__main__":
    main()
