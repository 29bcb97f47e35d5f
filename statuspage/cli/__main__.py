"""`python -m statuspage.cli` runs the console script."""

from statuspage.cli import main

main()
