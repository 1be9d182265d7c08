"""Create or drop a throwaway PostgreSQL database for a CI run: pgdb.py create|drop URL NAME."""

import sys

import psycopg

action, admin_url, name = sys.argv[1:4]
with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
    if action == "create":
        conn.execute(f'CREATE DATABASE "{name}"')
    else:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
