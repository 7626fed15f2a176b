"""The Pebble work of a typical Kubernetes charm, and the same charm without it.

``PebbleCharm`` on ``start``: ``can_connect``, ``add_layer`` (one service, startup enabled,
``combine=True``), ``push`` of a config file (``make_dirs=True``), ``replan``, then an active
status. ``PebbleFreeCharm`` is its baseline: the same charm code — it builds the same layer dict
and file text and sets the same status — with no container in its metadata and no container
calls. ``median(pebble) - median(pebble-free)`` is therefore what the container costs: the
container in the State and metadata, the Pebble the framework serves, the four calls, and the
container in the output State. The same file works on ops 2.4.1 and ops 3.9.
"""

import json

import ops

CONTAINER = "workload"
CONFIG_PATH = "/etc/app/config.json"
SERVICE = "app"
STATUS = "ready"

META = {
    "name": "pebble-charm",
    "containers": {CONTAINER: {"resource": "workload-image"}},
    "resources": {"workload-image": {"type": "oci-image"}},
}

FREE_META = {"name": "pebble-free-charm"}


def _layer():
    return {
        "summary": "app layer",
        "services": {
            SERVICE: {
                "override": "replace",
                "command": "/usr/bin/app --port 8080",
                "startup": "enabled",
                "environment": {"LOG_LEVEL": "info"},
            }
        },
    }


def _config_text():
    return json.dumps({"port": 8080, "log_level": "info"}, sort_keys=True)


CONFIG_TEXT = _config_text()


class _Base(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)

    def _on_start(self, event):
        layer = _layer()
        text = _config_text()
        if not self._configure(layer, text):
            self.unit.status = ops.WaitingStatus("waiting for Pebble")
            return
        self.unit.status = ops.ActiveStatus(STATUS)

    def _configure(self, layer, text):
        """Hand the layer and file to the workload; False if it cannot be reached yet."""
        raise NotImplementedError


class PebbleCharm(_Base):
    def _configure(self, layer, text):
        container = self.unit.get_container(CONTAINER)
        if not container.can_connect():
            return False
        container.add_layer(SERVICE, layer, combine=True)
        container.push(CONFIG_PATH, text, make_dirs=True)
        container.replan()
        return True


class PebbleFreeCharm(_Base):
    def _configure(self, layer, text):
        return True
