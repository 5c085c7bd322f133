"""Figures computed from records, for any area and period, each linked to its records."""
