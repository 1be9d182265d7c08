"""Background jobs: solves, what-ifs, explanations and exports, off the request path.

A job is a row in the catalog (`catalog.services.jobs`) plus a message on a queue
(`queue`): Redis with RQ when `REDIS_URL` is set (`townhall worker` runs it), a thread pool
in the same process otherwise. Either way the queue calls `runner.run`, which claims the
row, rebuilds the work from its request, posts progress and the result to Slack, and
records the result. `sweeper` recovers jobs whose worker died or whose queue lost them.
`deadline` holds every job to its wall-clock limit.
"""
