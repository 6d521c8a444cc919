"""One Korean analyser per process, whoever asks first; without kiwipiepy the app still analyses and redacts."""

from __future__ import annotations

import subprocess
import sys

from bot.cli import main
from korean_analysis import analyser
from slack_standin import SlackStandIn

ONE_KIWI = """
import kiwipiepy
made = []
class Counted(kiwipiepy.Kiwi):
    def __init__(self, *args, **kwargs):
        made.append(kwargs)
        super().__init__(*args, **kwargs)
kiwipiepy.Kiwi = Counted
from expert_finder.normalize import expand
from knowledge_export.redaction import redact
from swarms.opening.problem_similarity import analyse
redact("김보람 과장님이 로그를 보냈습니다")
print(expand("펌웨어가 실패했습니다"), len(analyse("배터리 충전이 멈췄습니다").terms) > 0)
redact("송민호 대리가 확인했습니다")
print(len(made), made[0])
"""

WITHOUT_KIWIPIEPY = """
import sys
sys.modules["kiwipiepy"] = None
from expert_finder.normalize import expand
from knowledge_export.redaction import redact
from korean_analysis import analyser
from swarms.opening.problem_similarity import analyse
print(analyser.describe())
print(expand("결제가 실패했습니다"), "|", expand("펌웨어가 멈췄어요"))
print(redact("김영희 주임님께서 사진을 보내주셨습니다. 나래 대리님께 공유했습니다.").text)
print(redact("하늘이 흐린 날에는 발전량이 줄어듭니다. 기술팀 팀장에게 보고했습니다.").text)
print(len(analyse("배터리 충전이 80%에서 멈춥니다").terms))
"""


def run(script: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    return done.stdout.splitlines()


def test_the_finder_the_offer_and_the_redaction_share_one_plain_kiwi():
    """Given all three analysing Korean in one process, kiwipiepy's model is loaded once, without the typo
    and multi-word dictionaries (they changed no measured figure and cost ~170 MB)."""
    lines = run(ONE_KIWI)
    assert lines[0] == "firmware 실패 True"
    assert lines[1] == "1 {'load_typo_dict': False, 'load_multi_dict': False}"


def test_without_kiwipiepy_korean_is_split_by_rules_and_korean_names_are_still_redacted():
    describe, expanded, names, ordinary, terms = run(WITHOUT_KIWIPIEPY)
    assert describe == "rules (kiwipiepy is not installed; pip install 'case-swarm[korean]' for morphemes)"
    assert expanded == "결제 실패 | firmware 멈추"
    assert names == "[NAME-1] 주임님께서 사진을 보내주셨습니다. [NAME-2] 대리님께 공유했습니다."
    assert ordinary == "하늘이 흐린 날에는 발전량이 줄어듭니다. 기술팀 팀장에게 보고했습니다."
    assert int(terms) > 0


def test_check_says_which_korean_analysis_is_in_use(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'check.sqlite3'}")
    with SlackStandIn(signing_secret="secret", bot_token="xoxb-the-right-one") as standin:
        monkeypatch.setenv("SLACK_API_URL", standin.api_url)
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-the-right-one")
        assert main(["check"]) == 0
        with_model = capsys.readouterr().out.splitlines()
        monkeypatch.setitem(sys.modules, "kiwipiepy", None)  # as in an install without the korean extra
        monkeypatch.setattr(analyser, "_loaded", {})
        assert main(["check"]) == 0
        without = capsys.readouterr().out.splitlines()
    assert [line for line in with_model if "Korean" in line] == [
        "ok  Korean analysis: kiwipiepy morphemes (its model loads at the first Korean text)"]
    assert [line for line in without if "Korean" in line] == [
        "ok  Korean analysis: rules (kiwipiepy is not installed; pip install 'case-swarm[korean]' for morphemes)"]


def test_a_kiwipiepy_whose_model_does_not_load_leaves_korean_to_the_rules_and_says_so_once(monkeypatch, caplog):
    """Given kiwipiepy importable but its model failing to load (the model package missing or unreadable),
    Korean words are split by the rules instead of every caller failing, and the log says why once."""
    import types

    from korean_analysis.rules import split_word

    made = []

    class BrokenKiwi:
        def __init__(self, **kwargs):
            made.append(kwargs)
            raise OSError("Cannot open extract.mdl")

    monkeypatch.setitem(sys.modules, "kiwipiepy", types.SimpleNamespace(Kiwi=BrokenKiwi))
    monkeypatch.setattr(analyser, "_loaded", {})

    assert analyser.morphemes("결제가") == split_word("결제가")
    assert analyser.morphemes("실패했습니다") == split_word("실패했습니다")
    assert not analyser.has_model()
    assert len(made) == 1
    assert [r.getMessage() for r in caplog.records if "model does not load" in r.getMessage()] == [
        "kiwipiepy's model does not load: Korean words are split by rules"]
