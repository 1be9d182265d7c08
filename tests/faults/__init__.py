"""Fault tests: Townhall's production processes (tests/cluster.py) under production faults.

Each test starts its own cluster — gunicorn web processes, `townhall worker` processes,
a fresh PostgreSQL database, a Redis database of its own, a fake Slack — breaks one thing
the way it breaks in production (SIGKILL of a worker mid-solve, Redis stopped and started
empty, every database connection terminated, two requests racing through two web
processes) and checks what users and the catalog see afterwards: every job done and its
result posted exactly once, one decision, one effect. They need the real services at
their default local addresses (PostgreSQL on 127.0.0.1:5432, Redis on 127.0.0.1:6379 and
the `redis-server` binary) and skip, naming what is missing, without them. Each runs in
well under a minute.
"""
