#!/usr/bin/env python3
"""A small Kubernetes charm: a web server configured from config and a database relation."""

import json
import logging

import ops

logger = logging.getLogger(__name__)

CONFIG_PATH = "/etc/webapp/config.json"


class WebappCharm(ops.CharmBase):
    _stored = ops.StoredState()  # type: ignore[no-untyped-call]  # (ops declares no return type)

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        self._stored.set_default(starts=0)
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.webapp_pebble_ready, self._on_pebble_ready)
        framework.observe(self.on.db_relation_changed, self._on_db_relation_changed)
        framework.observe(self.on.show_config_action, self._on_show_config)

    def _on_start(self, _: ops.StartEvent) -> None:
        self._stored.starts += 1
        logger.info("started %d time(s)", self._stored.starts)
        self.unit.status = ops.ActiveStatus("serving")

    def _on_config_changed(self, _: ops.ConfigChangedEvent) -> None:
        port = int(self.config["port"])
        if not 1024 <= port <= 65535:
            self.unit.status = ops.BlockedStatus(f"port {port} is not in 1024-65535")
            return
        if self.unit.is_leader():
            peers = self.model.get_relation("replicas")
            if peers is not None:
                peers.data[self.app]["port"] = str(port)
        self.unit.status = ops.ActiveStatus("serving")

    def _on_pebble_ready(self, event: ops.PebbleReadyEvent) -> None:
        container = event.workload
        layer: ops.pebble.LayerDict = {
            "summary": "webapp",
            "services": {
                "webapp": {
                    "override": "replace",
                    "command": f"/bin/webapp --port {self.config['port']}",
                    "startup": "enabled",
                }
            },
        }
        container.add_layer("webapp", layer, combine=True)
        config = {"greeting": self.config["greeting"], "database": self._database_host()}
        container.push(CONFIG_PATH, json.dumps(config), make_dirs=True)
        container.replan()
        self.unit.set_workload_version("1.0.0")
        self.unit.status = ops.ActiveStatus("serving")

    def _on_db_relation_changed(self, event: ops.RelationChangedEvent) -> None:
        host = event.relation.data[event.app].get("host")
        if not host:
            self.unit.status = ops.WaitingStatus("waiting for the database address")
            event.defer()
            return
        event.relation.data[self.unit]["url"] = f"http://{host}:{self.config['port']}/"
        self.unit.status = ops.ActiveStatus("serving")

    def _on_show_config(self, event: ops.ActionEvent) -> None:
        results = {"port": self.config["port"], "greeting": self.config["greeting"]}
        if event.params["verbose"]:
            results["database"] = self._database_host() or "none"
        event.log("reporting configuration")
        event.set_results(results)

    def _database_host(self) -> str:
        relation = self.model.get_relation("db")
        if relation is None or relation.app is None:
            return ""
        return relation.data[relation.app].get("host", "")


if __name__ == "__main__":  # pragma: no cover
    ops.main(WebappCharm)
