#include "engine/state/port_rules.hpp"

#include <tuple>

namespace scenario::state {

namespace {

std::optional<std::string> bound_problem(std::string_view what, long long value) {
  if (value < 1 || value > 65535)
    return std::string(what) + " " + std::to_string(value) + " is out of range; use 1-65535";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> opened_port_problem(std::string_view protocol, std::optional<long long> port,
                                               std::optional<long long> to_port) {
  if (protocol == "icmp") {
    if (port) return "icmp has no port; remove the port";
    if (to_port) return "icmp has no port range; remove to_port";
    return std::nullopt;
  }
  if (protocol != "tcp" && protocol != "udp")
    return "protocol '" + std::string(protocol) + "' is not one of tcp, udp, icmp";
  if (!port) return "a " + std::string(protocol) + " port needs a port number (1-65535)";
  if (auto problem = bound_problem("port", *port)) return problem;
  if (!to_port) return std::nullopt;
  if (auto problem = bound_problem("to_port", *to_port)) return problem;
  if (*to_port < *port)
    return "to_port " + std::to_string(*to_port) + " is below port " + std::to_string(*port) +
           "; the range is port..to_port, so give to_port >= port";
  return std::nullopt;
}

port_range range_of(const opened_port& port) {
  if (port.protocol == "icmp") return {"icmp", -1, -1};
  const int from = port.port.value_or(0);
  return {port.protocol, from, port.to_port.value_or(from)};
}

opened_port opened_port_of(const port_range& range) {
  if (range.protocol == "icmp") return {"icmp", std::nullopt, std::nullopt};
  return {range.protocol, range.from, range.to != range.from ? std::optional<int>(range.to) : std::nullopt};
}

bool conflicts(const port_range& a, const port_range& b) {
  return a.protocol == b.protocol && a.to >= b.from && b.to >= a.from;
}

bool sorts_before(const port_range& a, const port_range& b) {
  return std::tie(a.protocol, a.from, a.to) < std::tie(b.protocol, b.from, b.to);
}

std::string to_string(const port_range& range) {
  if (range.protocol == "icmp") return "icmp";
  if (range.from == range.to) return std::to_string(range.from) + "/" + range.protocol;
  return std::to_string(range.from) + "-" + std::to_string(range.to) + "/" + range.protocol;
}

}  // namespace scenario::state
