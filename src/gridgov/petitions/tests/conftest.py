import pytest


@pytest.fixture(autouse=True)
def _matters(db):
    """The matter categories (a transactional test may have flushed the migration's rows)."""
    from gridgov.petitions.defaults import ensure_matters

    ensure_matters()
