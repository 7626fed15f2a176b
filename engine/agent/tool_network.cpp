// network-get, and the default network every declared binding has.
#include "engine/agent/tool_network.hpp"
#include "engine/agent/tool_table.hpp"
#include "engine/agent/tool_util.hpp"

namespace scenario::agent {

namespace {

using nlohmann::json;

// What a binding without an explicit State network reports: one interface "eth0" with the
// documentation address 192.0.2.0 in 192.0.2.0/24 (RFC 5737), which is also the ingress
// address and egress subnet. The same default ops' own Scenario uses.
state::network default_network(const std::string& binding) {
  state::network n;
  n.name = binding;
  state::bind_address ba;
  ba.interface_name = "eth0";
  ba.addresses.push_back({"", "192.0.2.0", "192.0.2.0/24", ""});
  n.bind_addresses.push_back(ba);
  n.ingress_addresses = {"192.0.2.0"};
  n.egress_subnets = {"192.0.2.0/24"};
  return n;
}

}  // namespace

// Juju's YAML form also carries the legacy duplicate keys (address, macaddress, interfacename)
// that Juju still writes for old agents.
json network_get_output(const state::network& n, network_display display) {
  const bool yaml = display == network_display::juju_yaml;
  const bool scenario_3_1 = display == network_display::scenario_3_1;
  json out = json::object();
  json binds = json::array();
  for (const auto& b : n.bind_addresses) {
    json addrs = json::array();
    for (const auto& a : b.addresses) {
      const std::string value = a.value.empty() && !scenario_3_1 ? a.address : a.value;
      json addr{{"hostname", a.hostname}, {"value", value}, {"cidr", a.cidr}};
      if (yaml) addr["address"] = value;
      if (scenario_3_1) addr["address"] = a.address;
      addrs.push_back(addr);
    }
    json bj{{"interface-name", b.interface_name}, {"addresses", addrs}};
    if (!scenario_3_1 || !b.mac_address.empty()) bj["mac-address"] = b.mac_address;
    if (yaml) {
      bj["macaddress"] = b.mac_address;
      bj["interfacename"] = b.interface_name;
    }
    binds.push_back(bj);
  }
  // omitempty, as in Juju (3.1 printed empty lists)
  if (scenario_3_1 || !binds.empty()) out["bind-addresses"] = binds;
  if (scenario_3_1 || !n.egress_subnets.empty()) out["egress-subnets"] = n.egress_subnets;
  if (scenario_3_1 || !n.ingress_addresses.empty()) out["ingress-addresses"] = n.ingress_addresses;
  return out;
}

std::string first_address(const state::network& n) {
  for (const auto& b : n.bind_addresses) {
    for (const auto& a : b.addresses) return a.value.empty() ? a.address : a.value;
  }
  return "";
}

std::string ingress_address(const state::network& n) {
  return n.ingress_addresses.empty() ? first_address(n) : n.ingress_addresses.front();
}

// The network of `binding`: the State's entry, else the default for a declared binding.
std::optional<state::network> binding_network(const hook_context& ctx, const std::string& binding) {
  for (const auto& n : ctx.state.networks) {
    if (n.name == binding) return n;
  }
  if (util::is_binding(ctx, binding)) return default_network(binding);
  return std::nullopt;
}

namespace {

// network-get <binding> [-r ID] [--bind-address] [--ingress-address] [--egress-subnets]
// [--primary-address]
std::string network_get(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  auto args = parse_args(argv, {{"relation", 'r', true},
                                {"bind-address", 0, false},
                                {"ingress-address", 0, false},
                                {"egress-subnets", 0, false},
                                {"primary-address", 0, false}});
  // -r is validated like every relation flag: an unknown id is "relation not found".
  if (args.has("relation")) util::relation_from_flag(ctx, args);
  if (args.positional.empty()) throw usage_error("no arguments specified");
  const std::string binding = args.positional[0];
  if (binding.empty()) throw usage_error("no binding name specified");
  expect_positionals(args, 1, 1, "");
  auto net = binding_network(ctx, binding);
  if (!net || net->bind_addresses.empty()) {
    throw tool_error("no network config found for binding \"" + binding + "\"");
  }
  const bool bind = flag_bool(args, "bind-address");
  const bool ingress = flag_bool(args, "ingress-address");
  const bool egress = flag_bool(args, "egress-subnets");
  const bool yaml = args.get("format").value_or("smart") != "json";
  if (flag_bool(args, "primary-address")) {
    if (bind || ingress || egress) throw tool_error("--primary-address must be the only flag specified");
    const std::string addr = first_address(*net);
    if (addr.empty()) throw tool_error("no addresses attached to space for binding \"" + binding + "\"");
    return format_output(addr, args);
  }
  if (!bind && !ingress && !egress) return format_output(network_get_output(*net, yaml ? network_display::juju_yaml : network_display::juju_json), args);
  json values = json::object();
  std::vector<std::string> keys;
  if (bind) keys.push_back("bind-address");
  if (ingress) keys.push_back("ingress-address");
  if (egress) keys.push_back("egress-subnets");
  if (egress) values["egress-subnets"] = net->egress_subnets;
  if (ingress) {
    std::string addr = ingress_address(*net);
    if (addr.empty()) throw tool_error("no addresses attached to space for binding \"" + binding + "\"");
    values["ingress-address"] = addr;
  }
  if (bind) values["bind-address"] = first_address(*net);
  if (keys.size() == 1) return format_output(values[keys[0]], args);
  return format_output(values, args);
}

}  // namespace

void register_network_tools(tool_table& table) { add_tools(table, {{"network-get", network_get}}); }

}  // namespace scenario::agent
