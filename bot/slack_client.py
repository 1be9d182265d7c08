"""The Web API client every Townhall process posts with (the web app's listeners and the
job runtime's workers alike).

It lives apart from `bot.app` so that the jobs (`bot.jobs.runtime`) can build clients
without importing the app, which imports the jobs.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

from bot import ratelimit
from catalog.settings import Settings


def web_client(settings: Settings, *, token: str | None = None) -> WebClient:
    """A Web API client on the configured base URL that retries dropped connections and
    rate limits, sharing rate-limit backoffs with the other processes through Redis
    (`REDIS_URL`; process memory without it)."""
    backoff = ratelimit.backoff_store(settings.redis_url)
    return ratelimit.SharedBackoffClient(
        backoff=backoff,
        token=token,
        base_url=settings.slack_api_url,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            ratelimit.SharedRateLimitRetryHandler(backoff, max_retry_count=3),
        ],
    )
