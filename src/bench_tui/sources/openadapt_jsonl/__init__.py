"""OpenAdapt full-eval JSONL logs (FORMATS §6): a `_meta` line, then one line per finished task."""
