#include "engine/agent/test/agent_fixture.hpp"

namespace scenario::agent::testing {
namespace {

using port_tools = agent_fixture;

TEST_F(port_tools, open_port_forms) {
  st.model.type = "lxd";  // ranges are for machine models
  ok({"open-port", "80"});
  ok({"open-port", "443/TCP"});
  ok({"open-port", "53/udp"});
  ok({"open-port", "icmp"});
  ok({"open-port", "8000-8002/udp"});
  ok({"open-port", "80/tcp"});  // already open: no duplicate
  EXPECT_EQ(st.opened_ports, (std::vector<state::opened_port>{{"tcp", 80, std::nullopt},
                                                              {"tcp", 443, std::nullopt},
                                                              {"udp", 53, std::nullopt},
                                                              {"icmp", std::nullopt, std::nullopt},
                                                              {"udp", 8000, 8002}}));
}

TEST_F(port_tools, opened_ports_format_ops_parses) {
  st.opened_ports = {{"udp", 53}, {"tcp", 8080}, {"icmp", std::nullopt}, {"tcp", 80}};
  EXPECT_EQ(ok_json({"opened-ports", "--format=json"}), json({"icmp", "80/tcp", "8080/tcp", "53/udp"}));
  EXPECT_EQ(ok({"opened-ports"}), "icmp\n80/tcp\n8080/tcp\n53/udp\n");
  EXPECT_EQ(ok_json({"opened-ports", "--endpoints", "--format=json"})[0], "icmp (*)");
  st.opened_ports.clear();
  EXPECT_EQ(ok_json({"opened-ports", "--format=json"}), json::array());
  EXPECT_EQ(ok({"opened-ports"}), "");
}

TEST_F(port_tools, close_port) {
  st.model.type = "lxd";
  st.opened_ports = {{"tcp", 80}, {"icmp", std::nullopt}, {"udp", 10, 11}};
  ok({"close-port", "80/tcp"});
  ok({"close-port", "icmp"});
  ok({"close-port", "10-11/udp"});
  ok({"close-port", "9999"});  // not open: no-op
  EXPECT_TRUE(st.opened_ports.empty());
}

// Follows juju/juju internal/worker/uniter/runner/context/ports.go (validatePortRangeForCAAS,
// called by OpenPortRange and ClosePortRange): a range on a Kubernetes model is a run-time error.
TEST_F(port_tools, port_ranges_refused_on_kubernetes_models) {
  st.model.type = "kubernetes";
  for (const char* tool : {"open-port", "close-port"}) {
    auto r = run({tool, "8000-8002/tcp"});
    EXPECT_EQ(r.exit_code, 1) << tool;
    EXPECT_EQ(r.stderr_text,
              "ERROR port ranges are not supported for k8s applications, please specify a single port\n");
  }
  EXPECT_TRUE(st.opened_ports.empty());
  ok({"open-port", "8000-8000/tcp"});  // a range of one port is a single port
  EXPECT_EQ(st.opened_ports, (std::vector<state::opened_port>{{"tcp", 8000, std::nullopt}}));
}

// Follows juju/juju internal/worker/uniter/runner/jujuc/opened-ports.go, which prints each
// opened range with network.PortRange.String (core/network/portrange.go): `8000-8002/tcp`.
TEST_F(port_tools, opened_ports_prints_ranges_on_machine_models) {
  st.model.type = "lxd";
  ok({"open-port", "8000-8002/tcp"});
  ok({"open-port", "80"});
  ok({"open-port", "53/udp"});
  EXPECT_EQ(ok_json({"opened-ports", "--format=json"}), json({"80/tcp", "8000-8002/tcp", "53/udp"}));
  EXPECT_EQ(ok({"opened-ports", "--endpoints"}), "80/tcp (*)\n8000-8002/tcp (*)\n53/udp (*)\n");
}

// The State holds a range as one entry, so a range opened by an earlier run (or given in the
// State) is listed as a range, and closing it takes the whole range.
TEST_F(port_tools, ranges_in_the_state_are_listed_and_closed_whole) {
  st.model.type = "lxd";
  st.opened_ports = {{"udp", 9000, 9009}, {"tcp", 8000, 8002}, {"tcp", 22, std::nullopt}};
  EXPECT_EQ(ok({"opened-ports"}), "22/tcp\n8000-8002/tcp\n9000-9009/udp\n");
  ok({"close-port", "8000-8002/tcp"});
  EXPECT_EQ(st.opened_ports,
            (std::vector<state::opened_port>{{"udp", 9000, 9009}, {"tcp", 22, std::nullopt}}));
}

// Follows juju/juju internal/worker/uniter/runner/context/ports.go (portRangeChangeRecorder,
// checkForConflict; PortRange.ConflictsWith in core/network/portrange.go): a range overlapping
// one the unit holds, other than that very range, is refused by open-port and close-port; the
// same range again is a no-op; the other protocol never conflicts.
TEST_F(port_tools, overlapping_ranges_conflict_as_in_juju) {
  st.model.type = "lxd";
  st.opened_ports = {{"tcp", 8000, 8002}};
  EXPECT_EQ(fails({"open-port", "8002-8004/tcp"}),
            "ERROR cannot open 8002-8004/tcp (unit \"app/0\"): port range conflicts with 8000-8002/tcp "
            "(unit \"app/0\")\n");
  EXPECT_EQ(fails({"open-port", "8001"}),
            "ERROR cannot open 8001/tcp (unit \"app/0\"): port range conflicts with 8000-8002/tcp "
            "(unit \"app/0\")\n");
  EXPECT_EQ(fails({"close-port", "8001/tcp"}),
            "ERROR cannot close 8001/tcp (unit \"app/0\"): port range conflicts with 8000-8002/tcp "
            "(unit \"app/0\")\n");
  ok({"open-port", "8000-8002/tcp"});  // the same range: no-op
  ok({"open-port", "8001/udp"});       // another protocol
  ok({"open-port", "8003/tcp"});       // adjacent, not overlapping
  EXPECT_EQ(st.opened_ports, (std::vector<state::opened_port>{
                                 {"tcp", 8000, 8002}, {"udp", 8001, std::nullopt}, {"tcp", 8003, std::nullopt}}));
  EXPECT_EQ(fails({"close-port", "8000-8003/tcp"}).rfind("ERROR cannot close 8000-8003/tcp", 0), 0u);
}

TEST_F(port_tools, endpoints_flag) {
  ok({"open-port", "80", "--endpoints", "db,web"});
  EXPECT_EQ(st.opened_ports.size(), 1u);
  auto err = fails({"open-port", "81", "--endpoints", "db,nope"});
  EXPECT_NE(err.find("\"nope\""), std::string::npos) << err;
  EXPECT_EQ(st.opened_ports.size(), 1u);
}

TEST_F(port_tools, validation_errors_use_juju_texts) {
  EXPECT_EQ(fails({"open-port"}), "ERROR no port or range specified\n");
  EXPECT_EQ(fails({"open-port", "abc"}),
            "ERROR invalid port \"abc\": strconv.Atoi: parsing \"abc\": invalid syntax\n");
  EXPECT_EQ(fails({"open-port", "80/sctp"}),
            "ERROR invalid protocol \"sctp\", expected \"tcp\", \"udp\", or \"icmp\"\n");
  EXPECT_EQ(fails({"open-port", "90-80/tcp"}), "ERROR invalid port range 90-80/tcp\n");
  EXPECT_EQ(fails({"open-port", "70000"}), "ERROR port range bounds must be between 0 and 65535, got 70000-70000\n");
  EXPECT_EQ(fails({"open-port", "1-2-3"}), "ERROR invalid port range \"1-2-3\"\n");
  EXPECT_EQ(fails({"open-port", "80/icmp"}), "ERROR protocol \"icmp\" doesn't support any ports; got \"80\"\n");
  EXPECT_NE(fails({"close-port", "80", "81"}).find("unrecognized args"), std::string::npos);
  EXPECT_TRUE(st.opened_ports.empty());
}

}  // namespace
}  // namespace scenario::agent::testing
