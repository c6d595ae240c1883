"""The width below which pages stack their panes and drop optional columns: one number for all."""

NARROW_COLUMNS = 110
