"""Unit tests decide strict mode per test (monkeypatch); the root conftest sets it for notebooks."""

import os

import pytest


@pytest.fixture(autouse=True)
def lenient_checks(monkeypatch):
    """Unit tests start outside strict mode and without a check log; a test opts in."""
    monkeypatch.delenv("REGCOURSE_STRICT", raising=False)
    monkeypatch.delenv("REGCOURSE_CHECK_LOG", raising=False)
    monkeypatch.delenv("REGCOURSE_CHECK_TIMEOUT", raising=False)
    yield


assert os.environ.get("KERAS_BACKEND") == "torch", "the root conftest.py sets the Keras backend"
