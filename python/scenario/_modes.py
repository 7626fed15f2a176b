"""How Scenario runs are set up from the environment: 0/1 switches read at each run."""

import os

STRICT_VARIABLE = "SCENARIO_STRICT"


def environment_switch(variable: str, default: str, meaning_of_1: str, meaning_of_0: str) -> bool:
    """A 0/1 environment switch, read at each call; any other value is an error naming both."""
    value = os.environ.get(variable, default)
    if value not in ("0", "1"):
        default_1, default_0 = ("the default: ", "") if default == "1" else ("", "the default: ")
        raise ValueError(
            f"{variable}={value!r}: use 1 ({default_1}{meaning_of_1}) or 0 ({default_0}{meaning_of_0})"
        )
    return value == "1"


def strict_from_environment() -> bool:
    """Strict mode as SCENARIO_STRICT says (unset: compatible with ops-scenario 3.1)."""
    return environment_switch(
        STRICT_VARIABLE,
        "0",
        "Juju's and Pebble's rules bind",
        "ops-scenario 3.1's behaviour, with a JujuDivergenceWarning where Juju differs",
    )
