"""The index: one SQLite file per opened folder in the user's cache folder, never in the results.

`store` opens it (rebuilt, with a notice, when it is corrupt or of another version); `claims`
replays what a reader read from a folder while every file it read is unchanged (discovery asks it
first); `tables` keeps the views `query` and `search` read (runs, executions, steps, labels, and
the full-text index of step text) in step with the workspace; `warm` answers from them without
a discovery while nothing they came from changed; `search` and `snippets` find and show hits;
`workspace` ties them together for the commands. No Textual here.
"""
