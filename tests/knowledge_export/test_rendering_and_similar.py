"""Rendering (escaped, headings per language, guesses flagged) and the similar-article lookup."""

from __future__ import annotations

from knowledge_export.models import ArticleDraft, Section
from knowledge_export.rendering import summary, to_html, to_markdown
from knowledge_export.similar import ExistingArticle, find_similar

DRAFT = ArticleDraft(
    draft_id="kb-abc123",
    title="Checkout <script>alert(1)</script> fails",
    problem="EU checkout returns 500 & retries fail.",
    cause="Null EUR rate",
    resolution="Roll back\nthen purge",
    steps=("Roll back to 2.4.0", "# purge [cache](javascript:x)"),
    contributors=("Dana Agent", "이서준"),
    case_url="https://example.my.salesforce.com/lightning/r/Case/5005/view",
    case_number="00001026",
    guessed_sections=frozenset({Section.CAUSE}),
    missing_sections=frozenset({Section.ENVIRONMENT}),
)


def test_html_escapes_every_value_and_flags_guesses():
    page = to_html(DRAFT, "en")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "500 &amp; retries" in page
    assert '<h2>Cause <small class="guessed">(drafted automatically, please check)</small></h2>' in page
    assert '<p class="missing"><em>Not found in the swarm: please write this part.</em></p>' in page
    assert "<ol><li>Roll back to 2.4.0</li><li># purge [cache](javascript:x)</li></ol>" in page
    assert '<a href="https://example.my.salesforce.com/lightning/r/Case/5005/view">Case 00001026</a>' in page
    assert "Roll back<br>then purge" in page


def test_html_body_only_for_knowledge_bases():
    body = to_html(DRAFT, "en", full_page=False)
    assert body.startswith("<h2>Problem</h2>") and "<html" not in body


def test_headings_follow_the_language():
    korean = to_markdown(DRAFT, "ko")
    for heading in ("## 문제", "## 환경", "## 원인 _(자동 추정, 확인 필요)_", "## 해결 방법", "## 단계", "## 기여자"):
        assert heading in korean
    assert "[케이스 00001026](https://" in korean
    assert "<h2>해결 방법</h2>" in to_html(DRAFT, "ko")
    assert "## Resolution" in to_markdown(DRAFT, "en")


def test_markdown_escapes_html_links_and_headings_from_chat():
    text = to_markdown(DRAFT, "en")
    assert "# Checkout \\<script\\>alert(1)\\</script\\> fails" in text
    assert "2. \\# purge \\[cache\\](javascript:x)" in text
    assert text.startswith('---\ntitle: "Checkout <script>alert(1)</script> fails"\ndraft_id: "kb-abc123"')


def test_a_case_link_that_is_not_http_is_not_linked():
    hostile = ArticleDraft(title="t", problem="p", case_url="javascript:alert(1)", case_number="1")
    assert "javascript:" not in to_html(hostile, "en") and "javascript:" not in to_markdown(hostile, "en")


def test_summary_is_short():
    assert summary(DRAFT) == "EU checkout returns 500 & retries fail. Roll back then purge"
    assert len(summary(ArticleDraft(title="t", problem="word " * 500), 100)) <= 100


ARTICLES = [
    ExistingArticle("1", "EU checkout 500 after currency change", "Checkout fails for EU shoppers", source="folder"),
    ExistingArticle("2", "Inverter restarts hourly with E-214", "Firmware watchdog loop"),
    ExistingArticle("3", "Password reset email not received", "SPF record"),
    ExistingArticle("4", "펌웨어 3.2 업데이트 후 인버터 E-214 재시작", "워치독 설정 오류"),
]


def test_similar_articles_best_first_and_unrelated_ones_left_out():
    draft = ArticleDraft(title="Checkout fails with error 500 for EU customers", problem="EU checkout returns 500")
    found = find_similar(draft, ARTICLES)
    assert [s.article.id for s in found] == ["1"]
    assert 0 < found[0].score <= 1


def test_similar_articles_in_korean():
    draft = ArticleDraft(title="인버터가 펌웨어 업데이트 후 E-214 오류로 재시작됨", problem="매시간 재시작")
    assert find_similar(draft, ARTICLES)[0].article.id == "4"


def test_similar_lookup_is_deterministic_and_limited():
    draft = ArticleDraft(title="Inverter E-214 restarts", problem="")
    many = [ExistingArticle(str(i), "Inverter restarts with E-214") for i in range(10)]
    found = find_similar(draft, many, limit=3)
    assert [s.article.id for s in found] == ["0", "1", "2"]
    assert find_similar(draft, []) == [] and find_similar(draft, many, limit=0) == []
