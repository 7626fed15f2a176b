"""The charm of the whole-suite measurement (``suite.py``): the light charm's metadata, and a
handler for each kind of generated test. The same file works on ops 2.4.1 and ops 3.9.
"""

import ops

from . import light_charm

META = {**light_charm.META, "name": "suite-charm"}
CONFIG = {"options": {**light_charm.CONFIG["options"],
                      "mode": {"type": "string", "default": "normal", "description": "Workload mode."}}}


class SuiteCharm(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.install, self._on_install)
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.update_status, self._on_update_status)
        framework.observe(self.on.db_relation_changed, self._on_db_relation_changed)
        framework.observe(self.on.workload_pebble_ready, self._on_workload_pebble_ready)

    def _on_install(self, _):
        actions = ", ".join(sorted(self.meta.actions))
        self.unit.status = ops.MaintenanceStatus(f"installed; actions: {actions}")

    def _on_start(self, _):
        token = self.model.get_secret(label="api-token").get_content()["token"]
        self.unit.status = ops.ActiveStatus(f"token ends {token[-3:]}")

    def _on_config_changed(self, _):
        port = int(self.config["port"])
        if port < 1024:
            self.unit.status = ops.BlockedStatus(f"port {port} is privileged")
        else:
            self.unit.status = ops.ActiveStatus(f"serving on :{port}")

    def _on_update_status(self, _):
        role = "leader" if self.unit.is_leader() else "follower"
        self.unit.status = ops.ActiveStatus(f"{role} in {self.config['mode']}")

    def _on_db_relation_changed(self, event):
        endpoint = event.relation.data[event.app].get("endpoint", "")
        host = event.relation.data[event.unit].get("host", "") if event.unit else ""
        event.relation.data[self.unit]["client"] = f"{host}->{endpoint}"

    def _on_workload_pebble_ready(self, event):
        port = int(self.config["port"])
        layer = {"summary": "app", "services": {"app": {
            "override": "replace", "command": f"/usr/bin/app --port {port}", "startup": "enabled"}}}
        event.workload.add_layer("app", layer, combine=True)
        event.workload.replan()
        self.unit.status = ops.ActiveStatus(f"serving on :{port}")
