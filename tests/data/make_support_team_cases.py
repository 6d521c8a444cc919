"""Generate tests/data/support_team_cases.csv: a larger, more realistic set of resolved support cases.

Deterministic (fixed seed, no clock): `python tests/data/make_support_team_cases.py` rebuilds it.
Written before any score was taken on it, to measure the expert finder where `support_cases.csv` cannot
(12 people and 7 topics: any method that recognises the topic puts most of its people in a top 5, and its
84 test cases decide a point by one case). Here, as in a real support organisation of a solar and
energy-storage vendor:

- 2,000 cases over about two years, 32 people, 16 components over 9 products;
- people own one to three components, some a whole product line; a few move to another team half way,
  some join late and some leave, so who resolved what recently matters;
- specialists of a component share its cases (someone who took one of the last few cases of it is less
  likely to take the next), and anyone now and then picks up a case outside their components;
- Korean-speaking staff take most Korean cases; texts vary (several wordings per problem, abbreviations,
  error codes, versions, a typo now and then, Korean and English mixed as customers write).
"""

from __future__ import annotations

import csv
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

OUT = Path(__file__).with_name("support_team_cases.csv")
SEED = 20261206
N_CASES = 2000
OFF_TOPIC = 0.08  # weight of anyone for a component they do not own
RECENT = 4  # a specialist who took one of the last RECENT cases of a component is less likely to take the next
RECENT_FACTOR = 0.45

# component: (products, English subjects, Korean subjects, English bodies, Korean bodies)
COMPONENTS: dict[str, tuple[tuple[str, ...], list[str], list[str], list[str], list[str]]] = {
    "firmware": (
        ("Hybrid 5K", "Hybrid 10K", "MicroInv 400"),
        ["Inverter FW update stuck at {pct}%", "Firmware upgrade failed, bootloader error {code}",
         "Inverter reboots in a loop after update to {ver}", "Cannot roll back firmware {ver}",
         "Update over the portal never starts"],
        ["인버터 펌웨어 업데이트가 {pct}%에서 멈춤", "펌웨어 {ver} 업데이트 후 재부팅 반복"],
        ["Customer started the firmware update to {ver} from the portal; the inverter stopped at {pct}% and shows "
         "{code}. Power cycled twice.",
         "After the upgrade the unit restarts every few minutes. Bootloader log shows {code}; version {ver}."],
        ["고객이 포털에서 {ver} 버전으로 업데이트를 시도했는데 {pct}%에서 멈추고 {code} 오류가 표시됩니다.",
         "업데이트 이후 인버터가 계속 재시작합니다. 부트로더 로그에 {code}."],
    ),
    "grid": (
        ("Hybrid 5K", "Hybrid 10K"),
        ["Grid over-voltage trips, error {code}", "Anti-islanding test fails at commissioning",
         "Inverter disconnects at noon, grid voltage high", "Wrong country code, cannot change grid settings",
         "Frequency out of range alarm {code}"],
        ["계통 과전압으로 인버터 정지 {code}", "국가 코드 설정 변경 불가"],
        ["Installer measured 253 V at the point of connection; the inverter trips with {code} several times a day.",
         "Commissioning blocked: grid code setting locked, utility asks for certificate, export at {pct}%."],
        ["설치 기사가 계통 전압 253V를 측정했고 인버터가 하루에 여러 번 {code}로 정지합니다.",
         "시운전 중 그리드 코드 설정이 잠겨 있어 변경할 수 없습니다."],
    ),
    "hardware fault": (
        ("Hybrid 5K", "Hybrid 10K", "MicroInv 400"),
        ["Inverter fan loud and derating at {pct}%", "Isolation fault {code} every morning",
         "Inverter display dead, LEDs off", "Overtemperature shutdown in summer", "Burning smell from the unit"],
        ["인버터 팬 소음 및 출력 제한", "매일 아침 절연 저항 오류 {code}"],
        ["The unit derates to {pct}% in the afternoon; fan is very loud; ambient 35 C; error {code} in the log.",
         "Insulation resistance fault {code} after rain, clears by noon. Strings checked by the installer."],
        ["오후마다 출력이 {pct}%로 제한되고 팬 소리가 큽니다. 로그에 {code}.",
         "비가 온 뒤 절연 저항 오류 {code}가 발생하고 정오쯤 사라집니다."],
    ),
    "battery management": (
        ("PowerCell 10", "PowerCell 15"),
        ["Battery not charging above {pct}%", "BMS cell imbalance alarm {code}", "SOC jumps from {pct}% to zero",
         "Battery capacity dropped after a year", "batt module offline, BMS error {code}"],
        ["배터리 충전이 {pct}% 이상 안 됨", "BMS 셀 불균형 경보 {code}"],
        ["State of charge stops at {pct}%; BMS log shows cell voltages 3.21 to 3.38 V; alarm {code}.",
         "One module drops off the CAN bus at night; BMS reports {code}; firmware {ver}."],
        ["충전 상태가 {pct}%에서 멈춥니다. BMS 로그의 셀 전압 차이가 크고 경보 {code}가 있습니다.",
         "밤마다 모듈 하나가 통신이 끊기고 BMS가 {code}를 보고합니다."],
    ),
    "battery installation": (
        ("PowerCell 10", "PowerCell 15"),
        ["Battery not detected by inverter after install", "CAN communication battery to inverter fails {code}",
         "Commissioning wizard stops at battery step", "Second battery tower not recognised",
         "Wrong battery type selected during setup"],
        ["설치 후 인버터가 배터리를 인식하지 못함", "배터리 증설 후 두 번째 모듈 인식 안 됨"],
        ["New installation: the inverter shows no battery; CAN cable and terminating resistor checked; {code}.",
         "Installer added a second tower; only the first is recognised. Commissioning stops at step {pct}."],
        ["신규 설치 현장에서 인버터가 배터리를 찾지 못합니다. CAN 케이블 확인함, 오류 {code}.",
         "배터리를 증설했는데 첫 번째 타워만 인식됩니다."],
    ),
    "charging": (
        ("EV Charger 22", "EV Charger 11"),
        ["EV charger stops after {pct} minutes", "Wallbox error {code} at session start",
         "Car charges at 6 A only", "Charger RFID card not accepted", "Charging does not start with solar surplus"],
        ["전기차 충전기 충전 중단 {code}", "충전이 6A로만 됨"],
        ["Sessions stop after {pct} minutes; wallbox shows {code}; car and cable tested elsewhere.",
         "Surplus charging enabled but the charger waits even with 4 kW export; firmware {ver}."],
        ["충전이 {pct}분 후에 멈추고 충전기에 {code}가 표시됩니다.",
         "태양광 잉여 전력 충전을 켰는데 충전이 시작되지 않습니다."],
    ),
    "OCPP backend": (
        ("EV Charger 22", "EV Charger 11"),
        ["Charger offline in the OCPP backend", "OCPP BootNotification rejected {code}",
         "Sessions missing in billing export", "Cannot connect charger to third-party CPO backend",
         "Remote start from backend fails"],
        ["OCPP 백엔드에서 충전기 오프라인", "과금 내역에 충전 세션 누락"],
        ["The CPO backend shows the charger offline since {ver}; websocket closes with {code}.",
         "Charging sessions from last week are missing in the billing export; backend log {code}."],
        ["충전 사업자 백엔드에서 충전기가 오프라인으로 보입니다. 웹소켓 종료 코드 {code}.",
         "지난주 충전 세션이 과금 내역에 없습니다."],
    ),
    "communication": (
        ("DataLogger X",),
        ["Datalogger loses wifi every night", "Modbus TCP timeout reading meter {code}",
         "RS485 bus error with inverter {code}", "Logger offline after router change",
         "Datalogger LAN port no link"],
        ["데이터로거 와이파이 연결 끊김", "RS485 통신 오류 {code}"],
        ["Communication between logger and inverter drops; Modbus reads time out after {pct} seconds; {code}.",
         "Customer replaced the router; the datalogger no longer connects, LED blinks red."],
        ["데이터로거와 인버터 통신이 끊기고 Modbus 읽기가 {pct}초 후 시간 초과됩니다.",
         "공유기를 교체한 뒤 데이터로거가 연결되지 않습니다."],
    ),
    "monitoring": (
        ("SolarView Portal",),
        ["Portal shows no production data", "Yield graph missing days", "Portal energy total wrong by {pct}%",
         "Site shows offline but logger is online", "Daily report e-mail not sent"],
        ["모니터링 포털 데이터 안 보임", "발전량 그래프 일부 날짜 누락"],
        ["The web portal stopped showing production since {ver}; the datalogger is online; token {code} refreshed.",
         "Monthly yield in the portal differs from the meter by {pct}%; graph has gaps."],
        ["포털에 발전 데이터가 표시되지 않습니다. 데이터로거는 온라인입니다.",
         "포털의 월간 발전량이 계량기와 {pct}% 차이 납니다."],
    ),
    "accounts": (
        ("SolarView Portal", "SolarView app"),
        ["Installer cannot log in to portal", "SSO login loops back to sign-in page",
         "Transfer site to new owner account", "Two-factor code never arrives", "Installer access to customer site"],
        ["포털 로그인 불가", "사이트 소유자 계정 이전 요청"],
        ["Login fails with 'session expired' right after the password; tried reset; SSO tenant {code}.",
         "House sold: the new owner needs the site moved to their account; serial {code}."],
        ["비밀번호 재설정 후에도 포털에 로그인할 수 없습니다.",
         "집을 팔아서 새 소유자 계정으로 사이트를 이전해야 합니다. 시리얼 {code}."],
    ),
    "API": (
        ("SolarView Portal",),
        ["REST API returns 429 rate limit", "API token expired, cannot renew {code}",
         "Webhook for alarms not firing", "API power values off by factor 1000", "API v{ver} endpoint deprecated?"],
        ["API 호출 제한 429 오류", "알람 웹훅이 오지 않음"],
        ["Integrator polls the REST API every minute and gets 429 after {pct} calls; key {code}.",
         "Webhook subscription for alarms created; no calls received; endpoint returns 200 when tested."],
        ["연동 업체가 REST API를 1분마다 호출하는데 {pct}회 후 429 오류가 납니다.",
         "알람 웹훅을 등록했는데 호출이 오지 않습니다."],
    ),
    "warranty": (
        ("Hybrid 5K", "Hybrid 10K", "PowerCell 10", "EV Charger 22", "MicroInv 400"),
        ["Warranty claim for failed unit {code}", "RMA request, serial {code}", "Replacement shipping status RMA {code}",
         "Warranty extension registration", "Refund for damaged delivery"],
        ["보증 교체 요청 시리얼 {code}", "RMA 배송 상태 문의"],
        ["Customer asks for a replacement under warranty; photos and serial {code} attached; purchase date checked.",
         "RMA {code} approved three weeks ago; no shipping confirmation yet."],
        ["보증 기간 내 교체를 요청합니다. 사진과 시리얼 {code} 첨부.",
         "RMA {code} 승인 후 3주가 지났는데 배송 안내가 없습니다."],
    ),
    "heat pump": (
        ("HeatPump S",),
        ["Heat pump not heating water above 45 C", "Heat pump error {code} defrost", "Compressor short cycling",
         "Heat pump ignores PV surplus signal", "Outdoor unit frozen"],
        ["히트펌프 온수 온도 안 올라감", "히트펌프 제상 오류 {code}"],
        ["Hot water stays at 45 C; legionella cycle fails; error {code}; firmware {ver}.",
         "Compressor starts and stops every {pct} minutes; outdoor unit icing."],
        ["온수가 45도 이상 올라가지 않고 오류 {code}가 표시됩니다.",
         "압축기가 {pct}분마다 켜졌다 꺼집니다."],
    ),
    "energy management": (
        ("Hybrid 5K", "Hybrid 10K", "SolarView Portal"),
        ["Export limit not respected, utility complaint", "Time-of-use schedule ignored",
         "Battery discharges to grid at night", "Zero export setting not working", "Self-consumption mode wrong"],
        ["수출 제한 설정이 적용되지 않음", "시간대별 요금 스케줄 무시"],
        ["Export limit set to {pct}% but the meter shows full export at noon; utility sent a warning.",
         "Time-of-use schedule configured for cheap night charging; battery discharges to grid instead."],
        ["수출 제한을 {pct}%로 설정했는데 정오에 전량 수출됩니다.",
         "야간 충전 스케줄을 설정했는데 배터리가 오히려 방전됩니다."],
    ),
    "metering": (
        ("Meter 3P",),
        ["Smart meter readings negative", "CT clamp direction wrong, consumption doubled",
         "Meter not found on Modbus address {pct}", "Three-phase meter shows one phase only",
         "Consumption graph flat"],
        ["계량기 값이 음수로 표시됨", "CT 방향 오류로 소비량 두 배"],
        ["Consumption shows negative values in the evening; CT clamps probably reversed on L2; meter {code}.",
         "The inverter cannot find the meter on Modbus address {pct}; wiring checked; {code}."],
        ["저녁에 소비량이 음수로 표시됩니다. L2 CT 방향이 반대인 것 같습니다.",
         "인버터가 Modbus 주소 {pct}에서 계량기를 찾지 못합니다."],
    ),
    "mobile app": (
        ("SolarView app",),
        ["App crashes on start after update {ver}", "Push notifications not received",
         "App shows different values than portal", "Cannot add new site in app", "App stuck on loading screen"],
        ["앱 업데이트 후 실행 시 종료됨", "앱 푸시 알림이 안 옴"],
        ["Since app version {ver} it closes on start on Android; reinstall did not help.",
         "Alarm push notifications stopped; notifications enabled in phone settings; account {code}."],
        ["앱 {ver} 업데이트 이후 실행하면 바로 종료됩니다.",
         "알람 푸시 알림이 오지 않습니다. 휴대폰 설정은 켜져 있습니다."],
    ),
}

# person: (components with weights before the move, after the move or None, moves at, Korean share, from, until)
PEOPLE: dict[str, tuple[dict[str, float], dict[str, float] | None, float, float, float, float]] = {
    "U_ada": ({"firmware": 5, "hardware fault": 2}, None, 1.0, 0.0, 0.0, 1.0),
    "U_bruno": ({"firmware": 4, "grid": 2}, None, 1.0, 0.0, 0.0, 1.0),
    "U_chen": ({"grid": 5, "energy management": 2}, None, 1.0, 0.1, 0.0, 1.0),
    "U_dara": ({"hardware fault": 5}, {"warranty": 4}, 0.5, 0.0, 0.0, 1.0),
    "U_emil": ({"hardware fault": 3, "firmware": 2}, None, 1.0, 0.0, 0.3, 1.0),
    "U_fatima": ({"battery management": 5}, None, 1.0, 0.0, 0.0, 1.0),
    "U_goran": ({"battery installation": 5, "battery management": 1}, None, 1.0, 0.0, 0.0, 0.7),
    "U_hana": ({"battery management": 3, "battery installation": 3}, None, 1.0, 0.9, 0.0, 1.0),
    "U_ivan": ({"battery installation": 4}, None, 1.0, 0.0, 0.55, 1.0),
    "U_jisoo": ({"charging": 4, "OCPP backend": 2}, None, 1.0, 0.9, 0.0, 1.0),
    "U_karl": ({"charging": 5}, None, 1.0, 0.0, 0.0, 1.0),
    "U_lena": ({"OCPP backend": 5, "API": 1}, None, 1.0, 0.0, 0.0, 1.0),
    "U_minho": ({"communication": 4, "monitoring": 2}, None, 1.0, 0.9, 0.0, 1.0),
    "U_nora": ({"communication": 5}, {"metering": 4, "communication": 2}, 0.6, 0.0, 0.0, 1.0),
    "U_omar": ({"monitoring": 5}, None, 1.0, 0.0, 0.0, 1.0),
    "U_priya": ({"monitoring": 3, "API": 3}, None, 1.0, 0.0, 0.0, 1.0),
    "U_quinn": ({"accounts": 5}, None, 1.0, 0.0, 0.0, 1.0),
    "U_rosa": ({"accounts": 3, "mobile app": 3}, None, 1.0, 0.0, 0.0, 0.6),
    "U_sungmin": ({"accounts": 3, "mobile app": 2}, None, 1.0, 0.95, 0.0, 1.0),
    "U_tomas": ({"API": 5}, None, 1.0, 0.0, 0.0, 1.0),
    "U_uma": ({"warranty": 5}, None, 1.0, 0.0, 0.0, 1.0),
    "U_victor": ({"warranty": 4, "hardware fault": 1}, None, 1.0, 0.0, 0.0, 0.45),
    "U_wook": ({"warranty": 3, "battery management": 1}, None, 1.0, 0.9, 0.0, 1.0),
    "U_xena": ({"heat pump": 5}, None, 1.0, 0.0, 0.0, 1.0),
    "U_yusuf": ({"heat pump": 3, "energy management": 2}, None, 1.0, 0.0, 0.35, 1.0),
    "U_zoe": ({"energy management": 5}, None, 1.0, 0.0, 0.0, 1.0),
    "U_amir": ({"metering": 5}, None, 1.0, 0.0, 0.0, 1.0),
    "U_bora": ({"metering": 3, "communication": 2}, None, 1.0, 0.9, 0.0, 1.0),
    "U_carla": ({"mobile app": 5}, None, 1.0, 0.0, 0.0, 1.0),
    "U_dong": ({"firmware": 2, "grid": 2, "hardware fault": 2}, None, 1.0, 0.95, 0.0, 1.0),
    "U_elif": ({"charging": 2, "energy management": 2}, {"heat pump": 4}, 0.65, 0.0, 0.0, 1.0),
    "U_felix": ({"OCPP backend": 3, "charging": 2}, None, 1.0, 0.0, 0.4, 1.0),
}
# Component shares of the case stream (popular components get more cases).
SHARE = {
    "firmware": 9, "grid": 6, "hardware fault": 6, "battery management": 8, "battery installation": 6,
    "charging": 7, "OCPP backend": 4, "communication": 8, "monitoring": 8, "accounts": 6, "API": 3,
    "warranty": 8, "heat pump": 3, "energy management": 5, "metering": 4, "mobile app": 5,
}
TYPOS = {"inverter": "inveter", "battery": "battey", "charger": "chager", "firmware": "firmwre", "portal": "protal"}
ABBREVIATIONS = {"firmware": "FW", "battery": "batt", "configuration": "config", "inverter": "INV"}


def _vary(text: str, rng: random.Random) -> str:
    """Write as people write: an abbreviation or a typo now and then, sometimes in capitals or lower case."""
    words = text.split(" ")
    for i, word in enumerate(words):
        key = word.lower()
        if key in ABBREVIATIONS and rng.random() < 0.2:
            words[i] = ABBREVIATIONS[key]
        elif key in TYPOS and rng.random() < 0.06:
            words[i] = TYPOS[key]
    text = " ".join(words)
    roll = rng.random()
    return text.lower() if roll < 0.08 else text.upper() if roll < 0.1 else text


def _owners(person: str, position: float) -> dict[str, float]:
    before, after, moves_at, *_ = PEOPLE[person]
    return after if after is not None and position >= moves_at else before


def _pick_resolver(rng: random.Random, component: str, korean: bool, position: float, recent: list[str]) -> str:
    weights = {}
    for person, (_, _, _, ko_share, start, end) in PEOPLE.items():
        if not start <= position <= end:
            continue
        w = _owners(person, position).get(component, OFF_TOPIC)
        w *= (0.2 + 2 * ko_share) if korean else (1.1 - ko_share)
        if person in recent:
            w *= RECENT_FACTOR
        weights[person] = w
    people = list(weights)
    return rng.choices(people, weights=[weights[p] for p in people])[0]


def generate() -> list[dict[str, str]]:
    rng = random.Random(SEED)
    start = datetime(2024, 1, 2, 8, 0, tzinfo=UTC)
    components = list(SHARE)
    recent: dict[str, list[str]] = {c: [] for c in components}
    rows = []
    for n in range(N_CASES):
        position = n / (N_CASES - 1)
        component = rng.choices(components, weights=[SHARE[c] for c in components])[0]
        products, subjects, ko_subjects, bodies, ko_bodies = COMPONENTS[component]
        korean = rng.random() < 0.22
        fill = {"pct": rng.randint(5, 95), "code": f"E{rng.randint(100, 999)}",
                "ver": f"{rng.randint(1, 4)}.{rng.randint(0, 9)}.{rng.randint(0, 20)}"}
        if korean:
            subject = rng.choice(ko_subjects).format(**fill)
            # Korean customers often paste the English error text or the English subject of a portal form.
            description = rng.choice(ko_bodies if rng.random() < 0.75 else bodies).format(**fill)
        else:
            subject = _vary(rng.choice(subjects).format(**fill), rng)
            description = _vary(rng.choice(bodies).format(**fill), rng)
        resolver = _pick_resolver(rng, component, korean, position, recent[component])
        recent[component] = [resolver, *recent[component]][:RECENT]
        rows.append({
            "id": f"TC-{10000 + n}",
            "created": (start + timedelta(hours=8.7 * n + rng.uniform(0, 6))).isoformat(timespec="seconds"),
            "subject": subject,
            "description": description,
            "product": rng.choice(products),
            "component": component,
            "resolver": resolver,
        })
    rows.sort(key=lambda r: r["created"])
    return rows


def main() -> None:
    with OUT.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["id", "created", "subject", "description", "product", "component",
                                               "resolver"])
        writer.writeheader()
        writer.writerows(generate())


if __name__ == "__main__":
    main()
