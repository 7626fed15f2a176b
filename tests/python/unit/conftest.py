"""Unit tests of the pure-Python layer: they need ops, not the C++ engine.

When the extension is not built (PYTHONPATH=python checkouts), a stand-in `scenario._engine`
is registered so `import scenario` works; anything that would really call the engine fails
loudly instead.
"""

import sys
import types

import pytest


def _install_engine_stub() -> None:
    stub = types.ModuleType("scenario._engine")

    def __getattr__(name: str):
        if name.startswith("__"):
            raise AttributeError(name)

        class _Missing:
            def __init__(self, *args, **kwargs):
                raise RuntimeError(f"scenario._engine.{name}: the C++ engine is not built")

        _Missing.__name__ = name
        return _Missing

    stub.__getattr__ = __getattr__  # type: ignore[attr-defined]
    sys.modules["scenario._engine"] = stub


try:
    import scenario  # noqa: F401
except ImportError as e:
    if "_engine" not in str(e) and "engine" not in str(e):
        raise
    for mod in [m for m in sys.modules if m == "scenario" or m.startswith("scenario.")]:
        del sys.modules[mod]
    _install_engine_stub()
    import scenario  # noqa: F401,E402

from scenario.state import relation_id_scope  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_relation_ids():
    # what the installed pytest plugin does for every test
    with relation_id_scope():
        yield
