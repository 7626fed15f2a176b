// Juju's rules for the ports a unit has opened, in one place: the consistency checker applies
// them to State.opened_ports, the Python Port constructor asks them (scenario._engine) and the
// port hook tools (engine/agent/tool_port.cpp) follow them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/state/state.hpp"

namespace scenario::state {

// What is wrong with an opened port of `protocol`, `port` (none for icmp) and optional end of
// range `to_port`, e.g. "port 70000 is out of range; use 1-65535"; nullopt when Juju would hold it.
std::optional<std::string> opened_port_problem(std::string_view protocol, std::optional<long long> port,
                                               std::optional<long long> to_port = std::nullopt);

// Juju's network.PortRange (core/network/portrange.go): icmp is -1..-1; a single port is from == to.
struct port_range {
  std::string protocol = "tcp";
  int from = 0;
  int to = 0;
  bool operator==(const port_range&) const = default;
};

// The range an opened port of the State stands for (its to_port, else its port alone).
port_range range_of(const opened_port& port);
// The State entry for a range: to_port only when the range holds more than one port.
opened_port opened_port_of(const port_range& range);
// PortRange.ConflictsWith: same protocol and overlapping bounds.
bool conflicts(const port_range& a, const port_range& b);
// PortRange.LessThan: by protocol, then from, then to.
bool sorts_before(const port_range& a, const port_range& b);
// PortRange.String: "icmp", "80/tcp", "8000-8002/tcp".
std::string to_string(const port_range& range);

}  // namespace scenario::state
