// open-port, close-port, opened-ports.
#include <algorithm>
#include <cctype>

#include "engine/agent/tool_table.hpp"
#include "engine/agent/tool_util.hpp"

namespace scenario::agent {

namespace {

using nlohmann::json;

struct port_range {
  int from = 0;
  int to = 0;
  std::string protocol = "tcp";
};

int parse_port(const std::string& text, const std::string& quoted) {
  auto v = util::to_int(text);
  if (!v || *v < -2147483648LL || *v > 2147483647LL) {
    throw usage_error("invalid port \"" + quoted + "\": " + util::atoi_error(text));
  }
  return static_cast<int>(*v);
}

// network.ParsePortRange from Juju, including its error texts. The input is lower-cased first,
// as open-port/close-port do.
port_range parse_port_range(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  port_range pr;
  std::string ports = text;
  if (auto slash = text.find('/'); slash != std::string::npos) {
    ports = text.substr(0, slash);
    pr.protocol = text.substr(slash + 1);
  }
  const auto dash = ports.find('-');
  if (dash != std::string::npos && ports.find('-', dash + 1) != std::string::npos) {
    throw usage_error("invalid port range \"" + ports + "\"");
  }
  if (dash == std::string::npos) {
    if (ports == "icmp") {
      pr.from = pr.to = -1;
      pr.protocol = "icmp";
    } else {
      pr.from = pr.to = parse_port(ports, ports);
    }
  } else {
    const std::string a = ports.substr(0, dash);
    const std::string b = ports.substr(dash + 1);
    pr.from = parse_port(a, a);
    pr.to = parse_port(b, b);
  }
  if (pr.protocol != "tcp" && pr.protocol != "udp" && pr.protocol != "icmp") {
    throw usage_error("invalid protocol \"" + pr.protocol + "\", expected \"tcp\", \"udp\", or \"icmp\"");
  }
  if (pr.protocol == "icmp") {
    if (pr.from == -1 && pr.to == -1) return pr;
    throw usage_error("protocol \"icmp\" doesn't support any ports; got \"" + std::to_string(pr.from) + "\"");
  }
  if (pr.from > pr.to) {
    throw usage_error("invalid port range " + std::to_string(pr.from) + "-" + std::to_string(pr.to) +
                      "/" + pr.protocol);
  }
  if (pr.from < 0 || pr.from > 65535 || pr.to < 0 || pr.to > 65535) {
    throw usage_error("port range bounds must be between 0 and 65535, got " + std::to_string(pr.from) +
                      "-" + std::to_string(pr.to));
  }
  return pr;
}

std::string range_text(const port_range& pr) {
  return std::to_string(pr.from) + "-" + std::to_string(pr.to) + "/" + pr.protocol;
}

// Juju refuses port ranges on Kubernetes models, for open-port and close-port alike
// (internal/worker/uniter/runner/context/ports.go, validatePortRangeForCAAS); a run-time error.
void refuse_range_on_kubernetes(const hook_context& ctx, const port_range& pr) {
  if (pr.from != pr.to && ctx.state.model.type == "kubernetes") {
    throw tool_error("port ranges are not supported for k8s applications, please specify a single port");
  }
}

// open-port/close-port <port>[/<protocol>] | <from>-<to>[/<protocol>] | icmp [--endpoints a,b].
// State keeps single ports, so a range is stored as each of its ports. Endpoints are checked
// against the charm's bindings and otherwise not modelled (ports apply to every endpoint).
std::string change_port(hook_context& ctx, const std::vector<std::string>& argv, bool open) {
  auto args = parse_args(argv, {{"endpoints", 0, true}});
  if (args.positional.empty()) throw usage_error("no port or range specified");
  const port_range pr = parse_port_range(args.positional[0]);
  expect_positionals(args, 1, 1, "");
  if (auto eps = args.get("endpoints"); eps && !eps->empty()) {
    std::size_t start = 0;
    while (start <= eps->size()) {
      auto comma = eps->find(',', start);
      std::string ep = eps->substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      ep.erase(0, ep.find_first_not_of(" \t"));
      ep.erase(ep.find_last_not_of(" \t") + 1);
      if (!util::is_binding(ctx, ep)) {
        throw tool_error("open/close ports: endpoint \"" + ep + "\" for unit \"" + ctx.unit_name() +
                         "\" not found");
      }
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  refuse_range_on_kubernetes(ctx, pr);
  std::vector<state::opened_port> affected;
  if (pr.protocol == "icmp") {
    affected.push_back({"icmp", std::nullopt});
  } else {
    for (int p = pr.from; p <= pr.to; ++p) affected.push_back({pr.protocol, p});
  }
  auto& ports = ctx.state.opened_ports;
  for (const auto& port : affected) {
    auto it = std::find(ports.begin(), ports.end(), port);
    if (open && it == ports.end()) ports.push_back(port);
    if (!open && it != ports.end()) ports.erase(it);
  }
  auto& ranges = ctx.opened_port_ranges;
  if (open && pr.from != pr.to &&
      std::find(ranges.begin(), ranges.end(), range_text(pr)) == ranges.end()) {
    ranges.push_back(range_text(pr));
  }
  return "";
}

// opened-ports [--endpoints]: "80/tcp", "icmp", sorted by protocol then port. Juju would not
// list ports opened earlier in the same hook; here they are listed (State has no hook start).
std::string opened_ports(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {{"endpoints", 0, false}});
  expect_positionals(args, 0, 0, "");
  auto ports = ctx.state.opened_ports;
  std::sort(ports.begin(), ports.end(), [](const auto& a, const auto& b) {
    if (a.protocol != b.protocol) return a.protocol < b.protocol;
    return a.port.value_or(-1) < b.port.value_or(-1);
  });
  // A range opened in this run is printed as Juju prints it (network.PortRange.String:
  // `8000-8002/tcp`) while all its ports are open; its ports are then not listed one by one.
  struct listed {
    std::string protocol;
    int from;
    int to;
  };
  std::vector<listed> entries;
  std::vector<bool> covered(ports.size(), false);
  for (const auto& text : ctx.opened_port_ranges) {
    const port_range pr = parse_port_range(text);
    std::vector<std::size_t> members;
    for (std::size_t i = 0; i < ports.size(); ++i) {
      const auto& p = ports[i];
      if (p.protocol == pr.protocol && p.port && *p.port >= pr.from && *p.port <= pr.to) members.push_back(i);
    }
    if (members.size() != static_cast<std::size_t>(pr.to - pr.from + 1)) continue;  // partly closed
    for (auto i : members) covered[i] = true;
    entries.push_back({pr.protocol, pr.from, pr.to});
  }
  for (std::size_t i = 0; i < ports.size(); ++i) {
    if (covered[i]) continue;
    const int port = ports[i].port.value_or(-1);
    entries.push_back({ports[i].protocol, port, port});
  }
  std::stable_sort(entries.begin(), entries.end(), [](const listed& a, const listed& b) {
    if (a.protocol != b.protocol) return a.protocol < b.protocol;
    return a.from < b.from;
  });
  const bool endpoints = flag_bool(args, "endpoints");
  json out = json::array();
  for (const auto& e : entries) {
    std::string text = e.protocol == "icmp" ? "icmp"
                       : e.from == e.to ? std::to_string(e.from) + "/" + e.protocol
                                        : std::to_string(e.from) + "-" + std::to_string(e.to) + "/" + e.protocol;
    if (endpoints) text += " (*)";
    out.push_back(text);
  }
  return format_output(out, args);
}

}  // namespace

void register_port_tools(tool_table& table) {
  table["open-port"] = [](hook_context& ctx, const std::vector<std::string>& a, std::string_view) {
    return change_port(ctx, a, true);
  };
  table["close-port"] = [](hook_context& ctx, const std::vector<std::string>& a, std::string_view) {
    return change_port(ctx, a, false);
  };
  table["opened-ports"] = opened_ports;
}

}  // namespace scenario::agent
