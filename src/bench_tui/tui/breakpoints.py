"""The width below which pages stack their panes and drop optional columns: one number for all."""

NARROW_COLUMNS = 110

HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_COLUMNS, "-wide")]
"""Textual sets the class on every screen, pushed or in the background, on every resize:
stylesheets say `RunScreen.-narrow …` and no page measures the terminal itself."""
