"""A small charm shaped like a real one.

On ``db-relation-changed`` it reads config (one key set, the others from config.yaml defaults),
reads the remote application and remote unit databags, reads a secret by label, adds a Pebble
layer and pushes a file into its workload container, writes both local databags and sets the
unit status. The same file works on ops 2.4.1 and ops 3.9.
"""

import json
import logging

import ops

logger = logging.getLogger(__name__)

META = {
    "name": "realistic-charm",
    "containers": {"workload": {"resource": "workload-image"}},
    "resources": {"workload-image": {"type": "oci-image"}},
    "requires": {"db": {"interface": "pgsql", "limit": 1}},
}

CONFIG = {
    "options": {
        "port": {"type": "int", "default": 8080, "description": "Port the workload listens on."},
        "log-level": {"type": "string", "default": "info", "description": "Workload log level."},
        "workers": {"type": "int", "default": 4, "description": "Worker processes."},
    }
}

CONFIG_PATH = "/etc/app/config.json"


class RealisticCharm(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.db_relation_changed, self._on_db_relation_changed)

    def _on_db_relation_changed(self, event):
        port = int(self.config["port"])
        log_level = self.config["log-level"]
        workers = int(self.config["workers"])

        relation = event.relation
        endpoint = relation.data[event.app].get("endpoint", "")
        host = relation.data[event.unit].get("host", "") if event.unit else ""

        password = self.model.get_secret(label="db-creds").get_content()["password"]

        container = self.unit.get_container("workload")
        if not container.can_connect():
            self.unit.status = ops.WaitingStatus("waiting for Pebble")
            return
        layer = {
            "summary": "app layer",
            "services": {
                "app": {
                    "override": "replace",
                    "command": f"/usr/bin/app --port {port} --workers {workers}",
                    "startup": "enabled",
                    "environment": {"LOG_LEVEL": log_level},
                }
            },
        }
        container.add_layer("app", layer, combine=True)
        settings = {"db": endpoint, "db_host": host, "password": password, "port": port}
        container.push(CONFIG_PATH, json.dumps(settings, sort_keys=True), make_dirs=True)
        logger.info("configured workload for %s", endpoint)

        relation.data[self.unit]["url"] = f"http://{self.unit.name.replace('/', '-')}:{port}"
        if self.unit.is_leader():
            relation.data[self.app]["database"] = "app"
        self.unit.status = ops.ActiveStatus(f"serving on :{port}")
