"""Bolt listeners: thin adapters from Slack requests to `bot.service` and back."""
