"""A charm that defers ``start`` until it is leader, for the deferral round trip.

Run 1 (``start``, not leader) defers; run 2 (``update-status``, leader) re-emits the deferred
``start`` first, which now completes and sets the unit status.
"""

import ops

META = {"name": "deferring-charm"}


class DeferringCharm(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.update_status, self._on_update_status)

    def _on_start(self, event):
        if not self.unit.is_leader():
            event.defer()
            return
        self.unit.status = ops.ActiveStatus("started")

    def _on_update_status(self, event):
        pass
