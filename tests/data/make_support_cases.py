"""Generate tests/data/support_cases.csv: synthetic resolved support cases of a solar/energy-equipment team.

Deterministic (fixed seed, no clock): run `python tests/data/make_support_cases.py` to rebuild it.
Each resolver specialises in one or two topics (with some spill-over), a few write Korean cases, one
leaves half way and one joins late, so recency matters in a chronological replay.
"""

from __future__ import annotations

import csv
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

OUT = Path(__file__).with_name("support_cases.csv")
SEED = 20240601
N_CASES = 420

TOPICS = {
    "inverter_fw": (
        "Hybrid 5K",
        "firmware",
        [
            "Inverter FW update stuck at {pct}%",
            "Firmware upgrade failed on inverter, error {code}",
            "Inverter reboots after firmware {ver} update",
            "인버터 펌웨어 업데이트 {pct}%에서 멈춤",
        ],
        "The customer tried to update the inverter firmware to {ver} over the portal and it stopped. Bootloader {code}.",
    ),
    "battery": (
        "PowerCell 10",
        "battery",
        [
            "Battery not charging above {pct}%",
            "BMS reports cell imbalance, alarm {code}",
            "Battery SOC jumps from {pct}% to zero",
            "배터리 충전이 {pct}% 이상 안 됨",
        ],
        "Battery module shows {code}; state of charge unstable; the BMS log attached. Cells at different voltages.",
    ),
    "grid": (
        "Hybrid 5K",
        "grid",
        [
            "Grid voltage out of range, inverter trips {code}",
            "Anti-islanding test fails at commissioning",
            "Export limit not respected, utility complaint",
            "계통 전압 이상으로 인버터 정지 {code}",
        ],
        "Installer reports tripping on grid over-voltage; country code setting and export limit {pct}% checked.",
    ),
    "monitoring": (
        "SolarView Portal",
        "monitoring",
        [
            "Portal shows no data since {ver}",
            "Monitoring dashboard login fails for installer",
            "Energy yield graph missing days",
            "모니터링 포털 데이터 안 보임",
        ],
        "The web portal stopped showing production data; the datalogger is online. API token {code} refreshed.",
    ),
    "comms": (
        "DataLogger X",
        "communication",
        [
            "Modbus TCP timeout reading meter {code}",
            "Datalogger loses wifi connection every night",
            "RS485 communication error with inverter {code}",
            "데이터로거 와이파이 연결 끊김",
        ],
        "Communication between datalogger and inverter drops; Modbus register reads time out after {pct} seconds.",
    ),
    "ev": (
        "EV Charger 22",
        "charging",
        [
            "EV charger stops charging after {pct} minutes",
            "Charger RFID card not accepted",
            "Wallbox shows error {code} on start",
            "전기차 충전기 충전 중단 {code}",
        ],
        "The wallbox interrupts charging sessions; OCPP backend logs {code}; load management active at {pct}%.",
    ),
    "warranty": (
        "",
        "warranty",
        [
            "Warranty claim for panel hot spots",
            "RMA request for failed inverter serial {code}",
            "Replacement shipping status for RMA {code}",
            "보증 교체 요청 시리얼 {code}",
        ],
        "Customer asks for a replacement under warranty; photos and serial {code} attached; purchase date checked.",
    ),
}

# resolver: (topics with weights, share of Korean cases they take, active from, active until) as case fractions
RESOLVERS = {
    "U_ana": ({"inverter_fw": 5, "grid": 1}, 0.0, 0.0, 1.0),
    "U_ben": ({"battery": 5, "inverter_fw": 1}, 0.0, 0.0, 1.0),
    "U_chloe": ({"grid": 5}, 0.0, 0.0, 0.55),
    "U_dev": ({"monitoring": 4, "comms": 2}, 0.0, 0.0, 1.0),
    "U_eun": ({"comms": 4, "monitoring": 1}, 0.8, 0.0, 1.0),
    "U_farah": ({"ev": 5}, 0.0, 0.0, 1.0),
    "U_gus": ({"warranty": 5, "ev": 1}, 0.0, 0.0, 1.0),
    "U_hyun": ({"battery": 3, "inverter_fw": 2}, 0.9, 0.0, 1.0),
    "U_ines": ({"grid": 4, "inverter_fw": 1}, 0.0, 0.5, 1.0),
    "U_jae": ({"warranty": 2, "monitoring": 2}, 0.9, 0.2, 1.0),
    "U_kim": ({"ev": 2, "battery": 1}, 0.5, 0.0, 1.0),
    "U_lola": ({"monitoring": 3}, 0.0, 0.6, 1.0),
}


def _pick_resolver(rng: random.Random, topic: str, korean: bool, position: float) -> str:
    weights = {}
    for user, (topics, ko_share, start, end) in RESOLVERS.items():
        if not start <= position <= end:
            continue
        w = topics.get(topic, 0.15)  # anyone may pick up anything now and then
        w *= (0.3 + 2 * ko_share) if korean else (1.2 - ko_share)
        weights[user] = w
    users = list(weights)
    return rng.choices(users, weights=[weights[u] for u in users])[0]


def generate() -> list[dict[str, str]]:
    rng = random.Random(SEED)
    start = datetime(2023, 1, 2, 8, 0, tzinfo=UTC)
    rows = []
    for n in range(N_CASES):
        position = n / (N_CASES - 1)
        topic = rng.choice(list(TOPICS))
        product, component, subjects, body = TOPICS[topic]
        subject = rng.choice(subjects)
        korean = not subject.isascii()
        fill = {
            "pct": rng.randint(5, 95),
            "code": f"E{rng.randint(100, 999)}",
            "ver": f"{rng.randint(1, 4)}.{rng.randint(0, 9)}",
        }
        description = body.format(**fill)
        if korean:
            description = "고객 문의: " + description
        rows.append(
            {
                "id": f"SC-{1000 + n}",
                "created": (start + timedelta(hours=41 * n + rng.randint(0, 30))).isoformat(),
                "subject": subject.format(**fill),
                "description": description,
                "product": product,
                "component": component,
                "resolver": _pick_resolver(rng, topic, korean, position),
            }
        )
    return rows


def main() -> None:
    with OUT.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(
            f, fieldnames=["id", "created", "subject", "description", "product", "component", "resolver"]
        )
        writer.writeheader()
        writer.writerows(generate())


if __name__ == "__main__":
    main()
