"""
Scenario's C++ engine: Juju hook tools, Pebble, unit state, consistency checks.
"""

from collections.abc import Sequence
import os


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

class Run:
    def __init__(self, spec: CharmSpec, state: object, event: object, app_name: str, juju_version: str, charm_dir: str, charm_class_name: str, skip_consistency_checks: bool, pebble: PebbleServer | None, unit_state_in_memory: bool = False, storage_root: str = '', share_cpu_with_pebble: bool = False, strict: bool = False) -> None: ...

    @property
    def environment(self) -> dict[str, str]: ...

    @property
    def warnings(self) -> list[str]: ...

    @property
    def divergences(self) -> list[str]: ...

    def call_tool(self, argv: Sequence[str], stdin: str = '') -> tuple[int, str, str]: ...

    def client_divergence(self, kind: str, subject: str) -> str | None: ...

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

def lifecycle_events(state_json: str, kind: str) -> str:
    """
    The events Juju fires, in order, for a lifecycle ('deploy', 'upgrade', 'teardown').
    """

def settle_after(state_json: str, event_json: str) -> str:
    """The State as Juju leaves it once the event's hook has completed."""

def container_plan(container_json: str) -> str:
    """The container's Pebble plan, as YAML."""

def is_hook_tool(name: str) -> bool: ...

def event_kind(name: str) -> tuple[str, str, str]:
    """
    (kind, entity, suffix) of an ops event name: kind is lifecycle, relation, workload, storage, action, secret or custom; entity is the underscored relation/container/storage/action name of a suffixed event ('' otherwise).
    """

def is_charm_event(spec: CharmSpec, name: str) -> bool:
    """
    Whether Juju fires the event `name` on a charm with this spec: lifecycle and secret hooks always, relation/workload/storage/action hooks when the spec declares the entity; custom (ops-only) events never.
    """
