"""The light shape real suites are full of: on ``db-relation-changed`` it reads config and the
remote application and remote unit databags, writes the local unit databag and sets the unit
status. Its workload container is in the metadata (and, for the tools, in the State as
connectable) but the charm does not call Pebble. The same file works on ops 2.4.1 and ops 3.9.
"""

import ops

META = {
    "name": "light-charm",
    "containers": {"workload": {"resource": "workload-image"}},
    "resources": {"workload-image": {"type": "oci-image"}},
    "requires": {"db": {"interface": "pgsql", "limit": 1}},
}

CONFIG = {"options": {"port": {"type": "int", "default": 8080, "description": "Port the workload listens on."}}}

STATUS = "ready on :8080"


class LightCharm(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.db_relation_changed, self._on_db_relation_changed)

    def _on_db_relation_changed(self, event):
        port = int(self.config["port"])
        relation = event.relation
        endpoint = relation.data[event.app].get("endpoint", "")
        host = relation.data[event.unit].get("host", "") if event.unit else ""
        relation.data[self.unit]["client"] = f"{host}->{endpoint}"
        self.unit.status = ops.ActiveStatus(f"ready on :{port}")
