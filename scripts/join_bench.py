#!/usr/bin/env python3
"""Scale bench of joins and subqueries (issue 12, part 1): the same data and queries on sqlmongo's embedded
engine (`sqlmongo run --timing`) and on PostgreSQL (`psql`, \\timing), at a given number of sessions.

usage: scripts/join_bench.py SESSIONS [--bin target/release/sqlmongo] [--pg] [--only Q1,Q2]
Events are 5/3 of the sessions (10% of them point at no session); 200 users; a x b is 400 x 400 (or --cross N).
Prints one line per query: name, sqlmongo ms, PostgreSQL ms, ratio; and sqlmongo's peak RSS (GNU time).
PostgreSQL runs with PGHOST/PGPORT/PGUSER/PGDATABASE from the environment and SQLMONGO_PSQL as psql.
"""
import argparse, os, random, re, subprocess, sys, tempfile, time

QUERIES = [
    ("Q1 scalar subquery", "SELECT COUNT(*) FROM user_sessions WHERE risk_score > (SELECT AVG(risk_score) + 0.55 FROM user_sessions);"),
    ("Q2 NOT IN delete", "DELETE FROM session_events WHERE session_id NOT IN (SELECT session_id FROM user_sessions);"),
    ("Q3 CTE join FILTER", "WITH ev AS (SELECT e.session_id, s.user_id, e.kind FROM session_events e JOIN user_sessions s ON e.session_id = s.session_id) SELECT user_id, COUNT(*) FILTER (WHERE kind = 'click') AS clicks, COUNT(*) AS n FROM ev GROUP BY user_id ORDER BY user_id;"),
    ("Q4 UPDATE = (subquery LIMIT 1)", "UPDATE user_sessions SET active = FALSE WHERE session_id = (SELECT session_id FROM user_sessions ORDER BY risk_score DESC, session_id LIMIT 1);"),
    ("Q5 NOT IN 200 users", "SELECT COUNT(*) FROM app_users WHERE user_id NOT IN (SELECT user_id FROM user_sessions);"),
    ("Q6 ORDER BY pk LIMIT 25", "SELECT session_id, user_id FROM user_sessions ORDER BY session_id LIMIT 25;"),
    ("Q7 CROSS JOIN count", "SELECT COUNT(*) FROM a CROSS JOIN b;"),
    ("Q8 JOIN ON count", "SELECT COUNT(*) FROM session_events e JOIN user_sessions s ON e.session_id = s.session_id;"),
    ("Q9 EXISTS correlated", "SELECT COUNT(*) FROM user_sessions s WHERE EXISTS (SELECT 1 FROM session_events e WHERE e.session_id = s.session_id AND e.kind = 'click');"),
]


def data(n, cross):
    rnd = random.Random(12)
    out = ["CREATE TABLE user_sessions (session_id TEXT, user_id TEXT, risk_score DOUBLE PRECISION, active BOOLEAN, page_views INTEGER);",
           "CREATE TABLE session_events (event_id INTEGER, session_id TEXT, kind TEXT);",
           "CREATE TABLE app_users (user_id TEXT);",
           "CREATE TABLE a (x INTEGER);", "CREATE TABLE b (y INTEGER);",
           "CREATE UNIQUE INDEX user_sessions_sid ON user_sessions (session_id);"]
    rows = []
    for i in range(n):
        risk = "NULL" if rnd.random() < 0.05 else f"{rnd.random():.3f}"
        rows.append(f"('s{i:07d}', 'u{rnd.randrange(150):03d}', {risk}, TRUE, {rnd.randrange(100)})")
    for k in range(0, len(rows), 1000):
        out.append("INSERT INTO user_sessions (session_id, user_id, risk_score, active, page_views) VALUES " + ", ".join(rows[k:k + 1000]) + ";")
    rows = []
    for i in range(n * 5 // 3):
        s = rnd.randrange(n) if rnd.random() < 0.9 else n + rnd.randrange(n)
        rows.append(f"({i}, 's{s:07d}', '{rnd.choice(['click', 'view', 'view', 'buy'])}')")
    for k in range(0, len(rows), 1000):
        out.append("INSERT INTO session_events (event_id, session_id, kind) VALUES " + ", ".join(rows[k:k + 1000]) + ";")
    out.append("INSERT INTO app_users (user_id) VALUES " + ", ".join(f"('u{i:03d}')" for i in range(200)) + ";")
    out.append("INSERT INTO a (x) VALUES " + ", ".join(f"({i})" for i in range(cross)) + ";")
    out.append("INSERT INTO b (y) VALUES " + ", ".join(f"({i})" for i in range(cross)) + ";")
    return "\n".join(out) + "\n"


def ms(s):
    m = re.search(r"([\d.]+)\s*(ms|s|µs|us)", s)
    if not m:
        return None
    v = float(m.group(1))
    return {"ms": v, "s": v * 1000, "µs": v / 1000, "us": v / 1000}[m.group(2)]


def run_sqlmongo(binary, script, queries):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "bench.sql")
        with open(path, "w") as f:
            f.write(script)
            for _, q in queries:
                f.write(q + "\n")
        t0 = time.time()
        p = subprocess.run(["/usr/bin/time", "-f", "MAXRSS %M", binary, "run", "--timing", "--format", "jsonl", path],
                           capture_output=True, text=True)
        wall = time.time() - t0
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    rss = next((int(l.split()[1]) for l in lines if l.startswith("MAXRSS")), None)
    times = [ms(l) for l in lines if not l.startswith("MAXRSS") and ms(l) is not None]
    if p.returncode != 0:
        print(p.stderr[-2000:], file=sys.stderr)
    return times[-len(queries):], rss, wall, p.stdout.splitlines()[-60:]


def run_pg(script, queries):
    psql = os.environ.get("SQLMONGO_PSQL", "psql")
    setup = "DROP TABLE IF EXISTS user_sessions, session_events, app_users, a, b;\n" + script
    subprocess.run([psql, "-q", "-v", "ON_ERROR_STOP=1"], input=setup + "ANALYZE;\n", capture_output=True, text=True, check=True)
    body = "\\timing on\n" + "\n".join(q for _, q in queries) + "\n"
    p = subprocess.run([psql, "-q", "-v", "ON_ERROR_STOP=1"], input=body, capture_output=True, text=True, check=True)
    return [ms(l) for l in p.stdout.splitlines() if l.startswith("Time:")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sessions", type=int)
    ap.add_argument("--bin", default="target/release/sqlmongo")
    ap.add_argument("--pg", action="store_true")
    ap.add_argument("--only", default="")
    ap.add_argument("--cross", type=int, default=400)
    a = ap.parse_args()
    qs = [q for q in QUERIES if not a.only or q[0].split()[0] in a.only.split(",")]
    script = data(a.sessions, a.cross)
    times, rss, wall, _ = run_sqlmongo(a.bin, script, qs)
    pg = run_pg(script, qs) if a.pg else [None] * len(qs)
    print(f"sessions={a.sessions} events={a.sessions * 5 // 3} cross={a.cross}x{a.cross} peak_rss={rss} KB wall={wall:.1f}s")
    for (name, _), t, p in zip(qs, times, pg):
        ratio = f"{t / p:.1f}x" if t is not None and p else "-"
        print(f"  {name:32s} sqlmongo {t if t is not None else float('nan'):10.1f} ms   postgres {p if p else float('nan'):8.1f} ms   {ratio}")


if __name__ == "__main__":
    main()
