"""OpenAdapt training output, eval reports, episodes and predictions (FORMATS §7-§9)."""
