"""Support of bench/registry.py (issue 3): the synthetic city generator and the raw COPY
baseline. Not a benchmark itself (the Makefile runs bench/*.py only)."""
