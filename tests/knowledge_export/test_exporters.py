"""Exporters: files in a folder, Salesforce Knowledge drafts, Zendesk Help Center drafts; answers from the
shared reference payloads, HTTP faked with `responses`."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import responses

from knowledge_export.exporters import (
    ExportAuthError,
    Exporter,
    ExportRejected,
    ExportUnavailable,
    FolderExporter,
    SalesforceKnowledgeExporter,
    ZendeskHelpCenterExporter,
)
from knowledge_export.models import ArticleDraft, Section
from knowledge_export.rendering import ArticleOptions
from swarms.knowledge.exporter_choice import make_exporter
from swarms.settings import Settings, SettingsError
from tests.fixtures import payloads
from vendor_clients.salesforce import SalesforceConfig, SalesforceRest

INSTANCE = "https://example.my.salesforce.com"
DATA = f"{INSTANCE}/services/data/v61.0"
KAV = f"{DATA}/sobjects/Knowledge__kav"
ZD = "https://example.zendesk.com"
HC = f"{ZD}/api/v2/help_center/en-us/sections/360000123456/articles.json"

DRAFT = ArticleDraft(
    draft_id="kb-1a2b3c4d5e6f",
    title="EU checkout 500 after currency change",
    problem="Checkout returns 500 for EU shoppers.",
    cause="Null EUR rate.",
    resolution="Roll back the currency service.",
    steps=("Roll back to 2.4.0",),
    contributors=("Dana Agent",),
    case_url="https://example.my.salesforce.com/lightning/r/Case/5005g00000AbCdEAAV/view",
    case_number="00001026",
    case_key="5005g00000AbCdEAAV",
    guessed_sections=frozenset({Section.CAUSE}),
    missing_sections=frozenset({Section.ENVIRONMENT}),
)
KOREAN = ArticleDraft(
    draft_id="kb-9f8e7d6c5b4a",
    title="인버터 E-214 재시작",
    problem="펌웨어 3.2 이후 인버터가 매시간 E-214로 재시작합니다.",
    environment="제품: SolarMax 5000\n버전: 3.2",
    cause="워치독 타이머 설정 오류",
    resolution="3.1.4로 롤백했습니다.",
    steps=("3.1.4로 롤백", "설정 초기화"),
    contributors=("김지우",),
    case_url="https://example.my.salesforce.com/lightning/r/Case/5005g00000AbCdEAAV/view",
    case_number="00001027",
    case_key="5005g00000AbCdEAAV",
    language="ko",
    guessed_sections=frozenset({Section.CAUSE}),
)
# What must never be in a body that leaves: staff names, the case and its link, review flags and prompts.
INTERNAL = ("Dana Agent", "김지우", "00001026", "00001027", "lightning/r/Case", "Contributors", "기여자",
            "drafted automatically", "자동 추정", "Not found in the swarm", "스웜에서 찾지 못했습니다", "guessed")


def assert_clean(body: str) -> None:
    for internal in INTERNAL:
        assert internal not in body, internal


@pytest.fixture(scope="module")
def sf_samples() -> dict:
    return payloads("salesforce/rest_samples.json")


@pytest.fixture(scope="module")
def zd_samples() -> dict:
    return payloads("zendesk/rest_samples.json")


@pytest.fixture(scope="module")
def zd_errors() -> dict:
    return payloads("zendesk/errors.json")


@pytest.fixture
def http():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


# --- folder -------------------------------------------------------------------------------------------


def test_folder_writes_markdown_and_html_named_by_slug_and_draft_id(tmp_path):
    exporter = FolderExporter(tmp_path / "kb")
    result = exporter.export(DRAFT)
    stem = "eu-checkout-500-after-currency-change-kb-1a2b3c4d5e6f"
    assert result.created and result.id == DRAFT.draft_id and result.location == str(tmp_path / "kb" / f"{stem}.md")
    assert sorted(p.name for p in (tmp_path / "kb").iterdir()) == [f"{stem}.html", f"{stem}.md"]
    markdown = (tmp_path / "kb" / f"{stem}.md").read_text(encoding="utf-8")
    assert "## Resolution" in markdown and "## Environment" not in markdown
    assert_clean(markdown)
    assert_clean((tmp_path / "kb" / f"{stem}.html").read_text(encoding="utf-8"))
    assert isinstance(exporter, Exporter)


def test_folder_writes_a_korean_article_with_korean_headings_and_credits_only_when_set(tmp_path):
    FolderExporter(tmp_path / "plain").export(KOREAN)
    [page] = (tmp_path / "plain").glob("*.md")
    text = page.read_text(encoding="utf-8")
    assert page.name == "인버터-e-214-재시작-kb-9f8e7d6c5b4a.md"
    assert '"language": "ko"' not in text and 'language: "ko"' in text
    for heading in ("## 문제", "## 환경", "## 원인", "## 해결 방법", "## 단계"):
        assert heading in text
    assert_clean(text)
    FolderExporter(tmp_path / "credited", options=ArticleOptions(credit_contributors=True)).export(KOREAN)
    [credited] = (tmp_path / "credited").glob("*.md")
    assert "## 기여자\n\n김지우" in credited.read_text(encoding="utf-8")


def test_folder_re_export_overwrites_even_after_a_title_edit(tmp_path):
    exporter = FolderExporter(tmp_path)
    exporter.export(DRAFT)
    again = exporter.export(DRAFT.with_edits(title="Checkout 500 in the EU"))
    assert not again.created
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "checkout-500-in-the-eu-kb-1a2b3c4d5e6f.html",
        "checkout-500-in-the-eu-kb-1a2b3c4d5e6f.md",
    ]


def test_folder_keeps_korean_titles_and_lists_existing_articles(tmp_path):
    exporter = FolderExporter(tmp_path)
    korean = ArticleDraft(draft_id="kb-99", title="인버터 E-214 재시작", problem="매시간 재시작합니다.", language="ko")
    exporter.export(korean)
    exporter.export(DRAFT)
    (tmp_path / "notes.md").write_text("no front matter here", encoding="utf-8")
    articles = {a.id: a for a in exporter.existing_articles()}
    assert articles["kb-99"].title == "인버터 E-214 재시작" and articles["kb-99"].summary == "매시간 재시작합니다."
    assert articles[DRAFT.draft_id].source == "folder"
    assert "notes" in articles
    assert (tmp_path / "인버터-e-214-재시작-kb-99.md").is_file()


def test_folder_leaves_no_temporary_files_and_refuses_odd_draft_ids(tmp_path):
    exporter = FolderExporter(tmp_path)
    exporter.export(DRAFT)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    with pytest.raises(Exception, match="cannot name a file"):
        exporter.export(ArticleDraft(title="t", problem="p", draft_id="../../etc"))


# --- Salesforce ---------------------------------------------------------------------------------------


def sf_answer(sf_samples: dict, name: str) -> tuple[int, object]:
    response = sf_samples[name]["response"]
    return response["status"], response["body"]


@pytest.fixture
def salesforce(http, sf_samples) -> SalesforceKnowledgeExporter:
    token = dict(sf_samples["oauth_token"]["response"]["body"], access_token="00D!first")
    http.add(responses.POST, f"{INSTANCE}/services/oauth2/token", json=token)
    rest = SalesforceRest(SalesforceConfig(client_id="cid", client_secret="secret", login_url=INSTANCE))
    return SalesforceKnowledgeExporter(rest)


def add_create(http, sf_samples, *, link: bool = True) -> None:
    status, body = sf_answer(sf_samples, "knowledge_kav_create")
    http.add(responses.POST, KAV, json=body, status=status)
    if link:
        http.add(responses.GET, f"{KAV}/ka05g000000AbCdAAK", json={"KnowledgeArticleId": "kA05g000000XyZAAA"})
        http.add(
            responses.POST, f"{DATA}/sobjects/CaseArticle", json={"id": "02x5g0000001", "success": True}, status=201
        )


def posted(http, url: str) -> list[dict]:
    return [json.loads(c.request.body) for c in http.calls if c.request.method == "POST" and c.request.url == url]


def test_salesforce_creates_a_knowledge_draft_and_links_it_to_the_case(http, sf_samples, salesforce):
    add_create(http, sf_samples)
    result = salesforce.export(DRAFT)
    assert result.id == "ka05g000000AbCdAAK" and result.created and result.linked_to_case
    assert result.location == f"{INSTANCE}/lightning/r/Knowledge__kav/ka05g000000AbCdAAK/view"
    [body] = posted(http, KAV)
    assert body["Title"] == DRAFT.title and body["UrlName"] == "eu-checkout-500-after-currency-change"
    assert body["Language"] == "en_US" and body["Summary"] == "Checkout returns 500 for EU shoppers. Roll back the currency service."
    assert body["Body__c"].startswith("<h2>Problem</h2>") and "IsVisibleInPkb" not in body
    assert "<h2>Environment</h2>" not in body["Body__c"]
    for field in ("Title", "Summary", "Body__c", "UrlName"):
        assert_clean(body[field])
    assert posted(http, f"{DATA}/sobjects/CaseArticle") == [
        {"CaseId": "5005g00000AbCdEAAV", "KnowledgeArticleId": "kA05g000000XyZAAA"}
    ]


def test_salesforce_sends_a_korean_article_in_korean_with_a_romanised_url_name(http, sf_samples, salesforce):
    add_create(http, sf_samples)
    salesforce.export(KOREAN)
    [body] = posted(http, KAV)
    assert body["Language"] == "ko" and body["UrlName"] == "inbeoteo-e-214-jaesijak"
    assert body["Title"] == "인버터 E-214 재시작"
    assert body["Summary"] == "펌웨어 3.2 이후 인버터가 매시간 E-214로 재시작합니다. 3.1.4로 롤백했습니다."
    assert "<h2>문제</h2>" in body["Body__c"] and "<h2>해결 방법</h2>" in body["Body__c"]
    assert "<h2>환경</h2>\n<p>제품: SolarMax 5000<br>버전: 3.2</p>" in body["Body__c"]
    for field in ("Title", "Summary", "Body__c", "UrlName"):
        assert_clean(body[field])


def test_salesforce_language_follows_the_org_mapping(http, sf_samples):
    token = dict(sf_samples["oauth_token"]["response"]["body"], access_token="00D!first")
    http.add(responses.POST, f"{INSTANCE}/services/oauth2/token", json=token)
    rest = SalesforceRest(SalesforceConfig(client_id="cid", client_secret="secret", login_url=INSTANCE))
    exporter = SalesforceKnowledgeExporter(rest, languages={"en": "en_GB", "ko": "ko_KR"})
    add_create(http, sf_samples)
    add_create(http, sf_samples)
    exporter.export(KOREAN)
    exporter.export(DRAFT)
    assert [b["Language"] for b in posted(http, KAV)] == ["ko_KR", "en_GB"]


def answer_url_name_holders(http, holders: dict[str, dict]) -> list[str]:
    """Answer the exporter's UrlName look-ups: `holders` maps a UrlName to the draft holding it."""
    asked: list[str] = []

    def answer(request):
        soql = request.params["q"]
        url_name = soql.split("UrlName = '")[1].split("'")[0]
        asked.append(url_name)
        records = [holders[url_name]] if url_name in holders else []
        return 200, {}, json.dumps({"totalSize": len(records), "done": True, "records": records})

    http.add_callback(responses.GET, f"{DATA}/query", callback=answer)
    return asked


SOMEONE_ELSES = {"Id": "ka0OTHER", "Title": "EU checkout 500 after currency change", "Summary": "Another story."}


def test_salesforce_duplicate_url_name_retries_with_a_suffix(http, sf_samples, salesforce):
    status, body = sf_answer(sf_samples, "knowledge_kav_duplicate_urlname")
    http.add(responses.POST, KAV, json=body, status=status)
    http.add(responses.POST, KAV, json=body, status=status)
    add_create(http, sf_samples)
    base = "eu-checkout-500-after-currency-change"
    asked = answer_url_name_holders(http, {base: SOMEONE_ELSES, f"{base}-2": SOMEONE_ELSES})
    result = salesforce.export(DRAFT)
    assert [b["UrlName"] for b in posted(http, KAV)] == [base, f"{base}-2", f"{base}-3"]
    assert asked == [base, f"{base}-2"] and result.created


def test_salesforce_retry_after_a_lost_answer_reuses_the_draft_it_made(http, sf_samples, salesforce):
    """Given a first export whose answer was lost after Salesforce saved the draft, publishing again
    finds that draft by its UrlName, title and summary, and neither creates nor links a second one."""
    first = salesforce.rest
    add_create(http, sf_samples)
    made = salesforce.export(DRAFT)
    [sent] = posted(http, KAV)
    status, body = sf_answer(sf_samples, "knowledge_kav_duplicate_urlname")
    http.add(responses.POST, KAV, json=body, status=status)
    http.add(responses.POST, f"{DATA}/sobjects/CaseArticle", status=400,
             json=[{"message": "duplicate value found: CaseId", "errorCode": "DUPLICATE_VALUE", "fields": []}])
    mine = {"Id": made.id, "Title": sent["Title"], "Summary": sent["Summary"]}
    answer_url_name_holders(http, {sent["UrlName"]: mine})
    again = salesforce.export(DRAFT)
    assert salesforce.rest is first
    assert again.id == made.id and not again.created and again.linked_to_case
    assert len(posted(http, KAV)) == 2  # the first create and the refused second one, nothing more


def test_salesforce_gives_up_on_url_names_after_a_few_tries(http, sf_samples, salesforce):
    status, body = sf_answer(sf_samples, "knowledge_kav_duplicate_urlname")
    for _ in range(5):
        http.add(responses.POST, KAV, json=body, status=status)
    answer_url_name_holders(http, {})
    with pytest.raises(ExportRejected, match="no free UrlName"):
        salesforce.export(DRAFT)


def test_salesforce_expired_session_is_renewed_once(http, sf_samples, salesforce):
    status, body = sf_answer(sf_samples, "error_session_expired")
    http.add(responses.POST, KAV, json=body, status=status)
    add_create(http, sf_samples, link=False)
    result = salesforce.export(ArticleDraft(title="Korean 한글 only", problem="p", draft_id="kb-1"))
    tokens = [c for c in http.calls if c.request.url.endswith("/oauth2/token")]
    assert result.id == "ka05g000000AbCdAAK" and len(tokens) == 2 and not result.linked_to_case


def test_salesforce_static_session_that_expires_is_an_auth_error(http, sf_samples):
    status, body = sf_answer(sf_samples, "error_session_expired")
    http.add(responses.POST, KAV, json=body, status=status)
    exporter = SalesforceKnowledgeExporter(instance_url=INSTANCE, access_token="00D!old")
    with pytest.raises(ExportAuthError, match="401"):
        exporter.export(DRAFT)
    assert len(http.calls) == 2
    assert http.calls[0].request.headers["Authorization"] == "Bearer 00D!old"


def test_salesforce_token_provider_is_asked_again_after_a_401(http, sf_samples):
    tokens = iter([(INSTANCE, "00D!old"), (INSTANCE, "00D!new")])
    status, body = sf_answer(sf_samples, "error_session_expired")
    http.add(responses.POST, KAV, json=body, status=status)
    add_create(http, sf_samples, link=False)
    exporter = SalesforceKnowledgeExporter(token_provider=lambda: next(tokens), body_field="Answer__c")
    exporter.export(replace(DRAFT, case_key=""))
    assert http.calls[-1].request.headers["Authorization"] == "Bearer 00D!new"
    assert "Answer__c" in posted(http, KAV)[-1]


@pytest.mark.parametrize(("name", "status"), [("error_request_limit", None), (None, 503)])
def test_salesforce_limits_and_outages_are_retryable(http, sf_samples, salesforce, name, status):
    if name:
        code, body = sf_answer(sf_samples, name)
        http.add(responses.POST, KAV, json=body, status=code)
    else:
        http.add(responses.POST, KAV, body="Service Unavailable", status=status)
    with pytest.raises(ExportUnavailable) as caught:
        salesforce.export(DRAFT)
    assert caught.value.retryable


def test_salesforce_validation_errors_are_rejections(http, sf_samples, salesforce):
    status, body = sf_answer(sf_samples, "error_required_field_missing")
    http.add(responses.POST, KAV, json=body, status=status)
    with pytest.raises(ExportRejected, match="REQUIRED_FIELD_MISSING") as caught:
        salesforce.export(DRAFT)
    assert not caught.value.retryable


def test_salesforce_a_failed_link_does_not_fail_the_export(http, sf_samples, salesforce):
    status, body = sf_answer(sf_samples, "knowledge_kav_create")
    http.add(responses.POST, KAV, json=body, status=status)
    http.add(responses.GET, f"{KAV}/ka05g000000AbCdAAK", json={"KnowledgeArticleId": "kA05g000000XyZAAA"})
    code, error = sf_answer(sf_samples, "error_not_found")
    http.add(responses.POST, f"{DATA}/sobjects/CaseArticle", json=error, status=code)
    result = salesforce.export(DRAFT)
    assert result.id == "ka05g000000AbCdAAK" and not result.linked_to_case


def test_salesforce_existing_articles_online_and_draft(http, salesforce):
    rows = {
        "Online": [{"Id": "ka0A", "Title": "EU checkout 500", "Summary": "s", "UrlName": "eu"}],
        "Draft": [{"Id": "ka0B", "Title": "Inverter E-214", "Summary": None, "UrlName": "inv"}],
    }

    def answer(request):
        status = "Online" if "'Online'" in request.params["q"] else "Draft"
        return 200, {}, json.dumps({"totalSize": 1, "done": True, "records": rows[status]})

    http.add_callback(responses.GET, f"{DATA}/query", callback=answer)
    articles = salesforce.existing_articles()
    assert [(a.id, a.title, a.summary, a.source) for a in articles] == [
        ("ka0A", "EU checkout 500", "s", "salesforce"),
        ("ka0B", "Inverter E-214", "", "salesforce"),
    ]
    assert "Language IN ('en_US','ko')" in http.calls[-1].request.params["q"]


# --- Zendesk ------------------------------------------------------------------------------------------


NEWEST_FIRST = {"per_page": "30", "sort_by": "created_at", "sort_order": "desc"}


def newest_articles(http, articles: list[dict]) -> None:
    """The section's newest articles, which the exporter reads before creating one."""
    http.add(responses.GET, HC, json={"articles": articles, "next_page": None},
             match=[responses.matchers.query_param_matcher(NEWEST_FIRST)])


@pytest.fixture
def zendesk(http) -> ZendeskHelpCenterExporter:
    newest_articles(http, [{"id": 1, "title": DRAFT.title, "body": "<p>Another story.</p>", "draft": True}])
    return ZendeskHelpCenterExporter(
        subdomain="example",
        email="bot@example.com",
        token="tok-123",
        section_id="360000123456",
        permission_group_id="1234",
    )


def test_zendesk_creates_a_draft_article_in_the_section(http, zd_samples, zendesk):
    sample = zd_samples["help_center_article_create_draft"]
    http.add(responses.POST, HC, json=sample["response"]["body"], status=sample["response"]["status"])
    result = zendesk.export(DRAFT)
    assert result.id == "360012345678" and result.created
    assert result.location == "https://example.zendesk.com/hc/en-us/articles/360012345678"
    [sent] = [body["article"] for body in posted(http, HC)]
    assert sent["draft"] is True and sent["locale"] == "en-us" and sent["permission_group_id"] == 1234
    assert sent["title"] == DRAFT.title and sent["body"].startswith("<h2>Problem</h2>")
    assert set(sent) == set(sample["request"]["json"]["article"])
    assert_clean(sent["title"])
    assert_clean(sent["body"])


def test_zendesk_files_a_korean_article_under_the_korean_locale(http, zd_samples, zendesk):
    korean_hc = HC.replace("/en-us/", "/ko/")
    http.add(responses.GET, korean_hc, json={"articles": [], "next_page": None})
    sample = zd_samples["help_center_article_create_draft"]["response"]
    http.add(responses.POST, korean_hc, json=sample["body"], status=sample["status"])
    zendesk.export(KOREAN)
    [sent] = [body["article"] for body in posted(http, korean_hc)]
    assert sent["locale"] == "ko" and sent["title"] == "인버터 E-214 재시작"
    assert "<h2>문제</h2>" in sent["body"] and "<h2>원인</h2>" in sent["body"]
    assert "<ol><li>3.1.4로 롤백</li><li>설정 초기화</li></ol>" in sent["body"]
    assert_clean(sent["body"])
    assert posted(http, HC) == []


def test_zendesk_retry_after_a_lost_answer_reuses_the_draft_it_made(http, zd_samples, zendesk):
    """Given a first export whose answer was lost after Zendesk saved the article, publishing again finds
    that unpublished article (same title, same text) among the section's newest and creates no second one."""
    sample = zd_samples["help_center_article_create_draft"]
    http.add(responses.POST, HC, json=sample["response"]["body"], status=sample["response"]["status"])
    made = zendesk.export(DRAFT)
    [sent] = [body["article"] for body in posted(http, HC)]
    http.replace(responses.GET, HC, json={"articles": [
        {"id": int(made.id), "title": sent["title"], "body": sent["body"].replace("\n", " "), "draft": True,
         "html_url": made.url},
    ], "next_page": None}, match=[responses.matchers.query_param_matcher(NEWEST_FIRST)])
    again = zendesk.export(DRAFT)
    assert (again.id, again.url, again.created) == (made.id, made.url, False)
    assert len(posted(http, HC)) == 1


def test_zendesk_rate_limit_is_retryable_with_retry_after(http, zd_errors, zendesk):
    limited = zd_errors["rate_limited_429"]
    http.add(
        responses.POST,
        HC,
        body=limited["body_text"],
        status=429,
        headers={"Retry-After": limited["headers"]["Retry-After"]},
    )
    with pytest.raises(ExportUnavailable) as caught:
        zendesk.export(DRAFT)
    assert caught.value.retry_after == 7.0


def test_zendesk_server_errors_are_retryable(http, zendesk):
    http.add(responses.POST, HC, body="oops", status=502)
    with pytest.raises(ExportUnavailable):
        zendesk.export(DRAFT)


def test_zendesk_bad_credentials_are_a_clear_error(http, zd_samples, zendesk):
    http.add(responses.POST, HC, json=zd_samples["unauthorized_401"]["response"]["body"], status=401)
    with pytest.raises(ExportAuthError, match="ZENDESK_API_TOKEN"):
        zendesk.export(DRAFT)


def test_zendesk_validation_error_names_the_reason(http, zd_samples, zendesk):
    http.add(responses.POST, HC, json=zd_samples["unprocessable_422"]["response"]["body"], status=422)
    with pytest.raises(ExportRejected, match=r"422 RecordInvalid\): Comment: body can't be blank"):
        zendesk.export(DRAFT)


def test_zendesk_existing_articles_follow_pages(http, zendesk):
    page2 = f"{HC}?page=2&per_page=100"
    http.add(
        responses.GET,
        page2,
        json={"articles": [{"id": 2, "title": "B", "body": "", "html_url": "u2"}], "next_page": None},
        match=[responses.matchers.query_param_matcher({"page": "2", "per_page": "100"})],
    )
    http.add(
        responses.GET,
        HC,
        json={
            "articles": [{"id": 1, "title": "A", "body": "<p>Fix &amp; <b>steps</b></p>", "html_url": "u1"}],
            "next_page": page2,
        },
    )
    http.add(responses.GET, HC.replace("/en-us/", "/ko/"), json={"articles": [
        {"id": 3, "title": "다", "body": "", "html_url": "u3"}], "next_page": None})
    articles = zendesk.existing_articles()
    assert [(a.id, a.title, a.summary) for a in articles] == [("1", "A", "Fix & steps"), ("2", "B", ""),
                                                               ("3", "다", "")]


# --- choosing ------------------------------------------------------------------------------------------


def test_make_exporter_defaults_to_a_folder(tmp_path):
    assert isinstance(make_exporter(Settings()), FolderExporter)
    exporter = make_exporter(settings({"KNOWLEDGE_EXPORT": "folder", "KNOWLEDGE_FOLDER": str(tmp_path)}))
    assert exporter.folder == tmp_path


def test_make_exporter_builds_salesforce_and_zendesk_from_their_settings():
    salesforce = make_exporter(settings(
        {
            "KNOWLEDGE_EXPORT": "salesforce",
            "SALESFORCE_CLIENT_ID": "cid",
            "SALESFORCE_CLIENT_SECRET": "s",
            "SALESFORCE_LOGIN_URL": INSTANCE,
            "SALESFORCE_KNOWLEDGE_BODY_FIELD": "Answer__c",
            "SALESFORCE_KNOWLEDGE_LANGUAGES": "ko=ko_KR",
            "KNOWLEDGE_CREDIT_CONTRIBUTORS": "true",
        }
    ))
    assert isinstance(salesforce, SalesforceKnowledgeExporter) and salesforce.body_field == "Answer__c"
    assert salesforce.languages == {"en": "en_US", "ko": "ko_KR"} and salesforce.options.credit_contributors
    zendesk = make_exporter(settings(
        {
            "KNOWLEDGE_EXPORT": "zendesk",
            "ZENDESK_SUBDOMAIN": "acme",
            "ZENDESK_EMAIL": "bot@acme.com",
            "ZENDESK_API_TOKEN": "t",
            "ZENDESK_HELP_CENTER_SECTION_ID": "42",
            "ZENDESK_HELP_CENTER_LOCALES": "en=en-gb,ko=ko",
        }
    ))
    assert isinstance(zendesk, ZendeskHelpCenterExporter) and zendesk.section_id == "42"
    assert zendesk.locales == {"en": "en-gb", "ko": "ko"} and not zendesk.options.credit_contributors


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        ({"KNOWLEDGE_EXPORT": "confluence"}, "KNOWLEDGE_EXPORT"),
        (
            {"KNOWLEDGE_EXPORT": "zendesk", "ZENDESK_SUBDOMAIN": "a", "ZENDESK_OAUTH_TOKEN": "t"},
            "ZENDESK_HELP_CENTER_SECTION_ID",
        ),
        ({"KNOWLEDGE_EXPORT": "salesforce"}, "SALESFORCE_CLIENT_ID"),
        ({"KNOWLEDGE_CREDIT_CONTRIBUTORS": "maybe"}, "KNOWLEDGE_CREDIT_CONTRIBUTORS"),
        ({"KNOWLEDGE_EXPORT": "salesforce", "SALESFORCE_CLIENT_ID": "c", "SALESFORCE_CLIENT_SECRET": "s",
          "SALESFORCE_LOGIN_URL": INSTANCE, "SALESFORCE_KNOWLEDGE_LANGUAGES": "fr=fr_FR"},
         "SALESFORCE_KNOWLEDGE_LANGUAGES"),
    ],
)
def test_a_bad_export_setting_stops_start_up_by_name(env, setting):
    with pytest.raises(SettingsError) as caught:
        settings(env)
    assert caught.value.name == setting


def settings(env: dict) -> Settings:
    return Settings.from_env(env, needs_slack=False)
