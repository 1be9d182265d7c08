"""Bolt listeners: thin adapters from Slack requests to the command registry
(`bot.commands`) and the use cases, and back."""
