#!/usr/bin/env python3
"""Benchmark: revocation of USERS users when CUCM pushes back (`collab.uc.cucm_refresh_tokens`, issue 22).

Against the simulator with LATENCY ms added to every request:

1. a token-bucket limit of RATE revoke requests a second (the simulator's fault `rate_limit`, burst BURST): the
   rate of successful revokes while the revocation ran, against RATE (target: at least 90 %), and the share of
   revoke requests refused (target: at most 5 %);
2. 10 % of the revoke calls answered 503 at random (`http_503_rate`): the task time against the ideal
   USERS x LATENCY / CONCURRENCY (target: at least 80 %); every user revoked once; for scale, the same task
   without any 503 right after it (what the machine allows now), and the time a request held its slot in each and
   in a bare loop of the same requests (HttpSession in CONCURRENCY threads);
3. the revocation engine alone (no HTTP, no simulator: a revoker that sleeps LATENCY and answers 503 at random),
   which no CPU load disturbs much: without 503s, and with 10 % of 503s under the adaptive limiter's rule for a
   bare 503 (congestion only above a quarter of the recent answers) and under the rule before it (every 503
   counts: ``loss_threshold`` 0), to show where the time of the run with 503s goes.

    .venv/bin/python bench/bench_throttle.py [--users 10000] [--rate 100] [--burst 10] [--latency-ms 20]
        [--concurrency 8] [--engine-users 10000] [--no-readme]

Needs `make build` and ucsim (`make venv`). Writes the figures into bench/README.md between its markers.
"""

import argparse
import os
import platform
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_revocation as br  # noqa: E402  (the revocation benchmark's lab, task and report check)
from bench_revocation import helpers  # noqa: E402
from readme import update_section  # noqa: E402


def revoke_log(sim):
    return [r for r in sim.get_requests() if r["operation"] == "revoke"]


def engine_run(users, share, latency, concurrency, loss_threshold, loss_min_answers=16, seed=7):
    """The revocation engine alone: a revoker that sleeps ``latency`` seconds and answers 503 to ``share`` of the
    calls at random. Returns (seconds, calls, 503s, window cuts)."""
    sys.path.insert(0, str(helpers.collections_path()))
    from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_rest import REVOKED
    from ansible_collections.collab.uc.plugins.module_utils.domain.revocation._lookup import Lookup as Found
    from ansible_collections.collab.uc.plugins.module_utils.domain.revocation._run import Revocation
    from ansible_collections.collab.uc.plugins.module_utils.transport._adaptive import AdaptiveLimiter
    from ansible_collections.collab.uc.plugins.module_utils.transport._errors import Unavailable

    rng, lock = random.Random(seed), threading.Lock()
    counts = {"calls": 0, "busy": 0}

    class Lookup:
        def lookup(self, chunk):
            return Found(set(chunk), dict((u, 1) for u in chunk))

    class Revoker:
        def revoke(self, user, client_id=None):
            with lock:
                counts["calls"] += 1
                refused = rng.random() < share
            time.sleep(latency)
            if refused:
                with lock:
                    counts["busy"] += 1
                raise Unavailable("server busy", host="bench", operation="revoke", status=503, product="CUCM")
            return REVOKED, 1, None

    names = ["u%06d" % n for n in range(users)]
    limiter = AdaptiveLimiter(concurrency, loss_threshold=loss_threshold, loss_min_answers=loss_min_answers)
    started = time.monotonic()
    run = Revocation(names, Lookup(), Revoker, concurrency=concurrency, limiter=limiter).run()
    ended = time.monotonic()
    if run.summary()["revoked"] != users:
        raise SystemExit("the engine did not revoke every user: %s" % run.summary())
    return ended - started, counts["calls"], counts["busy"], limiter.decreases


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10000)
    # 100 a second by default: well under what CONCURRENCY senders can carry here at 20 ms (8 slots of about 23 ms:
    # 340 a second), so that the bucket, not the machine, is the limit being measured (200 a second came close to
    # the machine's own ceiling, and its figures moved with the machine's load)
    parser.add_argument("--rate", type=float, default=100.0, help="token bucket: revoke requests a second")
    parser.add_argument("--burst", type=int, default=10)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--engine-users", type=int, default=10000)
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--section", default="bench_throttle",
                        help="the section of bench/README.md it writes (a second one for a second latency, e.g. "
                             "bench_throttle_wan for --latency-ms 100)")
    args = parser.parse_args()
    problem = helpers.check_installed_collection()
    if problem:
        raise SystemExit(problem)
    load_start = os.getloadavg()
    lines = []
    with tempfile.TemporaryDirectory() as tmp_name, \
            helpers.Simulator.start(lab=br.LAB % args.users, state_dir=Path(tmp_name) / "sim") as sim:
        tmp = Path(tmp_name)
        env = sim.cucm_env()
        interpreter = tmp / "python-rss"  # the revocation benchmark's wrapper: the module's wall time
        interpreter.write_text(br.RSS_WRAPPER % (sys.executable, sys.executable))
        interpreter.chmod(0o755)
        expected = br.users(1, args.users)

        # 1. token bucket ---------------------------------------------------------------------------------------
        sim.faults(latency_ms=args.latency_ms,
                   rate_limit={"rps": args.rate, "burst": args.burst, "operations": ["revoke"]})
        seconds, module, report, _rss, _wall = br.revoke_task(sim, env, tmp, 1, args.users, args.concurrency,
                                                              interpreter)
        log = revoke_log(sim)
        ok = [r for r in log if r["status"] == 200]
        refused = [r for r in log if r.get("rate_refused")]
        span = ok[-1]["time"] - ok[0]["time"]
        used = (len(ok) - 1) / span / args.rate
        refused_share = len(refused) / len(log)
        good = br.check_report(report, expected) and len(ok) == args.users
        lines += [
            "Measured %s on %s, Python %s, %d cores, load average %.1f %.1f %.1f at the start; simulator latency "
            "%g ms on every request; concurrency %d." % (
                time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), platform.machine(), platform.python_version(),
                os.cpu_count(), *load_start, args.latency_ms, args.concurrency),
            "",
            "| measurement | figure | target |",
            "|---|---|---|",
            "| token bucket of %g revoke requests a second (burst %d), %d users: rate of successful revokes, first "
            "to last (%.1f s), share of the limit | %.1f a second, %.1f %% | at least 90 %%: %s |"
            % (args.rate, args.burst, args.users, span, used * args.rate, 100 * used,
               "met" if used >= 0.9 else "NOT met"),
            "| the same run: revoke requests refused by the bucket | %d of %d, %.1f %% | at most 5 %%: %s |"
            % (len(refused), len(log), 100 * refused_share, "met" if refused_share <= 0.05 else "NOT met"),
            "| the same run: task time; every user revoked once (log and report) | %.1f s; %s | |"
            % (seconds, "yes" if good else "NO"),
        ]

        # 2. random 503s ----------------------------------------------------------------------------------------
        sim.reset(state=True)
        sim.faults(latency_ms=args.latency_ms, http_503_rate=0.1, seed=7)
        seconds, module, report, _rss, wall = br.revoke_task(sim, env, tmp, 1, args.users, args.concurrency,
                                                             interpreter)
        log = revoke_log(sim)
        ok_paths = [r["path"] for r in log if r["status"] == 200]
        throttled = sum(1 for r in log if r["status"] == 503)
        once = len(ok_paths) == len(set(ok_paths)) == args.users and br.check_report(report, expected)
        ideal = args.users * args.latency_ms / 1000.0 / args.concurrency
        share = ideal / seconds
        floor = (args.users + throttled) * args.latency_ms / 1000.0 / args.concurrency
        per_call = (log[-1]["time"] - log[0]["time"]) * args.concurrency / len(log)  # seconds a call held its slot
        # for scale: the same task without a 503, right after (what this machine allows now)
        sim.reset(state=True)
        sim.faults(latency_ms=args.latency_ms)
        clean, _module, _report, _rss, clean_wall = br.revoke_task(sim, env, tmp, 1, args.users, args.concurrency,
                                                                   interpreter)
        clean_log = revoke_log(sim)
        clean_call = (clean_log[-1]["time"] - clean_log[0]["time"]) * args.concurrency / len(clean_log)
        # and a bare loop of the same requests: the collection's HttpSession in CONCURRENCY threads, nothing else
        sim.reset(state=True)
        sim.faults(latency_ms=args.latency_ms)
        bare_call = br.bare_loop(sim, expected, args.concurrency) * args.concurrency / args.users
        latency_s = args.latency_ms / 1000.0
        note = ("The %d retried calls are requests too: %d x %g ms / %d = %.1f s (%.0f %% of the ideal) is the floor "
                "of the run with 503s under any retry policy. A bare 503 (no Retry-After) counts as congestion only "
                "while 503s are more than a quarter of the last 64 answers, judged from the 16th answer on: 10 %% at "
                "random never are, so the window stays and a refused user is retried after the first step of the "
                "backoff (for its first three retries; one user in ten thousand is refused a fourth time); pacing "
                "at the admitted rate starts with a rate limit (a Retry-After), which the simulator's token bucket "
                "sends."
                % (throttled, args.users + throttled, args.latency_ms, args.concurrency, floor, 100 * ideal / floor))
        span = per_call * len(log) / args.concurrency
        note += (" Where the rest goes: on this machine at this load a request held its slot %.1f ms in a bare loop "
                 "of HttpSession requests, not %g ms (%.0f %%); with the retried calls, %.0f %% of the ideal is the "
                 "best the run with 503s could reach here now, before the module's start and end and Ansible's part "
                 "(the revoke requests spanned %.1f s of the %.1f s task; a request held its slot %.1f ms in it)."
                 % (1000 * bare_call, args.latency_ms, 100 * latency_s / bare_call,
                    100 * latency_s / bare_call * args.users / (args.users + throttled), span, seconds,
                    1000 * per_call))
        lines += [
            "| 10 %% of revoke calls answered 503 at random (%d answered 503), %d users: task time, share of the "
            "ideal %d x %g ms / %d = %.1f s | %.1f s, %.0f %% (module process alone %.1f s, %.0f %%) | at least "
            "80 %%: %s |" % (throttled, args.users, args.users, args.latency_ms, args.concurrency, ideal, seconds,
                             100 * share, wall, 100 * ideal / wall, "met" if share >= 0.8 else "NOT met"),
            "| the same run: every user revoked once (log and report) | %s | all, none twice: %s |"
            % ("yes" if once else "NO", "met" if once else "NOT met"),
            "| for scale, right after: the same task without any 503: task time, share of the ideal; the run with "
            "503s against it times %d / %d (the retried calls) | %.1f s, %.0f %% (module process alone %.1f s); "
            "%.0f %% | |" % (args.users + throttled, args.users, clean, 100 * ideal / clean, clean_wall,
                             100 * clean * (args.users + throttled) / args.users / seconds),
            "| where the time goes: first to last revoke request x concurrency / revoke requests, the time a request "
            "held its slot (the latency is %g ms), with 503s; without; a bare loop of the requests right after "
            "(HttpSession in %d threads: no engine, no Ansible) | %.1f ms; %.1f ms; %.1f ms | |"
            % (args.latency_ms, args.concurrency, 1000 * per_call, 1000 * clean_call, 1000 * bare_call),
        ]

    # 3. the engine alone -------------------------------------------------------------------------------------------
    latency = args.latency_ms / 1000.0
    e_ideal = args.engine_users * latency / args.concurrency
    engine = [("no 503", 0.0, 0.25, 16), ("10 % of 503s at random, the rule now (congestion above a quarter "
                                          "of the last 64 answers, from the 16th on)", 0.1, 0.25, 16),
              ("10 % of 503s at random, the rule before (every 503 counts: window halved, backoff grown)", 0.1, 0.0,
               0)]
    lines += [
        "",
        "The revocation engine alone (no HTTP, no simulator, so the machine's load hardly matters): %d users, a "
        "revoker that sleeps %g ms and answers 503 at random, concurrency %d; ideal %d x %g ms / %d = %.1f s."
        % (args.engine_users, args.latency_ms, args.concurrency, args.engine_users, args.latency_ms,
           args.concurrency, e_ideal),
        "",
        "| engine run | time | share of the ideal | calls (503) | floor (calls x latency / concurrency), share of "
        "the time | window cuts |",
        "|---|---|---|---|---|---|",
    ]
    for label, refused, threshold, min_answers in engine:
        took, calls, busy, cuts = engine_run(args.engine_users, refused, latency, args.concurrency, threshold,
                                             min_answers)
        e_floor = calls * latency / args.concurrency
        lines.append("| %s | %.1f s | %.0f %% | %d (%d) | %.1f s, %.0f %% | %d |"
                     % (label, took, 100 * e_ideal / took, calls, busy, e_floor, 100 * e_floor / took, cuts))
    load_end = os.getloadavg()
    lines += [
        "",
        "Load average %.1f %.1f %.1f at the end (2 cores shared with other work: read the figures against the "
        "bare loop of the revocation benchmark above)." % load_end,
        "",
        note,
        "",
        "Reproduce: `make build && .venv/bin/python bench/bench_throttle.py%s` (`--help` lists the knobs)."
        % "".join(" " + arg for arg in sys.argv[1:] if arg != "--no-readme"),
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_readme:
        title = "Revocation when CUCM pushes back (issue 22)"
        if args.section != "bench_throttle":
            title += ", %g ms a request" % args.latency_ms
        update_section(HERE / "README.md", args.section, title, text)


if __name__ == "__main__":
    main()
