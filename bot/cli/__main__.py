"""`python -m bot.cli`, the same as the `townhall` console script."""

from bot.cli import main

main()
