"""A charm that observes nothing: what a run costs before any charm code runs."""

import ops

META = {"name": "null-charm"}


class NullCharm(ops.CharmBase):
    pass
