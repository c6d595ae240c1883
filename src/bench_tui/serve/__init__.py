"""`bench-tui serve` (extra `bench-tui[serve]`): the app in a browser tab, on textual-serve."""
