"""Through the stand-in: a button or shortcut naming a swarm (its id, its channel) acts on it only from the workspace
it belongs to; from another, the clicker reads a clear refusal and nothing changes."""

from sqlalchemy import select

from bot.views.experts import ExpertsAction, InviteValue
from bot.views.knowledge import KnowledgeAction, KnowledgeCallback
from swarms.experts.models import SuggestionOutcome
from swarms.knowledge.models import NoteMark
from swarms.models import Note, Swarm, SwarmMember

GLOBEX, GLOBEX_USER = "T0GLOBEX01", "U0GLXAGT01"


def test_a_join_naming_another_workspaces_swarm_is_answered_gone_and_joins_nothing(swarm_app, sessions):
    swarm_app.swarm("00001026")
    with sessions() as session:
        swarm = session.scalars(select(Swarm)).one()
    globex = swarm_app.standin.add_workspace(GLOBEX, "Globex Support")
    globex.add_user("gil", id=GLOBEX_USER, real_name="Gil Agent", locale="en-US")
    driver = swarm_app.standin.driver(swarm_app.run.server.events_url, workspace=globex)
    message = driver.user_posts(GLOBEX_USER, globex.general_id, "who is on case 00001026?")

    result = driver.block_action("swarm.offer.join", user=GLOBEX_USER, channel=globex.general_id,
                                 message_ts=message["ts"], value=str(swarm.id))
    swarm_app.settle()

    assert result.status == 200
    with sessions() as session:
        members = session.scalars(select(SwarmMember.user_id).where(SwarmMember.swarm_id == swarm.id)).all()
    assert GLOBEX_USER not in members
    assert GLOBEX_USER not in swarm_app.workspace.channel(swarm.channel_id).members
    [answer] = [r["payload"].get("text", "") for r in globex.responses(GLOBEX_USER)]
    assert answer.startswith("That swarm is no longer open"), answer


def _globex(swarm_app):
    """A second workspace beside the swarm's, with one agent, and a driver that speaks for it."""
    globex = swarm_app.standin.add_workspace(GLOBEX, "Globex Support")
    globex.add_user("gil", id=GLOBEX_USER, real_name="Gil Agent", locale="en-US")
    return globex, swarm_app.standin.driver(swarm_app.run.server.events_url, workspace=globex)


def _acme_swarm(swarm_app, sessions) -> Swarm:
    swarm_app.swarm("00001026")
    with sessions() as session:
        return session.scalars(select(Swarm)).one()


def _answers(workspace, user) -> list[str]:
    return [r["payload"].get("text", "") for r in workspace.responses(user)]


REFUSED = "That swarm is not one of this workspace's swarms. Nothing was changed."


def test_a_close_button_naming_another_workspaces_swarm_channel_is_refused_and_closes_nothing(swarm_app, sessions):
    swarm = _acme_swarm(swarm_app, sessions)
    globex, driver = _globex(swarm_app)

    result = driver.block_action(KnowledgeAction.CLOSE_SWARM, user=GLOBEX_USER, channel=swarm.channel_id,
                                 message_ts=swarm.card_ts, ephemeral=True)
    swarm_app.settle()

    assert result.status == 200
    assert any(REFUSED in text for text in _answers(globex, GLOBEX_USER)), _answers(globex, GLOBEX_USER)
    assert not globex.modal_stack(GLOBEX_USER), "no close modal opened"
    with sessions() as session:
        assert session.get(Swarm, swarm.id).status == "open"


def test_a_mark_shortcut_naming_another_workspaces_swarm_channel_is_refused_and_marks_nothing(swarm_app, sessions):
    swarm = _acme_swarm(swarm_app, sessions)
    globex, driver = _globex(swarm_app)
    ts = "1795430100.000100"
    payload = {"type": "message_action", "token": driver.verification_token, "action_ts": ts,
               "team": {"id": GLOBEX, "domain": "globex"}, "user": {"id": GLOBEX_USER, "name": "gil"},
               "channel": {"id": swarm.channel_id, "name": swarm.channel_name},
               "callback_id": KnowledgeCallback.MARK_RESOLUTION, "trigger_id": globex.new_trigger(GLOBEX_USER),
               "message_ts": ts, "message": {"type": "message", "ts": ts, "user": GLOBEX_USER, "text": "the fix"},
               "response_url": driver._response_url(GLOBEX_USER, swarm.channel_id, message_ts=ts),
               "api_app_id": globex.app_id, "is_enterprise_install": False}

    result = driver.send_payload(payload)
    swarm_app.settle()

    assert result.status == 200
    assert any(REFUSED in text for text in _answers(globex, GLOBEX_USER)), _answers(globex, GLOBEX_USER)
    with sessions() as session:
        assert session.scalars(select(NoteMark)).all() == []
        assert session.scalars(select(Note).where(Note.message_ts == ts)).all() == []


def test_an_invite_button_naming_another_workspaces_swarm_invites_nobody(swarm_app, sessions):
    swarm = _acme_swarm(swarm_app, sessions)
    globex, driver = _globex(swarm_app)
    value = InviteValue(swarm.id, (swarm_app.people.expert,)).dumps()

    result = driver.block_action(ExpertsAction.INVITE, user=GLOBEX_USER, channel=swarm.channel_id,
                                 message_ts=swarm.card_ts, value=value, ephemeral=True)
    swarm_app.settle()

    assert result.status == 200
    assert _answers(globex, GLOBEX_USER), "answered in words"
    with sessions() as session:
        assert session.scalars(select(SuggestionOutcome)).all() == []
    assert swarm_app.people.expert not in swarm_app.workspace.channel(swarm.channel_id).members
