#include "engine/state/port_rules.hpp"

namespace scenario::state {

std::optional<std::string> opened_port_problem(std::string_view protocol, std::optional<long long> port) {
  if (protocol == "icmp") {
    if (port) return "icmp has no port; remove the port";
    return std::nullopt;
  }
  if (protocol != "tcp" && protocol != "udp")
    return "protocol '" + std::string(protocol) + "' is not one of tcp, udp, icmp";
  if (!port) return "a " + std::string(protocol) + " port needs a port number (1-65535)";
  if (*port < 1 || *port > 65535) return "port " + std::to_string(*port) + " is out of range; use 1-65535";
  return std::nullopt;
}

}  // namespace scenario::state
