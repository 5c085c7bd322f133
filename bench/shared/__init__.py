"""What every benchmark script shares: figure lines and the verdict (figures.py), and the
benchmark database with the synthetic city's areas (database.py, imported after django.setup())."""
