#include <unistd.h>

#include <filesystem>
#include <string>

#include "engine/agent/test/agent_fixture.hpp"

namespace scenario::agent::testing {
namespace {

class storage_tools : public agent_fixture {
 protected:
  storage_tools() {
    spec.storages = {{"data", "filesystem", std::nullopt, true, std::nullopt},
                     {"cache", "filesystem", std::string("/cache"), false, std::nullopt},
                     {"raw", "block", std::nullopt, false, std::nullopt}};
    st.storages = {{"data", 1, "/mnt/data1"}, {"data", 0, ""}, {"cache", 0, ""}, {"raw", 0, ""}};
  }
};

TEST_F(storage_tools, storage_list) {
  EXPECT_EQ(ok_json({"storage-list", "--format=json", "data"}), json({"data/0", "data/1"}));
  EXPECT_EQ(ok_json({"storage-list", "data", "--format=json"}), json({"data/0", "data/1"}));
  EXPECT_EQ(ok_json({"storage-list", "--format=json"}), json({"cache/0", "data/0", "data/1", "raw/0"}));
  EXPECT_EQ(ok_json({"storage-list", "--format=json", "none"}), json::array());
}

TEST_F(storage_tools, storage_get_kind_and_location) {
  EXPECT_EQ(ok_json({"storage-get", "--format=json", "-s", "data/1"}),
            json({{"kind", "filesystem"}, {"location", "/mnt/data1"}}));
  EXPECT_EQ(ok_json({"storage-get", "-s", "data/0", "location", "--format=json"}),
            json("/var/lib/juju/storage/data/0"));
  EXPECT_EQ(ok({"storage-get", "-s", "cache/0", "location"}), "/cache\n");
  EXPECT_EQ(ok({"storage-get", "-s", "raw/0", "kind"}), "block\n");
}

TEST_F(storage_tools, storage_without_a_location_is_mounted_under_the_storage_root) {
  const auto root = std::filesystem::temp_directory_path() /
                    ("scenario-storage-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  ctx().storage_root = root;
  const auto mount = root / "data" / "0";
  EXPECT_EQ(ok({"storage-get", "-s", "data/0", "location"}), mount.string() + "\n");
  EXPECT_TRUE(std::filesystem::is_directory(mount));  // the charm can write there at once
  // A location of the State's or the charm's own still wins.
  EXPECT_EQ(ok({"storage-get", "-s", "data/1", "location"}), "/mnt/data1\n");
  EXPECT_EQ(ok({"storage-get", "-s", "cache/0", "location"}), "/cache\n");
  std::filesystem::remove_all(root);
}

TEST_F(storage_tools, storage_get_defaults_to_hook_storage) {
  ev.name = "data_storage_attached";
  ev.storage_name = "data";
  ev.storage_index = 1;
  EXPECT_EQ(ok({"storage-get", "location"}), "/mnt/data1\n");
  // ops 2.4 reads the default id out of --help
  EXPECT_NE(ok({"storage-get", "--help"}).find("-s  (= data/1)"), std::string::npos);
}

TEST_F(storage_tools, storage_get_errors) {
  EXPECT_EQ(fails({"storage-get"}), "ERROR no storage instance specified\n");
  EXPECT_EQ(fails({"storage-get", "-s", "data/0", "size"}), "ERROR invalid storage attribute \"size\"\n");
  EXPECT_NE(fails({"storage-get", "-s", "data/9"}).find("not found"), std::string::npos);
  EXPECT_NE(fails({"storage-get", "-s", "data"}).find("invalid storage ID"), std::string::npos);
}

TEST_F(storage_tools, storage_add_records_requests) {
  ok({"storage-add", "data=2"});
  ok({"storage-add", "cache"});
  ok({"storage-add", "data"});
  EXPECT_EQ(ctx().storage_requests, (std::map<std::string, int>{{"data", 3}, {"cache", 1}}));
  EXPECT_EQ(st.storages.size(), 4u);  // nothing attached during the hook
}

TEST_F(storage_tools, storage_add_errors) {
  EXPECT_EQ(fails({"storage-add"}), "ERROR storage add requires a storage directive\n");
  EXPECT_NE(fails({"storage-add", "nope=1"}).find("charm storage \"nope\" not found"), std::string::npos);
  EXPECT_NE(fails({"storage-add", "data=0"}).find("greater than zero"), std::string::npos);
  EXPECT_NE(fails({"storage-add", "data=x"}).find("count"), std::string::npos);
  EXPECT_TRUE(ctx().storage_requests.empty());
}

}  // namespace
}  // namespace scenario::agent::testing
