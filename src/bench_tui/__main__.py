"""`python -m bench_tui`: the same command line as the `bench-tui` script (serve starts the app
this way in each browser session, whatever the console script is called on PATH)."""

from bench_tui.cli import main

main()
