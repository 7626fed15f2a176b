// The shape of an ops-style event name: which kind of hook it is and which entity it names.
#pragma once

#include <string>
#include <string_view>

namespace scenario::state {

enum class event_kind { lifecycle, relation, workload, storage, action, secret, custom };

struct event_name_parts {
  event_kind kind = event_kind::custom;
  std::string prefix;  // the entity of a suffixed name, underscored ("db", "work_load")
  std::string suffix;  // e.g. "_relation_changed"; empty for unsuffixed names
};

// ops spells names with underscores where Juju and charm metadata use dashes ("my-db" is
// ops' "my_db"); these convert one spelling into the other.
std::string underscored(std::string_view name);
std::string dashed(std::string_view name);

// Splits `name` (dashes are read as underscores): "db_relation_changed" is a relation event on
// "db"; "install" a lifecycle event; "secret_changed" a secret event; unknown names are custom.
event_name_parts parse_event_name(std::string_view name);

// Whether ops runs the hook `name` in Juju's restricted context (collect-metrics): it builds the
// charm and emits the event without re-emitting deferred events first.
bool runs_in_restricted_context(std::string_view name);

// Which unit Juju sends the secret event `name` to: secret-changed goes to the secret's
// observers (consumers), secret-rotate, secret-expired and secret-remove to its owner.
bool secret_event_goes_to_owner(std::string_view name);

}  // namespace scenario::state
