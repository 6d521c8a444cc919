"""Ordinary support text that must come through untouched: versions, error codes, part and serial numbers,
timestamps, order numbers, amounts, hashes, English and Korean.

Decision on "IP-like" versions: a dotted quad after a version word ("firmware 1.2.10.4", "버전 3.1.0.2") is
a version and stays; a bare dotted quad that is a valid IPv4 address ("connect to 10.2.3.4") is redacted,
because a leaked address costs more than a hidden version. One sentence here has a bare quad version
("…; 1.2.9.8 still has it") and is counted as over-redaction on purpose; the tests pin both behaviours.
"""

from __future__ import annotations

_TEXT = r"""
After upgrading to version 3.2.1 the inverter restarts every hour with E-214.
Firmware 1.2.10.4 fixes the watchdog loop; 1.2.9.8 still has it.
Please roll back to build 2024.11.3 and retest.
The app crashes on iOS 17.4.1 but not on Android 14.
Error 0x80070005 appears when the service account lacks write access.
We see HTTP 500 on POST /api/v2/checkout for EU customers since 09:14 UTC.
Part number PN-4410-2231-0098 is the replacement fan assembly.
Serial number SN: 4ZK2-11A9-7731 was shipped on 2026-11-20.
Order 415-555-0132 was refunded in full.
Ticket #35436 is linked to case 00001026.
The RMA number is RMA-2026-00417; ship the unit back with it.
Timestamp in the log: 2026-11-21T16:05:40Z, then 2026-11-21 16:05:41.123.
The job ran at 03:00 KST and again at 15:30 KST.
Epoch 1700000000 corresponds to 2023-11-14.
Invoice INV-2026-1142 totals €1,234.56 including VAT.
Refund of $89.99 was issued to the original payment method.
The SKU is WX-5500-BLK and the lot number is L240918.
Model X5-3000 uses connector type C13.
Set the timeout to 30 seconds and the retry count to 5.
The cache TTL is 3600 seconds; lowering it to 600 helped.
Memory usage grew from 512 MB to 3.8 GB over 6 hours.
Disk /dev/sda1 was 97% full.
Run `systemctl restart case-agent` on the gateway.
Check the setting max_connections=200 in postgresql.conf.
The config key retry_backoff=exponential is the default.
Use the token endpoint documented in the admin guide, not the old one.
The password reset email was not delivered because of an SPF failure.
Password policy requires 12 characters and one digit.
The customer forgot the password and used the reset link.
Token expiry is set to 3600 seconds by default.
The API key rotation job runs every Sunday.
Commit 3f9c2e1b8d34f6a9e0c7d5b2a1f0e9d8c7b6a5f4 introduced the regression.
The SHA-256 of the installer is e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855.
Request id 7c9e6679-7425-40de-944b-e07fc1f90ae7 failed with 502.
MAC 00:1A:2B:3C:4D:5E belongs to the second controller.
The device reports temperature 71.5 °C at 14:02:33.
Latency p95 went from 120 ms to 2.4 s.
Chrome 131.0.6778.86 shows the blank page; Firefox 133.0 works.
Windows 10 build 19045.4291 is affected.
macOS 14.6.1 needs the new driver 5.12.0.
Java 17.0.9+9 and Tomcat 10.1.16 are the supported stack.
Python 3.11.7 with requests 2.31.0 reproduces the timeout.
The OpenSSL 3.0.2 upgrade changed the cipher list.
Kubernetes 1.29.3 nodes evicted the pod at 02:14.
Postgres 16.2 replica lag reached 45 s.
Node 20.11.1 LTS fixed the memory leak.
The printer shows error code 50.4 after power-on.
Error E-1021 means the battery pack is not detected.
Status code 403 came from the proxy, not the app.
Case 00001026 was escalated to tier 2 on Monday.
The customer is on plan Enterprise with 250 seats.
Quote Q-2026-0553 expires on 31.12.2026.
Date format 21/11/2026 confused the import job.
The batch 2026-11 contained 14,500 records.
Between 10:15 and 10:45 CET the queue backed up to 12,000 messages.
The warehouse code is DE-FRA-03.
Tracking number 1Z999AA10123456784 shows delivered.
Replace fuse F2 (10 A, 250 V) on the main board.
Voltage dropped to 198 V during the test.
Tested with 4 GB, 8 GB and 16 GB RAM configurations.
The UI shows 1.2.3 in the footer but the API says 1.2.4.
Build number 8812 passed all tests.
Release notes for 5.4.0 mention the fix under item 12.
We reproduced it on 3 out of 10 devices.
The customer's screenshot shows step 4 of the wizard.
Apply hotfix HF-221 and reboot twice.
The license key format is XXXX-XXXX-XXXX-XXXX; ask the customer to re-enter it.
The port 8443 must be open between the gateway and the cloud.
Use port 5432 for the database and 6379 for Redis.
The error went away after clearing the browser cache.
Workaround: disable the currency converter until 2.4.2 ships.
Root cause was a null exchange rate for EUR after the deploy.
Fixed by rolling back the currency service to 2.4.0.
The warranty period is 24 months from 2025-03-01.
Serial 4402-1187-9921 is out of warranty.
Our SLA for P1 is 4 hours; this one took 3 h 20 min.
Screen resolution 2560x1440 triggers the layout bug.
The sensor reads 0.0.0 before calibration.
Configuration version 2.0.1.7 is loaded at boot.
The customer uses VPN client 4.10.08025.
Ask for the output of `ipconfig /all` and `nslookup api.example.com`.
The DNS name api.eu.example.com resolves correctly.
Error "ECONNRESET" after 60 s idle.
Heap dump size was 2,147,483,648 bytes.
The queue id is q-7781 and the worker id is w-12.
Patch level 2026-10 includes the kernel fix.
The meter shows 12345 kWh total.
Run the migration 0042_add_index before restarting.
PO number 4500012345 is waiting for approval.
Order #100234567 was delivered on Friday.
Customer number 100045678 has two open cases.
The account has 3 admins and 42 agents.
We shipped 2 units with revision B03.
The module ID 0x1F4 reports a checksum error.
CRC mismatch at offset 0x0040A2F0.
Retry after 7 seconds as the rate limit said.
Response header x-rate-limit-remaining: 0.
Knowledge article KA-01234 covers a similar issue.
See article 360012345678 in the help center.
The feature flag checkout_v2 is on for 10% of traffic.
Percentages: 99.95% uptime last month, 99.2% this month.
Coordinates 37.5665, 126.9780 are Seoul city hall.
Temperature range -20 to 60 °C.
The customer called at 9:30 and again at 13:45.
Version 10.0.19045.4291 of Windows shows the bug.
버전 3.1.0.2에서 재부팅 문제가 해결되었습니다.
펌웨어 3.2 업데이트 후 인버터가 E-214 오류로 매시간 재시작합니다.
빌드 2024.11.3으로 롤백하면 문제가 사라집니다.
오류 코드 0x80070005는 쓰기 권한이 없을 때 발생합니다.
주문번호 415-555-0132 건은 전액 환불되었습니다.
시리얼 번호 SN: 4ZK2-11A9-7731 제품이 2026-11-20에 출고되었습니다.
부품 번호 PN-4410-2231-0098은 교체용 팬입니다.
로그 시각은 2026-11-21 16:05:40입니다.
캐시를 비우고 다시 시도하니 정상 동작합니다.
원인은 배포 후 EUR 환율이 null로 들어간 것입니다.
해결: 통화 서비스를 2.4.0으로 롤백했습니다.
고객은 Enterprise 요금제를 사용 중이며 좌석은 250개입니다.
케이스 00001026은 월요일에 2차 지원으로 이관되었습니다.
티켓 #35436과 연결되어 있습니다.
재현율은 10대 중 3대입니다.
메모리 사용량이 6시간 동안 512 MB에서 3.8 GB로 증가했습니다.
타임아웃을 30초로, 재시도 횟수를 5회로 설정하세요.
게이트웨이에서 8443 포트가 열려 있어야 합니다.
비밀번호 정책은 12자 이상, 숫자 1개 포함입니다.
고객이 비밀번호를 잊어 재설정 링크를 보냈습니다.
토큰 만료 시간은 기본 3600초입니다.
API 키 교체 작업은 매주 일요일에 실행됩니다.
iOS 17.4.1에서만 앱이 종료됩니다.
청구서 INV-2026-1142의 합계는 1,234,560원입니다.
운송장 번호 1Z999AA10123456784는 배송 완료로 표시됩니다.
보증 기간은 2025-03-01부터 24개월입니다.
배터리 팩이 감지되지 않으면 E-1021 오류가 표시됩니다.
프린터 전원을 켠 뒤 50.4 오류가 나타납니다.
핫픽스 HF-221을 적용하고 두 번 재부팅하세요.
모델 X5-3000은 C13 커넥터를 사용합니다.
전압이 테스트 중 198 V까지 떨어졌습니다.
응답 헤더 x-rate-limit-remaining 값이 0이었습니다.
고객번호 100045678에 열린 케이스가 두 건 있습니다.
설정 max_connections=200을 확인하세요.
요청 ID 7c9e6679-7425-40de-944b-e07fc1f90ae7가 502로 실패했습니다.
브라우저 캐시 삭제 후 오류가 사라졌습니다.
우회 방법: 2.4.2가 나올 때까지 환율 변환기를 끄세요.
p95 지연 시간이 120 ms에서 2.4 s로 늘었습니다.
마이그레이션 0042_add_index를 먼저 실행하세요.
KST 03:00과 15:30에 작업이 실행되었습니다.
화면 해상도 2560x1440에서 레이아웃이 깨집니다.
라이선스 키 형식은 XXXX-XXXX-XXXX-XXXX입니다.
드라이버 5.12.0이 필요합니다.
구성 버전 2.0.1.7이 부팅 시 로드됩니다.
센서는 보정 전 0.0.0을 표시합니다.
가동률은 지난달 99.95%, 이번 달 99.2%였습니다.
서울시청 좌표는 37.5665, 126.9780입니다.
고객이 9시 30분과 13시 45분에 전화했습니다.
환불 금액 89,990원이 원래 결제 수단으로 처리되었습니다.
큐 ID q-7781, 워커 ID w-12에서 오류가 났습니다.
체크섬 오류가 모듈 ID 0x1F4에서 보고되었습니다.
도움말 센터 문서 360012345678을 참고하세요.
"""

ORDINARY: list[str] = [line for line in _TEXT.strip().splitlines() if line.strip()]
