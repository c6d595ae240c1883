"""OpenAdapt benchmark runs (FORMATS §4) and the live progress files of a running evaluation (§5)."""
