// Juju's rule for a port a unit has opened, in one place: the consistency checker applies it to
// State.opened_ports and the Python Port constructor asks it (scenario._engine).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace scenario::state {

// What is wrong with an opened port of `protocol` and `port` (none for icmp), e.g.
// "port 70000 is out of range; use 1-65535"; nullopt when Juju would hold it.
std::optional<std::string> opened_port_problem(std::string_view protocol, std::optional<long long> port);

}  // namespace scenario::state
