"""Through the stand-in: a button naming a swarm by its id joins it only from the workspace it belongs to."""

from sqlalchemy import select

from swarms.models import Swarm, SwarmMember

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
