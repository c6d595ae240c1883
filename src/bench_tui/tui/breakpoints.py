"""The sizes below which pages change their layout: one number for each, for all pages."""

NARROW_COLUMNS = 110
"""Below this width pages stack their panes and drop optional columns."""

SHORT_ROWS = 32
"""Below this height (when narrow too) a step's screenshot and its details sit side by side."""

HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_COLUMNS, "-wide")]
"""Textual sets the class on every screen, pushed or in the background, on every resize:
stylesheets say `RunScreen.-narrow …` and no page measures the terminal itself."""

VERTICAL_BREAKPOINTS = [(0, "-short"), (SHORT_ROWS, "-tall")]
"""The same for the height: `TaskScreen.-narrow.-short …`."""
