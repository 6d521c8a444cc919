"""What leaves and what stays, through the real Slack protocol: the review previews the exported body, the
published files hold only the article, and Edit restores one redacted value, recorded."""

from __future__ import annotations

from bot.views.knowledge import DraftRef, KnowledgeAction, KnowledgeCallback
from bot.views.knowledge_review import RESTORE_BLOCK
from knowledge_export.models import ArticleDraft
from tests.e2e.conftest import start_swarm_app, swarm_app  # noqa: F401  (the running bot fixture)
from tests.knowledge.test_e2e_knowledge import draft_row, knowledge_folder, opened  # noqa: F401


def closed_with_the_fix_marked(app, channel, fix_ts, sessions):
    app.workspace.add_reaction(channel, fix_ts, "white_check_mark", user=app.people.agent)
    app.settle()
    app.driver.command("/swarm", "close Firmware 3.2.1 fixes E-21", user=app.people.agent, channel=channel)
    app.settle()
    return draft_row(sessions)


def test_the_published_article_holds_nothing_internal_and_the_review_previewed_it(
        opened, sessions, knowledge_folder):  # noqa: F811
    app, channel, _, fix_ts = opened
    draft = closed_with_the_fix_marked(app, channel, fix_ts, sessions)
    review = str(app.workspace.message(channel, draft.message_ts)["blocks"])
    assert "Preview" in review and "For the review only" in review and "Contributors (not named" in review
    app.driver.block_action(KnowledgeAction.PUBLISH, user=app.people.agent, channel=channel,
                            message_ts=draft.message_ts, value=DraftRef(draft.id).dumps())
    app.settle()
    [markdown] = knowledge_folder.glob("*.md")
    [page] = knowledge_folder.glob("*.html")
    names = [app.workspace.user(u).real_name for u in (app.people.agent, app.people.expert)]
    for text in (markdown.read_text(encoding="utf-8"), page.read_text(encoding="utf-8")):
        assert "Install firmware 3.2.1" in text and ("## Resolution" in text or "<h2>Resolution</h2>" in text)
        for internal in (*names, "Min-ji Park", "00001026", "cases.example", "slack.com", "guessed",
                         "drafted automatically", "Not found in the swarm", "Contributors"):
            assert internal not in text, internal
        assert text.count("Install firmware 3.2.1") == 1, "the steps are said once"


def test_edit_restores_one_false_positive_and_says_who_did(opened, sessions):  # noqa: F811
    app, channel, _, fix_ts = opened
    draft = closed_with_the_fix_marked(app, channel, fix_ts, sessions)
    name = next(r for r in ArticleDraft.from_dict(draft.draft).redactions if r.kind == "name")
    app.driver.block_action(KnowledgeAction.EDIT, user=app.people.agent, channel=channel,
                            message_ts=draft.message_ts, value=DraftRef(draft.id).dumps())
    app.settle()
    view = app.workspace.modal_stack(app.people.agent)[-1]
    assert view["callback_id"] == KnowledgeCallback.EDIT_VIEW
    restore = next(b for b in view["blocks"] if b["block_id"] == RESTORE_BLOCK)
    assert name.placeholder in [o["value"] for o in restore["element"]["options"]]
    assert "Min-ji Park" not in str(view), "the modal shows the hint, never the original"
    values = {b["block_id"]: {KnowledgeAction.SECTION_INPUT: {"type": "plain_text_input",
                                                               "value": b["element"].get("initial_value")}}
              for b in view["blocks"] if b["block_id"] != RESTORE_BLOCK}
    values[RESTORE_BLOCK] = {KnowledgeAction.RESTORE_INPUT: {"type": "static_select",
                                                             "selected_option": {"value": name.placeholder}}}
    app.driver.view_submission(view["id"], user=app.people.agent, values=values)
    app.settle()
    after = ArticleDraft.from_dict(draft_row(sessions).draft)
    assert "Min-ji Park" in " ".join([after.resolution, *after.steps])
    restored = next(r for r in after.redactions if r.placeholder == name.placeholder)
    assert restored.restored_by == app.people.agent and restored.restored_at
    replies = app.workspace.replies(channel, draft.message_ts)
    assert any("restored" in m.get("text", "") and name.placeholder in m.get("text", "") for m in replies)
