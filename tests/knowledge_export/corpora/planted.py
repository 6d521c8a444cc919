"""Planted personal data and secrets, each in an English and a Korean support sentence. None may survive.

Values are invented or documented test values (Stripe/PayPal test cards, ECBS example IBANs, AWS's
documentation keys, RFC 5737/3849 addresses).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Planted:
    kind: str
    value: str
    text: str
    names: tuple[str, ...] = ()


EMAILS = [
    "mina.park@example.com",
    "J.Smith+billing@acme-corp.co.uk",
    "support_team@sub.mail.example.org",
    "kim.minji@naver.com",
    "hong123@daum.net",
    "o'neil@example.ie",
    "FIRST.LAST@EXAMPLE.COM",
    "a@b.io",
    "user.name@xn--80ak6aa92e.com",
    "ops-alerts@company.kr",
    "lee_jh@samsung-partner.co.kr",
    "noreply+case-00001026@help.example.com",
]
PHONES = [
    "+1 415 555 0132",
    "(415) 555-0132",
    "415-555-0199",
    "+44 20 7946 0958",
    "+82 10-1234-5678",
    "+82-2-3456-7890",
    "010-1234-5678",
    "010 9876 5432",
    "01055557777",
    "02-312-4567",
    "031-123-4567",
    "+49 30 12345678",
    "+81 3-1234-5678",
    "+33 1 23 45 67 89",
    "+1-212-555-0147",
    "070-4321-8765",
]
CARDS = [
    "4242424242424242",
    "4111 1111 1111 1111",
    "5555-5555-5555-4444",
    "378282246310005",
    "3782 822463 10005",
    "6011111111111117",
    "5105 1051 0510 5100",
    "4012888888881881",
    "3530111333300000",
    "30569309025904",
]
IBANS = [
    "DE89 3704 0044 0532 0130 00",
    "GB82 WEST 1234 5698 7654 32",
    "FR1420041010050500013M02606",
    "NL91ABNA0417164300",
    "ES9121000418450200051332",
    "IT60X0542811101000000123456",
    "CH9300762011623852957",
    "BE68539007547034",
]
IPS = [
    "10.0.0.12",
    "192.168.1.20",
    "172.16.254.1",
    "203.0.113.7",
    "8.8.4.4",
    "2001:db8::1",
    "fe80::1ff:fe23:4567:890a",
    "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
    "198.51.100.23",
]
PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi\nZ1BjP5CE8Yh3Zz9kq0Kx\n"
    "-----END RSA PRIVATE KEY-----"
)
PEM_OPENSSH = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----"
)
# (value as it appears in the text, the secret part that must not survive)
SECRETS = [
    ("xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx", None),
    ("xoxp-2222222222-3333333333-4444444444-abcdef0123456789abcdef0123456789", None),
    ("xoxa-2-1234567890-abcdefghijklmnop", None),
    ("xoxr-1234567890-zyxwvutsrqponmlk", None),
    ("xoxs-9876543210-ABCDEFGHIJKLMNOP", None),
    ("xapp-1-A0123456789-1234567890123-abcdef0123456789", None),
    ("AKIAIOSFODNN7EXAMPLE", None),
    ("ASIAY34FZKBOKMUTVV7A", None),
    ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", None),
    ("aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"),
    ("Authorization: Bearer abc123DEF456ghi789jkl", "abc123DEF456ghi789jkl"),
    (
        "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    ),
    (PEM, PEM),
    (PEM_OPENSSH, PEM_OPENSSH),
    ("password=Hunter2!x", "Hunter2!x"),
    ("pwd: s3cr3tPa55", "s3cr3tPa55"),
    ("api_key=9f8e7d6c5b4a39281706f5e4d3c2b1a0", "9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
    ('"password": "Tr0ub4dor&3xyz"', "Tr0ub4dor&3xyz"),
    ("client_secret: 8Qw-Zx_19kLmNoPqRsTu", "8Qw-Zx_19kLmNoPqRsTu"),
    ("API-KEY: QWERTY12345asdfg", "QWERTY12345asdfg"),
    ("the password is Summer2024!", "Summer2024!"),
    ("비밀번호: qwer1234!@", "qwer1234!@"),
    ("비밀번호는 Passw0rd99", "Passw0rd99"),
    ("토큰=tk_9a8b7c6d5e4f3g2h", "tk_9a8b7c6d5e4f3g2h"),
    ("postgres://app_user:Sup3rS3cret@db.internal:5432/prod", "Sup3rS3cret"),
    ("sk_live_51HqLyjWDarjtT1zdp7dc", None),
    ("ghp_16C7e42F292c6912E7710c838347Ae178B4a", None),
    ("token: 7fa9c2e1b8d34f6a9e0c", "7fa9c2e1b8d34f6a9e0c"),
    ("passwd='c0rrect-h0rse'", "c0rrect-h0rse"),
    ("https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", "XXXXXXXXXXXXXXXXXXXXXXXX"),
]
NAMES = [
    ("Mina Park", ("Mina Park", "Acme GmbH")),
    ("Mina", ("Mina Park", "Acme GmbH")),
    ("Acme GmbH", ("Mina Park", "Acme GmbH")),
    ("Acme", ("Mina Park", "Acme GmbH")),
    ("MINA PARK", ("Mina Park", "Globex Corporation")),
    ("Globex", ("Mina Park", "Globex Corporation")),
    ("김민지", ("김민지", "주식회사 한빛")),
    ("민지", ("김민지", "주식회사 한빛")),
    ("한빛", ("김민지", "주식회사 한빛")),
    ("John O'Brien", ("John O'Brien", "Initech")),
    ("Initech", ("John O'Brien", "Initech")),
    ("이서준", ("이서준", "삼성전자")),
    ("서준", ("이서준", "삼성전자")),
    ("Park", ("Mina Park", "Acme GmbH")),
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
    "담당자: {v} (어제 통화함)",
    "설정 파일 내용:\n{v}\n이상입니다.",
]


def _build() -> list[Planted]:
    items: list[Planted] = []
    groups = [
        ("email", [(v, v, ()) for v in EMAILS]),
        ("phone", [(v, v, ()) for v in PHONES]),
        ("card", [(v, v, ()) for v in CARDS]),
        ("iban", [(v, v, ()) for v in IBANS]),
        ("ip", [(v, v, ()) for v in IPS]),
        ("secret", [(v, secret or v, ()) for v, secret in SECRETS]),
        ("name", [(v, v, names) for v, names in NAMES]),
    ]
    index = 0
    for kind, values in groups:
        for shown, value, names in values:
            for contexts in (EN, KO):
                text = contexts[index % len(contexts)].format(v=shown)
                items.append(Planted(kind, value, text, names))
            index += 1
    return items


PLANTED: list[Planted] = _build()
