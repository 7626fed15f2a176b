"""When the charm raises: UncaughtCharmError from the charm's own exception, shown charm-first."""

import os
import subprocess
import sys
import textwrap

import ops
import pytest

from scenario import Context, State, UncaughtCharmError


class Exploding(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)

    def _on_start(self, _):
        self._fail_deep()

    def _fail_deep(self):
        raise ValueError("the database is on fire")


def test_uncaught_charm_error_wraps_the_original():
    ctx = Context(Exploding, meta={"name": "exploding"})
    with pytest.raises(UncaughtCharmError, match="Exploding raised ValueError while handling 'start'") as info:
        ctx.run("start", State())
    assert isinstance(info.value.__cause__, ValueError)
    assert str(info.value.__cause__) == "the database is on fire"


def test_environment_is_restored_after_a_charm_error():
    before = dict(os.environ)
    with pytest.raises(UncaughtCharmError):
        Context(Exploding, meta={"name": "exploding"}).run("start", State())
    assert dict(os.environ) == before


def test_bare_charm_errors_propagates_the_original():
    ctx = Context(Exploding, meta={"name": "exploding"}, bare_charm_errors=True)
    with pytest.raises(ValueError, match="on fire"):
        ctx.run("start", State())


SAMPLE = '''
import ops
from scenario import Context, State


class Exploding(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)

    def _on_start(self, _):
        raise ValueError("the database is on fire")


def test_start():
    Context(Exploding, meta={"name": "exploding"}).run("start", State())
'''


def test_pytest_shows_the_charm_frames_first_and_hides_ours(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text(textwrap.dedent(SAMPLE))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--tb=long", str(sample)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    out = result.stdout
    assert result.returncode == 1, out
    charm_frame = out.index('raise ValueError("the database is on fire")')
    wrapper = out.index("UncaughtCharmError: Exploding raised ValueError while handling 'start'")
    assert charm_frame < wrapper  # the charm's traceback comes first
    first_traceback = out[:out.index("The above exception was the direct cause")]
    assert "_main.py" not in first_traceback and "ops/main.py" not in first_traceback
    assert "scenario/context.py" not in out
    assert "scenario/_adapter.py" not in out
