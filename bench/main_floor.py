"""The ops.main floor: ops' real dispatch with every hook tool and Pebble at zero cost, and ops'
own unit-state database.

It is ``floor.py``'s floor (``ops.main`` with the environment Juju sets, hook tools and Pebble cut
at the process boundary, ops.main's log handler removed after each run as a hook process would
exit) with one difference: ops.main opens its unit-state database, a real SQLite file in a charm
directory on tmpfs, as in a unit, and each run starts from a fresh one (the file is deleted after
each run, inside the timed region). So it costs what ops' own dispatch costs per hook; a faithful
tool, which must give ops a store it can commit to, is judged against it.
"""

import _harness
import floor

if __name__ == "__main__":
    _harness.main(floor.scenarios("tmpfs"), floor.versions, floor.verify_label("mainfloor", "main_floor.py"))
