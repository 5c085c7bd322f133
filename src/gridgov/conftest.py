import pytest

from gridgov.core.testing.personas import World, build_world


@pytest.fixture
def world(db) -> World:
    """The fixed test world (see core/testing/personas.py)."""
    return build_world()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()
