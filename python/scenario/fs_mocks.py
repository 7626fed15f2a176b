"""ops-scenario 3.1's ``scenario.fs_mocks``, kept as a module for suites that import it.

3.1 simulated container filesystems and storage mounts with ops.testing's in-memory
filesystem. Here the engine's Pebble serves a container's files (its mounts, its seeded
files and what the charm pushes); read them after a run through ``Container.filesystem``
(see :class:`scenario.state.Container`).
"""

__all__ = []
