"""Fixtures shared by the e2e and property tests."""

import pytest


@pytest.fixture(scope="session")
def bad_input_spec():
    """Context keyword arguments of a charm with an endpoint of each kind, a container, a
    storage, a config option and an action: somewhere for every bad field to go."""
    return {
        "meta": {
            "name": "fussy",
            "requires": {"db": {"interface": "sql"}},
            "peers": {"peers": {"interface": "p"}},
            "containers": {"web": {}},
            "storage": {"data": {"type": "filesystem"}},
        },
        "config": {"options": {"x": {"type": "string"}}},
        "actions": {"do": {"params": {"p": {}}}},
    }
