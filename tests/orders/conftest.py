import pytest


@pytest.fixture
def vtex_sandbox(sandbox, settings):
    """The sandbox store, with Django's VTEX settings pointing at it."""
    settings.VTEX_BASE_URL = sandbox.base_url
    settings.VTEX_APP_KEY = sandbox.app_key
    settings.VTEX_APP_TOKEN = sandbox.app_token
    return sandbox
