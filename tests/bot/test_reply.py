"""What users are told when something fails that they cannot fix."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from bot.reply import error_reply


def test_a_database_failure_is_reported_without_its_sql():
    exc = OperationalError("SELECT workspaces.team_id FROM workspaces", {}, Exception("gone"))
    reply = error_reply(exc)
    assert reply.error
    assert "could not be reached" in reply.text
    assert "SELECT" not in reply.text and "workspaces" not in str(reply.blocks)


def test_an_unexpected_error_names_its_kind():
    reply = error_reply(KeyError("channel"))
    assert reply.error and "KeyError" in reply.text
