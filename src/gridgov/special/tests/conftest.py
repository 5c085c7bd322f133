import pytest

from gridgov.special.defaults import seed_defaults
from gridgov.special.models import SpecialType, VisitRule


@pytest.fixture(autouse=True)
def _special_defaults(db):
    """The default types and rules (a transactional test before may have flushed them)."""
    seed_defaults(SpecialType, VisitRule)
