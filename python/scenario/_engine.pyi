"""
Scenario's C++ engine: Juju hook tools, Pebble, unit state, consistency checks.
"""

from collections.abc import Sequence
import os
import pathlib


MAX_NESTING_DEPTH: int = 100

class CharmSpec:
    @staticmethod
    def from_json(meta: str, config: str, actions: str) -> CharmSpec: ...

    @staticmethod
    def from_directory(charm_root: str) -> CharmSpec: ...

    @property
    def name(self) -> str: ...

    @property
    def meta_json(self) -> str: ...

    @property
    def config_json(self) -> str: ...

    @property
    def actions_json(self) -> str: ...

class PebbleServer:
    def __init__(self, socket_dir: str | os.PathLike) -> None: ...

    def detach_all(self) -> None: ...

class RunOptions:
    """How one run is set up (engine/runtime/run.hpp)."""

    def __init__(self) -> None: ...

    @property
    def app_name(self) -> str: ...

    @app_name.setter
    def app_name(self, arg: str, /) -> None: ...

    @property
    def juju_version(self) -> str: ...

    @juju_version.setter
    def juju_version(self, arg: str, /) -> None: ...

    @property
    def charm_dir(self) -> pathlib.Path: ...

    @charm_dir.setter
    def charm_dir(self, arg: str | os.PathLike, /) -> None: ...

    @property
    def charm_class_name(self) -> str: ...

    @charm_class_name.setter
    def charm_class_name(self, arg: str, /) -> None: ...

    @property
    def skip_consistency_checks(self) -> bool: ...

    @skip_consistency_checks.setter
    def skip_consistency_checks(self, arg: bool, /) -> None: ...

    @property
    def unit_state_in_memory(self) -> bool: ...

    @unit_state_in_memory.setter
    def unit_state_in_memory(self, arg: bool, /) -> None: ...

    @property
    def storage_root(self) -> pathlib.Path: ...

    @storage_root.setter
    def storage_root(self, arg: str | os.PathLike, /) -> None: ...

    @property
    def share_cpu_with_pebble(self) -> bool: ...

    @share_cpu_with_pebble.setter
    def share_cpu_with_pebble(self, arg: bool, /) -> None: ...

    @property
    def strict(self) -> bool: ...

    @strict.setter
    def strict(self, arg: bool, /) -> None: ...

class Run:
    def __init__(self, spec: CharmSpec, state: object, event: object, options: RunOptions, pebble: PebbleServer | None) -> None: ...

    @property
    def environment(self) -> dict[str, str]: ...

    @property
    def warnings(self) -> list[str]: ...

    @property
    def divergences(self) -> list[str]: ...

    def call_tool(self, argv: Sequence[str], stdin: str = '') -> tuple[int, str, str]: ...

    def client_divergence(self, kind: str, subject: str) -> str | None: ...

    @property
    def commit_failure(self) -> str | None: ...

    def pebble_socket(self, container: str) -> str: ...

    @property
    def unit_state_path(self) -> str: ...

    @property
    def unit_state_image(self) -> bytes: ...

    def finish(self, unit_state_image: bytes | None = None) -> object: ...

def check_consistency(spec: CharmSpec, state: object, event: object, juju_version: str, strict: bool = False, areas: Sequence[str] = []) -> tuple[list[str], list[str]]:
    """
    Checks State x Event x charm spec as a run does (only `areas`, if given; see checker_areas()), without running the charm: raises InconsistentScenarioError, else returns (warnings, divergences).
    """

def opened_port_problem(protocol: str, port: int | None, to_port: int | None = None) -> str | None:
    """
    What Juju refuses in an opened port (e.g. "port 0 is out of range; use 1-65535"), or None.
    """

def state_schema() -> object:
    """
    The engine's State and Event structs: {struct: [{'name': JSON name, 'type': type}, ...]}, the tables its JSON codec reads and writes by (docs/state-format.md).
    """

def checker_areas() -> list[str]:
    """
    The areas the consistency checker covers, in the order it reports them.
    """

def read_unit_state(db_path: str) -> object:
    """
    The stored state and deferred events of an ops unit-state database, as a State document.
    """

def write_unit_state(db_path: str, state: object, charm_class_name: str) -> None:
    """
    Writes a State's stored state and deferred events as ops' unit-state database.
    """

def lifecycle_events(state: object, kind: str) -> object:
    """
    The events Juju fires, in order, for a lifecycle ('deploy', 'upgrade', 'teardown').
    """

def settle_after(state: object, event: object) -> object:
    """The State as Juju leaves it once the event's hook has completed."""

def deferred_snapshot(state: object, event: object) -> object:
    """
    What ops saves for the event when a handler defers it (a DeferredEvent's snapshot_data), from the objects of the State it names.
    """

def container_plan(container: object) -> str:
    """The container's Pebble plan, as YAML."""

def container_services(container: object) -> object:
    """
    The container's services as Pebble lists them (GET /v1/services): name, startup, current.
    """

def container_file_info(container: object, path: str) -> object:
    """
    What Pebble lists for `path` itself in the container (GET /v1/files?action=list&itself=true): its file info ({'path', 'name', 'type', ...}), or Pebble's error ({'message', 'kind'}).
    """

def container_file(container: object, path: str) -> object:
    """
    The content of the file at `path` as Pebble serves it to a pull (the container's files, then its mounts' host directories), or Pebble's error ({'message', 'kind'}).
    """

def container_mount_at(mounts: object, path: str) -> str | None:
    """
    The name of the mount (of a container's mounts, name -> {'location', 'src'}) whose host directory Pebble serves at the container path `path`, or None.
    """

def network_get_output(network: object, strict: bool = False) -> object:
    """
    What `network-get <name> --format=json` prints for the network (strict), or ops-scenario 3.1's Network.hook_tool_output_fmt() form of it (compatible).
    """

def is_hook_tool(name: str) -> bool: ...

def event_kind(name: str) -> tuple[str, str, str]:
    """
    (kind, entity, suffix) of an ops event name: kind is lifecycle, relation, workload, storage, action, secret or custom; entity is the underscored relation/container/storage/action name of a suffixed event ('' otherwise).
    """

def secret_event_goes_to_owner(name: str) -> bool:
    """
    Whether Juju sends the secret event `name` to the secret's owner (else to its observers).
    """

def runs_in_restricted_context(name: str) -> bool:
    """
    Whether ops runs the event `name` in Juju's restricted context (collect-metrics): the charm is built and the event emitted without re-emitting deferred events first.
    """

def is_charm_event(spec: CharmSpec, name: str) -> bool:
    """
    Whether Juju fires the event `name` on a charm with this spec: lifecycle and secret hooks always, relation/workload/storage/action hooks when the spec declares the entity; custom (ops-only) events never.
    """
