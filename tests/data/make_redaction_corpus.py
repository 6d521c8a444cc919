"""Generate tests/data/redaction_planted.jsonl: personal data and secrets planted in support sentences.

Deterministic: run `python tests/data/make_redaction_corpus.py` to rebuild it. Every value is invented
or a documented test value (card networks' test numbers, ECBS example IBANs, AWS's documentation keys,
RFC 5737/3849 addresses); checksummed ones are checked here with python-stdnum, so a typo cannot plant
a number the redactor is right to keep. Each value goes into an English and a Korean sentence (names,
addresses and labelled Korean secrets come with their own sentences). The ordinary lines that must
survive are hand-written in redaction_ordinary.txt.
"""

from __future__ import annotations

import json
from pathlib import Path

from stdnum import iban, luhn
from stdnum.kr import brn, rrn

OUT = Path(__file__).with_name("redaction_planted.jsonl")
CASE_NAMES = ("Mina Park", "Acme GmbH")

EMAILS = [
    "mina.park@example.com", "J.Smith+billing@acme-corp.co.uk", "support_team@sub.mail.example.org",
    "kim.minji@naver.com", "hong123@daum.net", "o'neil@example.ie", "FIRST.LAST@EXAMPLE.COM", "a@b.io",
    "user.name@xn--80ak6aa92e.com", "ops-alerts@company.kr", "lee_jh@samsung-partner.co.kr",
    "noreply+case-00001026@help.example.com", "jiwoo.han@hanbit.co.kr", "sales-kr@example.co.kr",
    "x_y-z@mail.example.net", "담당자메일 test.user@gmail.com",
]
PHONES = [
    "+1 415 555 0132", "(415) 555-0132", "415-555-0199", "+44 20 7946 0958", "+82 10-1234-5678", "+82-2-3456-7890",
    "010-1234-5678", "010 9876 5432", "01055557777", "02-312-4567", "031-123-4567", "+49 30 12345678",
    "+81 3-1234-5678", "+33 1 23 45 67 89", "+1-212-555-0147", "070-4321-8765", "010.2345.6789", "(02) 312-4567",
    "051-123-4567", "+82 (0)10 2345 6789", "+65 6123 4567", "+86 138 0013 8000", "+61 2 9876 5432",
    "+91 98765 43210", "+49 171 1234567", "064-712-3456",
]


def _card(prefix: str, length: int) -> str:
    body = (prefix + "1234567890123456789")[: length - 1]
    return body + luhn.calc_check_digit(body)


def _grouped(number: str, sizes: tuple[int, ...], sep: str = " ") -> str:
    parts, at = [], 0
    for size in sizes:
        parts.append(number[at : at + size])
        at += size
    return sep.join(parts)


CARDS = [
    "4242424242424242", "4111 1111 1111 1111", "5555-5555-5555-4444", "378282246310005", "3782 822463 10005",
    "6011111111111117", "5105 1051 0510 5100", "4012888888881881", "3530111333300000", "30569309025904",
    _grouped("5105105105105100", (8, 8)),  # read out in two groups
    _grouped("4000056655665556", (8, 8), "-"),
    _grouped("4242424242424242", (4, 4, 4, 4), "-"),
    _grouped(_card("62", 16), (4, 4, 4, 4)),  # UnionPay
    _grouped(_card("9410", 16), (4, 4, 4, 4)),  # Korean domestic card
    _grouped(_card("356", 16), (4, 4, 4, 4)),  # JCB
    "4111 1111 / 1111 1111",
]
IBANS = [
    "DE89 3704 0044 0532 0130 00", "GB82 WEST 1234 5698 7654 32", "FR1420041010050500013M02606", "NL91ABNA0417164300",
    "ES9121000418450200051332", "IT60X0542811101000000123456", "CH9300762011623852957", "BE68539007547034",
    "GB29 NWBK 6016 1331 9268 19", "FR76 3000 6000 0112 3456 7890 189", "AT61 1904 3002 3457 3201",
    "PL61 1090 1014 0000 0712 1981 2874", "SE45 5000 0000 0583 9825 7466", "NO93 8601 1117 947",
    "DK50 0040 0440 1162 43", "IE29 AIBK 9311 5212 3456 78",
]


def _rrn(front: str, gender: str, body: str) -> str:
    return f"{front}-{gender}{body}{rrn.calc_check_digit(front + gender + body)}"


NATIONAL_IDS = [
    _rrn("900101", "1", "23456"), _rrn("851231", "2", "10987"), _rrn("020305", "3", "44123"),
    _rrn("010915", "4", "98765"), "930512-1870213",  # issued after 2020: no checksum
    _rrn("770707", "5", "12345").replace("-", ""),  # written without the hyphen
    "220-81-62517", "124-81-00998", "120-81-47521", "211-86-18293",
    "536-22-8726", "512-47-3312", "11010519491231002X", "390.533.447-05", "12345678Z", "X1234567L",
    "RSSMRA85T10A562S", "2 95 10 99 126 111 93",
]
LABELLED_IDS = [  # (value, English sentence, Korean sentence)
    ("M12345678", "Passport no. M12345678 was on the form.", "여권번호 M12345678 사본이 첨부되었습니다."),
    ("11-17-123456-62", "Driver's license 11-17-123456-62 was scanned.", "운전면허번호: 11-17-123456-62 확인 완료"),
    ("2200123456", "Tax ID 2200123456 is on the invoice.", "사업자번호: 2200123456 으로 발행 요청"),
]
IPS = [
    "10.0.0.12", "192.168.1.20", "172.16.254.1", "203.0.113.7", "2001:db8::1", "fe80::1ff:fe23:4567:890a",
    "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "198.51.100.23", "100.64.1.5", "172.31.5.9", "2001:db8:abcd:12::1",
    "192.0.2.44", "10.20.30.40", "52.79.10.22",
]
PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi\nZ1BjP5CE8Yh3Zz9kq0Kx\n"
    "-----END RSA PRIVATE KEY-----"
)
PEM_OPENSSH = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----"
)
STORAGE_KEY = "Xy7Kq2mZ9pLw4Rt8Vb3Nc6Hd1Jf5Gs0Ae2Ui9Oq7Wz4Ey1Tx8Ry5Mn3Bv6Cl0Pk2Dh7Jg4Fs9Qa1Zw8Xe5Rt3Yu6Io0Pl7Kj2Hg=="
SB_KEY = "q8W3e5R7t9Y1u3I5o7P9a1S3d5F7g9H1j3K5l7Z9x1C="
SF_SESSION = "00D5g000004ABCD!AQ4AQJ8h3kLm9Nn0PpQqRrSsTtUuVvWwXxYyZz1234567890abcdefg"
# (as written, the part that must not survive or None for all of it)
SECRETS = [
    ("xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx", None),
    ("xoxp-2222222222-3333333333-4444444444-abcdef0123456789abcdef0123456789", None),
    ("xoxa-2-1234567890-abcdefghijklmnop", None), ("xoxr-1234567890-zyxwvutsrqponmlk", None),
    ("xoxs-9876543210-ABCDEFGHIJKLMNOP", None), ("xapp-1-A0123456789-1234567890123-abcdef0123456789", None),
    ("AKIAIOSFODNN7EXAMPLE", None), ("ASIAY34FZKBOKMUTVV7A", None), ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", None),
    ("aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"),
    ("Authorization: Bearer abc123DEF456ghi789jkl", "abc123DEF456ghi789jkl"),
    ("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
     "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
    (PEM, PEM), (PEM_OPENSSH, PEM_OPENSSH),
    ("password=Hunter2!x", "Hunter2!x"), ("pwd: s3cr3tPa55", "s3cr3tPa55"),
    ("api_key=9f8e7d6c5b4a39281706f5e4d3c2b1a0", "9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
    ('"password": "Tr0ub4dor&3xyz"', "Tr0ub4dor&3xyz"), ("client_secret: 8Qw-Zx_19kLmNoPqRsTu", "8Qw-Zx_19kLmNoPqRsTu"),
    ("API-KEY: QWERTY12345asdfg", "QWERTY12345asdfg"), ("the password is Summer2024!", "Summer2024!"),
    ("비밀번호: qwer1234!@", "qwer1234!@"), ("비밀번호는 Passw0rd99", "Passw0rd99"), ("토큰=tk_9a8b7c6d5e4f3g2h", "tk_9a8b7c6d5e4f3g2h"),
    ("postgres://app_user:Sup3rS3cret@db.internal:5432/prod", "Sup3rS3cret"),
    ("sk_live_51HqLyjWDarjtT1zdp7dc", None), ("ghp_16C7e42F292c6912E7710c838347Ae178B4a", None),
    ("token: 7fa9c2e1b8d34f6a9e0c", "7fa9c2e1b8d34f6a9e0c"), ("passwd='c0rrect-h0rse'", "c0rrect-h0rse"),
    ("https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", "XXXXXXXXXXXXXXXXXXXXXXXX"),
    # short labels, abbreviations and prefixed labels
    ("pw: Xk9#mQ2v", "Xk9#mQ2v"), ("PWD=Tiger!2024", "Tiger!2024"), ("db_password=Zq8!rT5w", "Zq8!rT5w"),
    ("SMTP_PASS=mailpass77", "mailpass77"), ("spring.datasource.password=Spr1ng!Boot", "Spr1ng!Boot"),
    ('adminPassword: "Adm1n#2024"', "Adm1n#2024"), ("x-api-key: 3b1f6e0c9a8d7f2e4c5b6a7d8e9f0a1b", "3b1f6e0c9a8d7f2e4c5b6a7d8e9f0a1b"),
    ("root pw Rt00t!pass", "Rt00t!pass"), ("secret_key='django-insecure-8k2#x9m!p4q7z'", "django-insecure-8k2#x9m!p4q7z"),
    ("MYSQL_ROOT_PASSWORD=letmein", "letmein"), ("wifi pass: guest-2024-net", "guest-2024-net"),
    ("creds: svc_backup / B4ckup!Now", "B4ckup!Now"), ("OTP: 482913", "482913"),
    # session ids and cookies
    ("session id: 8f14e45fceea167a5a36dedd4bea2543", "8f14e45fceea167a5a36dedd4bea2543"),
    ("JSESSIONID=A1B2C3D4E5F60718293A4B5C6D7E8F90", "A1B2C3D4E5F60718293A4B5C6D7E8F90"),
    (f"sid={SF_SESSION}", SF_SESSION), (f"Salesforce session {SF_SESSION}", SF_SESSION),
    ("_zendesk_shared_session=eyJpZCI6IjEyMzQ1Njc4OTAifQ%3D%3D", "eyJpZCI6IjEyMzQ1Njc4OTAifQ%3D%3D"),
    ("ASP.NET_SessionId=k3m1x0q5vz2ha4pby0d5rt2c", "k3m1x0q5vz2ha4pby0d5rt2c"),
    ("X-SFDC-Session: 00D5g000004ABCD!AQ4AQJ8h3kLm9Nn0PpQqRrSsTtUuVvWwXx", "AQ4AQJ8h3kLm9Nn0PpQqRrSsTtUuVvWwXx"),
    ("Cookie: connect.sid=s%3AaBcDeFgHiJkLmNoPqRsTuVwXyZ012345.q1w2e3r4t5y6u7i8o9p0",
     "s%3AaBcDeFgHiJkLmNoPqRsTuVwXyZ012345.q1w2e3r4t5y6u7i8o9p0"),
    # credentials in URLs and connection strings
    ("mongodb+srv://admin:M0ng0Pa55@cluster0.example.net/db", "M0ng0Pa55"),
    ("redis://:R3d1sPass@cache.internal:6379", "R3d1sPass"), ("https://deploy:p%40ss1234@git.example.com/repo.git", "p%40ss1234"),
    (f"DefaultEndpointsProtocol=https;AccountName=acmestore;AccountKey={STORAGE_KEY};EndpointSuffix=core.windows.net",
     STORAGE_KEY),
    (f"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={SB_KEY}",
     SB_KEY),
    ("Server=tcp:db.example.net;Database=app;User ID=app;Password=Sql$erver2024;", "Sql$erver2024"),
    (f"storage key {STORAGE_KEY}", STORAGE_KEY),
    # vendor tokens by shape
    ("glpat-Ab3De6Gh9Jk2Mn5Pq8St", None), ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", None),
    ("sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56", None), ("AIzaSyD-1234567890abcdefghijklmnopqrstu", None),
    ("SG.abcdefghijklmnopqrstuv.ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg", None),
    ("npm_abcdefghijklmnopqrstuvwxyz0123456789", None), ("hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567", None),
    ("rk_live_4eC39HqLyjWDarjtT1zdp7dc", None), ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLSMW", None),
    ("SK2c4e6a8b0d2f4a6c8e0b2d4f6a8c0e2b", None), ("ya29.a0AfH6SMBx-1234567890abcdefghijklmnop", None),
    ("1234567890:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1", None),
    ("Qx28Q~abcdefghijklmnopqrstuvwxyz0123456", None),
]
KOREAN_SECRETS = [  # (the secret, a Korean sentence, an English one)
    ("dkssud123!", "비번: dkssud123! 로 접속했습니다.", "He sent 비번: dkssud123! over chat."),
    ("Temp!2345", "초기 비밀번호는 Temp!2345 입니다.", "The initial 비밀번호는 Temp!2345 per the mail."),
    ("Qwerty!9", "관리자 암호 = Qwerty!9 로 설정됨", "Set admin 암호 = Qwerty!9 yesterday."),
    ("5f2b8c1d9e3a7f6b4c0d", "API 키: 5f2b8c1d9e3a7f6b4c0d 를 재발급했습니다.", "Rotated the API 키: 5f2b8c1d9e3a7f6b4c0d today."),
    ("AbC123xYz789", "인증키는 AbC123xYz789 입니다.", "The portal 인증키는 AbC123xYz789 for now."),
    ("Db#pass2024", "DB 비번 Db#pass2024 공유드립니다.", "Sharing the DB 비번 Db#pass2024 here."),
    ("0f8fad5bd9cb469fa16570867728950e", "세션 ID: 0f8fad5bd9cb469fa16570867728950e 로 재현됨",
     "Reproduced with 세션 ID: 0f8fad5bd9cb469fa16570867728950e today."),
    ("Abcd1234!", "비밀번호를 Abcd1234!로 변경했습니다.", "Changed it: 비밀번호를 Abcd1234!로 변경"),
    ("gK8#pL2@", "임시 패스워드: gK8#pL2@ 발급", "Temp 패스워드: gK8#pL2@ issued"),
    ("Zx9!Qw3e", "와이파이 비밀번호 Zx9!Qw3e 입니다.", "Guest wifi 비밀번호 Zx9!Qw3e works."),
    ("tok_8H2k9L4m7N1p", "액세스 토큰: tok_8H2k9L4m7N1p 만료 전", "Access 토큰: tok_8H2k9L4m7N1p before expiry"),
    ("Pr1vate!Key", "개인 키 = Pr1vate!Key 로 서명", "Signed with 개인 키 = Pr1vate!Key here."),
]
ADDRESSES = [  # (the address, a sentence it sits in)
    ("서울특별시 강남구 테헤란로 123, 4층", "방문 주소는 서울특별시 강남구 테헤란로 123, 4층입니다."),
    ("경기도 성남시 분당구 판교역로 235", "장비 회수 주소: 경기도 성남시 분당구 판교역로 235"),
    ("서울 중구 세종대로 110", "Ship the unit to 서울 중구 세종대로 110 please."),
    ("부산광역시 해운대구 센텀중앙로 79 (우동)", "고객 주소 부산광역시 해운대구 센텀중앙로 79 (우동)로 택배 발송"),
    ("서울특별시 강남구 역삼동 737", "지번 주소는 서울특별시 강남구 역삼동 737입니다."),
    ("대전광역시 유성구 대학로 99", "The site is at 대전광역시 유성구 대학로 99."),
    ("(06236) 서울특별시 강남구 테헤란로 152", "(06236) 서울특별시 강남구 테헤란로 152 로 방문 예정"),
    ("인천광역시 연수구 송도동 24-5", "설치 장소: 인천광역시 연수구 송도동 24-5"),
    ("경기도 수원시 영통구 삼성로 129", "Technician visits 경기도 수원시 영통구 삼성로 129 on Monday."),
    ("제주특별자치도 제주시 첨단로 242", "주소: 제주특별자치도 제주시 첨단로 242"),
    ("서울시 마포구 월드컵북로 396, 101동 1203호", "배송지 서울시 마포구 월드컵북로 396, 101동 1203호 확인"),
    ("광주광역시 북구 용봉동 300번지", "광주광역시 북구 용봉동 300번지 현장 점검"),
    ("우편번호 06236", "우편번호 06236 으로 재발송 부탁드립니다."),
    ("강남구 봉은사로 524", "The customer moved to 강남구 봉은사로 524 last month."),
    ("세종특별자치시 한누리대로 2130", "청사 주소는 세종특별자치시 한누리대로 2130 입니다."),
    ("경상남도 창원시 의창구 중앙대로 151", "현장 주소 경상남도 창원시 의창구 중앙대로 151"),
    ("221B Baker Street, London NW1 6XE", "Return label to 221B Baker Street, London NW1 6XE."),
    ("1600 Amphitheatre Parkway, Mountain View, CA 94043", "Ship to 1600 Amphitheatre Parkway, Mountain View, CA 94043."),
    ("350 Fifth Avenue, Suite 4200", "Their office is at 350 Fifth Avenue, Suite 4200 in Manhattan."),
    ("742 Evergreen Terrace", "The unit is installed at 742 Evergreen Terrace."),
    ("10 Downing St, London SW1A 2AA", "Invoice address: 10 Downing St, London SW1A 2AA"),
    ("4059 Mt Lee Dr", "Customer's home is 4059 Mt Lee Dr."),
    ("Hauptstraße 12, 10115 Berlin", "Lieferadresse Hauptstraße 12, 10115 Berlin bitte."),
    ("P.O. Box 1234", "Mail the warranty card to P.O. Box 1234."),
    ("55 Water Street, Brooklyn, NY 11201", "Technician visits 55 Water Street, Brooklyn, NY 11201 at 9am."),
    ("1 Infinite Loop, Cupertino, CA 95014", "고객 주소는 1 Infinite Loop, Cupertino, CA 95014 입니다."),
    ("88 Queen Street, Apt 5B", "배송지: 88 Queen Street, Apt 5B"),
    ("2500 Ocean Drive, Miami, FL 33139", "현장 방문지 2500 Ocean Drive, Miami, FL 33139 확인"),
]
PEOPLE = ("Dana Agent", "한지우", "Jiwoo Han")
# (value that must go, sentence, names the case knows)
NAMES = [
    ("Mina Park", "Mina Park cannot log in since Monday.", CASE_NAMES),
    ("Mina", "Mina confirmed the fix this morning.", CASE_NAMES),
    ("Acme", "Acme's admin reset the portal.", CASE_NAMES),
    ("Acme GmbH", "Escalated for Acme GmbH, priority high.", CASE_NAMES),
    ("MINA PARK", "CONTACT: MINA PARK", ("Mina Park", "Globex Corporation")),
    ("Globex", "Globex reported it first.", ("Mina Park", "Globex Corporation")),
    ("Park", "Ms. Park asked for a callback.", CASE_NAMES),
    ("Park Mina", "Park Mina called again.", CASE_NAMES),
    ("John O'Brien", "John O'Brien sent the logs.", ("John O'Brien", "Initech")),
    ("Initech", "Initech uses the old gateway.", ("John O'Brien", "Initech")),
    ("Grace Field", "Grace Field owns the account.", ("Grace Field", "Blue River Energy")),
    ("Blue River Energy", "Blue River Energy runs 40 sites.", ("Grace Field", "Blue River Energy")),
    ("Field", "Dear Ms. Field, the fix is live.", ("Grace Field", "Blue River Energy")),
    ("Minji Kim", "Minji Kim reopened the case.", ("김민지", "주식회사 한빛")),
    ("Kim Min-ji", "Called Kim Min-ji about the RMA.", ("김민지", "주식회사 한빛")),
    ("Sarah Connor", "Spoke with Sarah Connor from the plant.", CASE_NAMES),
    ("Tom Baker", "Thanks,\nTom Baker", CASE_NAMES),
    ("Linda Chen", "Regards,\nLinda Chen\nSite lead", CASE_NAMES),
    ("Walsh", "Dr. Walsh approved the replacement.", CASE_NAMES),
    ("Priya Raman", "Reported by Priya Raman (night shift).", CASE_NAMES),
    ("Dana Agent", "Dana Agent restarted the gateway.", CASE_NAMES),
    ("Jiwoo Han", "Jiwoo Han checked the firmware.", CASE_NAMES),
    ("Lukas", "Hi Lukas, can you send the logs?", CASE_NAMES),
]
NAMES_KO = [
    ("김민지", "김민지 고객님 문의입니다.", ("김민지", "주식회사 한빛")),
    ("민지", "민지님께 전달했습니다.", ("김민지", "주식회사 한빛")),
    ("민지", "민지 씨가 로그를 보냈습니다.", ("김민지", "주식회사 한빛")),
    ("한빛", "한빛 측 장비를 확인했습니다.", ("김민지", "주식회사 한빛")),
    ("이서준", "이서준 고객이 재부팅을 요청했습니다.", ("이서준", "삼성전자")),
    ("서준", "서준님이 확인해 주셨습니다.", ("이서준", "삼성전자")),
    ("박하늘", "박하늘 고객님께 회신함", ("박하늘", "Blue River Energy")),
    ("하늘", "하늘 씨에게 다시 연락드림", ("박하늘", "Blue River Energy")),
    ("김민지", "Minji Kim 고객 = 김민지: 같은 분입니다.", ("Minji Kim", "Hanbit")),
    ("김민지", "김민지 님이 다시 문의했습니다.", ("Minji Kim", "Hanbit")),
    ("민지", "민지님이 사진을 보냈습니다.", ("Minji Kim", "Hanbit")),
    ("송민호", "송민호 대리가 로그를 전달했습니다.", CASE_NAMES),
    ("최지우", "최지우 팀장님 확인 부탁드립니다.", CASE_NAMES),
    ("이준호", "이준호 과장님이 현장에 갔습니다.", CASE_NAMES),
    ("김보람", "김보람 과장 요청으로 재시작함", CASE_NAMES),
    ("정하늘", "정하늘 고객이 보낸 로그입니다.", CASE_NAMES),
    ("홍길동", "홍길동 드림", CASE_NAMES),
    ("김철수", "안녕하세요, 한빛전자 김철수입니다.", CASE_NAMES),
    ("이상훈", "이상훈 책임님 검토 완료", CASE_NAMES),
    ("박서연", "담당자: 박서연", CASE_NAMES),
    ("나래", "나래 대리님께 공유했습니다.", CASE_NAMES),
    ("황보민", "황보민 님 요청 건입니다.", CASE_NAMES),
    ("한지우", "한지우 님이 펌웨어를 확인했습니다.", CASE_NAMES),
    ("윤서아", "고객 윤서아 님 연락 옴", CASE_NAMES),
    ("Mina Park", "Mina Park 고객님이 다시 전화하셨습니다.", CASE_NAMES),
    ("Walsh", "Dr. Walsh 님 승인 완료", CASE_NAMES),
]

# Written after the first measurement and run once unseen (3 of 38 leaked then); kept as a second batch.
SECOND_BATCH = [
    ('secret', 'Gz7$kP2q', 'The FTP login is user ftpuser, password Gz7$kP2q'),
    ('secret', 'A9f8G7h6J5k4', 'Use apiKey=A9f8G7h6J5k4 for the sandbox'),
    ('secret', 'hunter2hunter2', 'passcode: hunter2hunter2'),
    ('secret', 's3cr3t!', '관리자 PW: s3cr3t!'),
    ('secret', '9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d', 'X-Auth-Token: 9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d'),
    ('secret', 'Kq9!mZ2@', '로그인 정보: admin / Kq9!mZ2@'),
    ('secret', 'ZmFrZV9rZXlfZm9yX3Rlc3RpbmdfMTIzNDU2Nzg5MGFiY2RlZg', 'refresh_token ZmFrZV9rZXlfZm9yX3Rlc3RpbmdfMTIzNDU2Nzg5MGFiY2RlZg'),
    ('secret', 'Pa$$w0rd', '암호는 Pa$$w0rd 입니다'),
    ('secret', 'xoxb-9999999999-8888888888-QwErTyUiOpAsDfGhJkLzXcVb', 'slack bot token xoxb-9999999999-8888888888-QwErTyUiOpAsDfGhJkLzXcVb'),
    ('secret', 'toor1234', 'DSN mysql://root:toor1234@10.1.1.1/app'),
    ('phone', '010-9988-7766', '고객 휴대폰 010-9988-7766 (문자 가능)'),
    ('phone', '+82 2 6000 1234', 'Office +82 2 6000 1234 ext. 5'),
    ('phone', '(212) 555-0198', 'Call back at (212) 555-0198 tomorrow'),
    ('phone', '031 8017 1234', '연락처: 031 8017 1234'),
    ('phone', '+44 7700 900123', 'mobile +44 7700 900123'),
    ('email', 'minsu.lee@kakao.com', '회신 메일 minsu.lee@kakao.com 으로'),
    ('card', '4000 0025 0000 3155', '카드 4000 0025 0000 3155 로 결제 실패'),
    ('card', '5200828282828210', 'paid with 5200828282828210 yesterday'),
    ('card', '4000 0566 5566 5556', '카드번호 앞 8자리 4000 0566 뒤 8자리 5566 5556'),
    ('iban', 'DE75 5121 0800 1245 1261 99', 'Refund to DE75 5121 0800 1245 1261 99 please'),
    ('national_id', '880214-2345672', '주민등록번호 880214-2345672 제출'),
    ('national_id', '101-86-36712', '사업자등록번호 101-86-36712 로 세금계산서'),
    ('ip', '192.168.10.254', '게이트웨이 IP 192.168.10.254 에 ping 실패'),
    ('ip', '52.79.10.22', "the customer's public IP is 52.79.10.22"),
    ('address', '서울특별시 송파구 올림픽로 300', '배송지는 서울특별시 송파구 올림픽로 300 롯데월드타워입니다'),
    ('address', '경기도 화성시 동탄대로 537', 'Site: 경기도 화성시 동탄대로 537'),
    ('address', '부산 해운대구 우동 1411-1', '부산 해운대구 우동 1411-1 현장'),
    ('address', '500 Oracle Parkway', 'Send it to 500 Oracle Parkway, Redwood City, CA 94065'),
    ('address', '12 Main St', 'Customer lives at 12 Main St, Springfield'),
    ('name', '김영희', '김영희 주임님께서 사진을 보내주셨습니다'),
    ('name', '박준영', '박준영 매니저 확인 완료'),
    ('name', '오세훈', '오세훈 차장님 요청'),
    ('name', 'Emily Clark', 'Hi Emily Clark, thanks for the logs'),
    ('name', 'Novak', 'Mr. Novak called twice'),
    ('name', 'Jae-won Choi', 'Jae-won Choi from the plant emailed'),
    ('name', '최재원', '최재원 님이 메일을 보냄'),
    ('name', 'Sophie', 'Best regards,\nSophie'),
    ('name', 'Hana Yoon', 'Customer Hana Yoon reports the fault'),
]

# A third batch, run once unseen after the second (2 of 36 leaked then).
THIRD_BATCH = [
    ('secret', 'Welcome@2025', 'Temporary password: Welcome@2025 (change at first login)'),
    ('secret', 'mK3#vQ9!', 'new pwd = mK3#vQ9!'),
    ('secret', 'ab12CD34ef56GH78', 'ZENDESK_API_TOKEN=ab12CD34ef56GH78'),
    ('secret', '7Hq2LmP9xR4t', '고객 포털 비밀번호가 7Hq2LmP9xR4t 로 설정돼 있었습니다'),
    ('secret', 'Zz12345!', '패스워드 Zz12345! 를 메일로 보냈다고 함'),
    ('secret', 'AKIAZ7EXAMPLE3QW5RTY', 'aws key AKIAZ7EXAMPLE3QW5RTY in the script'),
    ('secret', 'ghs_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789', 'GITHUB_TOKEN: ghs_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789'),
    ('secret', 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2V4YW1wbGUuY29tIn0.c2lnbmF0dXJlX2hlcmVfMTIz', 'id_token eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2V4YW1wbGUuY29tIn0.c2lnbmF0dXJlX2hlcmVfMTIz'),
    ('secret', 'Sh4redS3cret', 'shared secret is Sh4redS3cret'),
    ('secret', 'q1w2e3r4', 'ftp://backup:q1w2e3r4@files.example.com/'),
    ('phone', '010-2222-3333', '휴대폰: 010-2222-3333'),
    ('phone', '+1 (650) 253-0000', 'HQ +1 (650) 253-0000'),
    ('phone', '02 3456 7890', '사무실 02 3456 7890 로 전화'),
    ('phone', '+82-10-8765-4321', 'WhatsApp +82-10-8765-4321'),
    ('email', 'park.jisoo@hanbit.kr', 'cc park.jisoo@hanbit.kr'),
    ('card', '371449635398431', 'Amex 371449635398431 was declined'),
    ('card', '6011 0009 9013 9424', 'Discover 6011 0009 9013 9424'),
    ('iban', 'NL02ABNA0123456789', 'IBAN NL02ABNA0123456789 for the refund'),
    ('national_id', '750823-1234560', '주민번호 750823-1234560'),
    ('national_id', '214-86-72346', '사업자 214-86-72346'),
    ('ip', '10.10.1.23', 'app server 10.10.1.23 rejects TLS 1.0'),
    ('ip', '2001:db8:1::ab9:C0A8:102', 'client 2001:db8:1::ab9:C0A8:102 timed out'),
    ('address', '서울특별시 영등포구 여의대로 108', '본사 주소: 서울특별시 영등포구 여의대로 108'),
    ('address', '대구광역시 수성구 달구벌대로 2503', '대구광역시 수성구 달구벌대로 2503 매장 방문'),
    ('address', '77 Massachusetts Avenue', 'Deliver to 77 Massachusetts Avenue, Cambridge, MA 02139'),
    ('address', '31 Spooner Street', 'customer at 31 Spooner Street called'),
    ('name', '김태희', '김태희 고객님께서 환불을 요청하셨습니다'),
    ('name', '이도현', '이도현 엔지니어가 방문 예정'),
    ('name', '정우성', '담당자 정우성 님께 전달'),
    ('name', 'Margaret Thompson', 'Dear Margaret Thompson,'),
    ('name', "O'Connor", "Mrs. O'Connor prefers email"),
    ('name', 'Kevin', 'Thanks Kevin!'),
    ('name', 'Mina Park', 'mina park asked again'),
    ('name', '박민아', '박민아 님 (Mina Park) 확인'),
    ('name', 'Seo-yeon Lee', 'Seo-yeon Lee from finance joined'),
    ('name', 'Daniel', 'Regards,\nDaniel'),
]

EN = [
    "Customer wrote from {v} yesterday and asked for a callback.",
    "Please reach them at {v} after 3pm CET.",
    "Logs show {v} in the request that failed with E-214.",
    "Escalated by {v}; priority high.",
    "Config dump:\n{v}\nend of dump",
]
KO = [
    "고객 연락처는 {v}입니다.",
    "{v}로 연락 부탁드립니다.",
    "로그에 {v} 값이 남아 있습니다.",
    "담당자 메모: {v} (어제 통화함)",
    "설정 파일 내용:\n{v}\n이상입니다.",
]


def build() -> list[dict]:
    items: list[dict] = []
    templated = [
        ("email", [(v.split()[-1], v) for v in EMAILS]),
        ("phone", [(v, v) for v in PHONES]),
        ("card", [(v, v) for v in CARDS]),
        ("iban", [(v, v) for v in IBANS]),
        ("national_id", [(v, v) for v in NATIONAL_IDS]),
        ("ip", [(v, v) for v in IPS]),
        ("secret", [(secret or v, v) for v, secret in SECRETS]),
    ]
    index = 0
    for kind, values in templated:
        for value, shown in values:
            for contexts in (EN, KO):
                items.append({"kind": kind, "value": value, "text": contexts[index % len(contexts)].format(v=shown)})
            index += 1
    for value, english, korean in LABELLED_IDS:
        items += [{"kind": "national_id", "value": value, "text": t} for t in (english, korean)]
    for value, korean, english in KOREAN_SECRETS:
        items += [{"kind": "secret", "value": value, "text": t} for t in (korean, english)]
    for value, sentence in ADDRESSES:
        items.append({"kind": "address", "value": value, "text": sentence})
        items.append({"kind": "address", "value": value, "text": f"메모: {sentence}" if sentence[:1] < "가" else f"Note: {sentence}"})
    for kind, value, sentence in SECOND_BATCH + THIRD_BATCH:
        items.append({"kind": kind, "value": value, "text": sentence, "names": list(CASE_NAMES)})
    for value, sentence, names in NAMES + NAMES_KO:
        items.append({"kind": "name", "value": value, "text": sentence, "names": list(names), "people": list(PEOPLE)})
    return items


def check(items: list[dict]) -> None:
    """A planted checksummed value that fails its own check would be a corpus bug, not a leak."""
    for item in items:
        if item["kind"] == "iban":
            assert iban.is_valid(item["value"], check_country=False), item
        if item["kind"] == "card":
            assert luhn.is_valid("".join(c for c in item["value"] if c.isdigit())), item
        if item["kind"] == "national_id" and item["value"].count("-") == 2 and len(item["value"]) == 12:
            assert brn.is_valid(item["value"]), item
        assert item["value"] in item["text"] or item["kind"] in ("name", "card"), item


def main() -> None:
    items = build()
    check(items)
    with OUT.open("w", encoding="utf-8") as out:
        for item in items:
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    korean = sum(any("가" <= c <= "힣" for c in item["text"]) for item in items)
    print(f"{OUT.name}: {len(items)} planted items, {korean} in Korean text")


if __name__ == "__main__":
    main()
