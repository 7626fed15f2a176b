#include "cli/python_format.hpp"

#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

namespace scenario::cli {
namespace {

using nlohmann::json;

TEST(PythonFormat, LiteralsFollowPython) {
  EXPECT_EQ(python_literal(json::parse(R"({"a": [1, 2.5, true, null, "x\"y"]})")),
            R"({"a": [1, 2.5, True, None, "x\"y"]})");
  EXPECT_EQ(python_literal(json::parse(R"({"$set": []})")), "set()");
  EXPECT_EQ(python_literal(json::parse(R"({"$set": [1]})")), "{1}");
  EXPECT_EQ(python_literal(json::parse(R"({"$tuple": ["a"]})")), R"(("a",))");
  EXPECT_EQ(python_literal(json::parse(R"({"$bytes": "AP8n"})")), R"(b'\x00\xff\'')");
  EXPECT_EQ(python_literal(json::parse(R"({"$dict": [[1, "one"]]})")), R"({1: "one"})");
  EXPECT_EQ(python_literal(json::parse(R"({"$float": "nan"})")), R"(float("nan"))");
  EXPECT_THROW(python_literal(json::parse(R"({"$nope": 1})")), std::invalid_argument);
}

TEST(PythonFormat, StateNamesOnlyWhatDiffersFromDefaults) {
  state::state s;
  EXPECT_EQ(python_state(s), "State()");
  s.leader = true;
  s.status.unit = {"active", "ok"};
  const std::string text = python_state(s);
  EXPECT_NE(text.find("leader=True"), std::string::npos);
  EXPECT_NE(text.find("unit=ops.ActiveStatus(\"ok\")"), std::string::npos);
  EXPECT_EQ(text.find("config="), std::string::npos);
}

TEST(PythonFormat, PortRangeKeepsItsEnd) {
  state::state s;
  s.opened_ports = {{"tcp", 8000, 8002}, {"tcp", 80, std::nullopt}};
  const std::string text = python_state(s);
  EXPECT_NE(text.find("Port(\"tcp\", 8000, to_port=8002)"), std::string::npos) << text;
  EXPECT_NE(text.find("Port(\"tcp\", 80)"), std::string::npos) << text;
}

TEST(PythonFormat, RelationKindsUseTheirClasses) {
  state::state s;
  state::relation peer;
  peer.kind = state::relation_kind::peer;
  peer.endpoint = "cluster";
  peer.relation_id = 2;
  peer.remote_units_data = {{1, {{"k", "v"}}}};
  s.relations = {peer};
  EXPECT_NE(python_state(s).find("PeerRelation(\n"), std::string::npos);
  EXPECT_NE(python_state(s).find("peers_data={1: {\"k\": \"v\"}}"), std::string::npos);
}

TEST(PythonFormat, OutputOnlyFieldsAreRefusedByName) {
  state::state s;
  s.juju_log = {{"INFO", "hi"}};
  try {
    python_state(s);
    FAIL() << "juju_log was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("juju_log"), std::string::npos);
  }
}

TEST(PythonFormat, PytestModuleImportsWhatItUses) {
  state::state s;
  s.leader = true;
  const std::string module = pytest_module(s, pytest_options{"WebappCharm", "start", "3.4.0", "# head\n"});
  EXPECT_EQ(module.rfind("# head\n", 0), 0u);
  EXPECT_NE(module.find("from scenario import Context, State\n"), std::string::npos);
  EXPECT_NE(module.find("from charm import WebappCharm"), std::string::npos);
  EXPECT_NE(module.find("ctx.run(\"start\", state)"), std::string::npos);
}

TEST(PythonFormat, CharmClassIsFoundInCharmPy) {
  const auto dir = std::filesystem::temp_directory_path() / ("scenario-cli-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "charm.py";
  std::ofstream(path) << "import ops\n\nclass Helper:\n    pass\n\nclass WebappCharm(ops.CharmBase):\n    pass\n";
  EXPECT_EQ(charm_class_in(path), "WebappCharm");
  std::ofstream(path) << "class A(CharmBase):\n    pass\nclass B(CharmBase):\n    pass\n";
  EXPECT_THROW(charm_class_in(path), std::invalid_argument);
  EXPECT_EQ(charm_class_in(dir / "missing.py"), std::nullopt);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace scenario::cli
