// open-port, close-port, opened-ports.
#include <algorithm>
#include <cctype>

#include "engine/agent/tool_table.hpp"
#include "engine/agent/tool_util.hpp"
#include "engine/state/port_rules.hpp"

namespace scenario::agent {

namespace {

using nlohmann::json;

using state::port_range;

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

// Juju refuses port ranges on Kubernetes models, for open-port and close-port alike
// (internal/worker/uniter/runner/context/ports.go, validatePortRangeForCAAS); a run-time error.
void refuse_range_on_kubernetes(const hook_context& ctx, const port_range& pr) {
  if (pr.from != pr.to && ctx.state.model.type == "kubernetes") {
    throw tool_error("port ranges are not supported for k8s applications, please specify a single port");
  }
}

// The conflict rule of Juju's portRangeChangeRecorder (internal/worker/uniter/runner/context/
// ports.go, checkForConflict): a range overlapping one the unit holds, other than that very
// range, is refused for open-port and close-port alike, e.g. closing 8001 of 8000-8002/tcp.
// Juju adds " requested earlier" when the other range was opened in the same hook; the State
// does not tell this hook's changes apart, so that suffix is never given.
void refuse_conflict(const hook_context& ctx, const port_range& pr, bool open) {
  for (const auto& held : ctx.state.opened_ports) {
    const port_range other = state::range_of(held);
    if (other == pr || !state::conflicts(pr, other)) continue;
    throw tool_error(std::string(open ? "cannot open " : "cannot close ") + state::to_string(pr) + " (unit \"" +
                     ctx.unit_name() + "\"): port range conflicts with " + state::to_string(other) +
                     " (unit \"" + ctx.unit_name() + "\")");
  }
}

// open-port/close-port <port>[/<protocol>] | <from>-<to>[/<protocol>] | icmp [--endpoints a,b].
// A range is one State entry (port..to_port), as Juju keeps it. Endpoints are checked against
// the charm's bindings and otherwise not modelled (ports apply to every endpoint).
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
  refuse_conflict(ctx, pr, open);
  auto& ports = ctx.state.opened_ports;
  auto held = std::find_if(ports.begin(), ports.end(),
                           [&](const state::opened_port& p) { return state::range_of(p) == pr; });
  if (open && held == ports.end()) ports.push_back(state::opened_port_of(pr));
  if (!open && held != ports.end()) ports.erase(held);
  return "";
}

// opened-ports [--endpoints]: each range as network.PortRange.String prints it ("icmp",
// "80/tcp", "8000-8002/tcp"), sorted by PortRange.LessThan (internal/worker/uniter/runner/jujuc/
// opened-ports.go). Juju's help says ports opened earlier in the same hook are not listed;
// here they are (the State has no hook start).
std::string opened_ports(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {{"endpoints", 0, false}});
  expect_positionals(args, 0, 0, "");
  std::vector<port_range> ranges;
  for (const auto& p : ctx.state.opened_ports) ranges.push_back(state::range_of(p));
  std::sort(ranges.begin(), ranges.end(), state::sorts_before);
  ranges.erase(std::unique(ranges.begin(), ranges.end()), ranges.end());
  const bool endpoints = flag_bool(args, "endpoints");
  json out = json::array();
  for (const auto& r : ranges) out.push_back(state::to_string(r) + (endpoints ? " (*)" : ""));
  return format_output(out, args);
}

}  // namespace

void register_port_tools(tool_table& table) {
  const auto changing = [](bool open) {
    return [open](hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
      return change_port(ctx, argv, open);
    };
  };
  add_tools(table,
            {{"open-port", changing(true)}, {"close-port", changing(false)}, {"opened-ports", opened_ports}});
}

}  // namespace scenario::agent
