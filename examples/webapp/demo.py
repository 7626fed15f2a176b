"""Runs the example charm once and prints what went in and what came out."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from charm import WebappCharm  # noqa: E402

from scenario import Context, Relation, State  # noqa: E402

ctx = Context(WebappCharm)
db = Relation("db", remote_app_name="postgresql", remote_app_data={"host": "10.1.2.3"})
before = State(leader=True, relations=[db], config={"port": 9000})
after = ctx.run(db.changed_event, before)

print(f"event:        {db.changed_event.name}")
print(f"unit status:  {before.status.unit!r} -> {after.status.unit!r}")
print(f"db unit data: {before.relations[0].local_unit_data} -> {after.relations[0].local_unit_data}")
print("juju-log:")
for line in after.juju_log:
    print(f"  {line[0]:<7} {line[1]}")
