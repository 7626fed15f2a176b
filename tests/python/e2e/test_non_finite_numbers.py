"""nan and infinity outside StoredState / deferred data are rejected with the place named."""

import math

import ops
import pytest

from scenario import Context, State
from scenario.errors import StateValidationError

META = {"name": "floaty"}
CONFIG = {"options": {"ratio": {"type": "float", "default": 0.5}}}


class Floaty(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.config_changed, self._on_config_changed)

    def _on_config_changed(self, _):
        self.unit.status = ops.ActiveStatus(f"ratio {self.config['ratio']}")


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_non_finite_config_value_names_the_option(bad):
    ctx = Context(Floaty, meta=META, config=CONFIG)
    with pytest.raises(StateValidationError, match=r"state\.config\['ratio'\].*not a finite number"):
        ctx.run("config_changed", State(config={"ratio": bad}))


def test_a_finite_float_config_value_runs():
    out = Context(Floaty, meta=META, config=CONFIG).run("config_changed", State(config={"ratio": 0.25}))
    assert out.status.unit == ops.ActiveStatus("ratio 0.25")


def test_an_integer_beyond_64_bits_in_config_names_the_option():
    config = {"options": {"count": {"type": "int", "default": 1}}}
    ctx = Context(Floaty, meta=META, config=config)
    with pytest.raises(StateValidationError, match=r"state\.config\['count'\]: 1180591620717411303424 does not fit in 64 bits"):
        ctx.run("start", State(config={"count": 2**70}))


def test_a_value_json_cannot_carry_names_its_place():
    with pytest.raises(StateValidationError, match=r"state\.config\['ratio'\]: a object is not a value"):
        Context(Floaty, meta=META, config=CONFIG).run("start", State(config={"ratio": object()}))


def test_lifecycle_sequences_name_a_non_finite_value_too():
    from scenario.sequences import lifecycle_events

    with pytest.raises(StateValidationError, match=r"state\.config\['ratio'\].*not a finite number"):
        lifecycle_events(State(config={"ratio": math.inf}), "deploy")
