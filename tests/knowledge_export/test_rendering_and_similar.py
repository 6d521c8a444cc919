"""Rendering (only the article leaves, escaped, headings in its language) and the similar-article lookup."""

from __future__ import annotations

from dataclasses import replace

from knowledge_export.models import ArticleDraft, Section
from knowledge_export.rendering import ArticleOptions, placeholder_only, summary, to_html, to_markdown
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
INTERNAL = ("Dana Agent", "이서준", "00001026", "salesforce.com", "Contributors", "기여자", "Environment", "환경",
            "drafted automatically", "자동 추정", "Not found in the swarm", "스웜에서 찾지 못했습니다", "guessed")


def test_only_the_article_leaves_in_every_rendering():
    for rendered in (to_html(DRAFT), to_html(DRAFT, full_page=False), to_markdown(DRAFT),
                     to_html(replace(DRAFT, language="ko")), to_markdown(replace(DRAFT, language="ko"))):
        for internal in INTERNAL:
            assert internal not in rendered, internal
    page = to_html(DRAFT)
    for heading in ("<h2>Problem</h2>", "<h2>Cause</h2>", "<h2>Resolution</h2>", "<h2>Steps</h2>"):
        assert heading in page


def test_html_escapes_every_value():
    page = to_html(DRAFT)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "500 &amp; retries" in page
    assert "<ol><li>Roll back to 2.4.0</li><li># purge [cache](javascript:x)</li></ol>" in page
    assert "Roll back<br>then purge" in page


def test_html_body_only_for_knowledge_bases():
    body = to_html(DRAFT, full_page=False)
    assert body.startswith("<h2>Problem</h2>") and "<html" not in body


def test_headings_follow_the_article_language():
    korean = to_markdown(replace(DRAFT, language="ko"))
    for heading in ("## 문제", "## 원인", "## 해결 방법", "## 단계"):
        assert heading in korean
    assert '<html lang="ko">' in to_html(replace(DRAFT, language="ko"))
    assert "## Resolution" in to_markdown(DRAFT)


def test_crediting_contributors_is_a_setting_off_by_default():
    assert "Dana Agent" not in to_html(DRAFT)
    credited = to_html(DRAFT, ArticleOptions(credit_contributors=True))
    assert "<h2>Contributors</h2>\n<p>Dana Agent, 이서준</p>" in credited
    assert "00001026" not in credited, "the case stays internal either way"


def test_internal_links_and_review_prompts_never_leave():
    draft = replace(DRAFT, resolution=(
        "See https://acme.slack.com/archives/C0SWARM1/p1700000000000100 and the case "
        "(https://example.my.salesforce.com/lightning/r/Case/5005/view). Docs: https://docs.example.com/e21. "
        "Wiki http://wiki.corp/e21 or http://10.1.2.3/logs. Not found in the swarm: please write this part."))
    body = to_html(draft, full_page=False)
    assert "slack.com" not in body and "salesforce.com" not in body and "wiki.corp" not in body
    assert "10.1.2.3" not in body and "Not found" not in body
    assert "https://docs.example.com/e21" in body


def test_sections_holding_only_placeholders_are_left_out():
    draft = replace(DRAFT, cause="[NAME-1] [PHONE-1].", steps=("[EMAIL-1]", "Reboot"))
    page = to_html(draft)
    assert "<h2>Cause</h2>" not in page and "<li>Reboot</li>" in page and "[EMAIL-1]" not in page
    assert placeholder_only("[NAME-1], [PHONE-1] 🙏") and not placeholder_only("Call [NAME-1] back")


def test_steps_without_resolution_text_take_the_resolution_heading():
    page = to_html(replace(DRAFT, resolution=""))
    assert "<h2>Resolution</h2>\n<ol><li>Roll back to 2.4.0</li>" in page and "<h2>Steps</h2>" not in page


def test_markdown_escapes_html_links_and_headings_from_chat():
    text = to_markdown(DRAFT)
    assert "# Checkout \\<script\\>alert(1)\\</script\\> fails" in text
    assert "2. \\# purge \\[cache\\](javascript:x)" in text
    assert text.startswith('---\ntitle: "Checkout <script>alert(1)</script> fails"\ndraft_id: "kb-abc123"')


def test_summary_is_cut_at_a_sentence_never_mid_list():
    assert summary(DRAFT) == "EU checkout returns 500 & retries fail. Roll back"
    assert len(summary(ArticleDraft(title="t", problem="word " * 500), 100)) <= 100
    listed = ArticleDraft(title="t", problem="The inverter trips with E-21 every hour after the update. Fix steps: "
                                             "1. open settings 2. lower the threshold.",
                          resolution="Lowered the ISO threshold.\n1. Open settings\n2. Reboot")
    assert summary(listed) == "The inverter trips with E-21 every hour after the update. Lowered the ISO threshold."
    assert summary(listed, 70) == "The inverter trips with E-21 every hour after the update."


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
