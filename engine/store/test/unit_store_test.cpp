#include "engine/store/unit_store.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/state/errors.hpp"
#include "engine/state/json_codec.hpp"
#include "engine/store/pickle_codec.hpp"
#include "engine/store/sqlite_image.hpp"
#include "engine/store/test/byte_damage.hpp"

namespace scenario::store {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

template <std::size_t N>
std::string_view bytes_of(const char (&s)[N]) {
  return {s, N - 1};
}

// pickle.dumps({'event_count': 5}) on CPython 3.11 (protocol 4, as ops writes it)
constexpr char event_count_5[] =
    "\200\004\225\024\000\000\000\000\000\000\000}\224\214\013event_count\224K\005s.";
// pickle.dumps({'counter': 1, 'things': ['a'], 'seen': {1, 2}, 'pair': (1, 'x')}) on CPython 3.11 (protocol 4, as ops writes it)
constexpr char charm_stored[] =
    "\200\004\225\077\000\000\000\000\000\000\000}\224(\214\007counter\224K\001\214\006things\224]\224"
    "\214\001a\224a\214\004seen\224\217\224(K\001K\002\220\214\004pair\224K\001\214\001x\224\206\224u"
    ".";
// pickle.dumps({'relation_name': 'db', 'relation_id': 1, 'app_name': 'remote', 'unit_name': 'remote/0'}) on CPython 3.11 (protocol 4, as ops writes it)
constexpr char relation_event[] =
    "\200\004\225U\000\000\000\000\000\000\000}\224(\214\015relation_name\224\214\002db\224\214\013re"
    "lation_id\224K\001\214\010app_name\224\214\006remote\224\214\011unit_name\224\214\010remote/0\224"
    "u.";
// pickle.dumps({}) on CPython 3.11 (protocol 4, as ops writes it)
constexpr char empty_dict[] =
    "\200\004}\224.";

class unit_store_test : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("scenario-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = dir_ / ".unit-state.db";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The message of the Error `action` throws; a test failure when it throws none.
  template <class Error, class Action>
  static std::string error_of(Action&& action) {
    try {
      action();
    } catch (const Error& e) {
      return e.what();
    }
    ADD_FAILURE() << "no error";
    return "";
  }

  // Rows as ops reads them: snapshot handle -> raw pickle, notices in sequence order.
  std::map<std::string, std::string> raw_snapshots() {
    std::map<std::string, std::string> out;
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(db_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT handle, data FROM snapshot", -1, &st, nullptr);
    while (sqlite3_step(st) == SQLITE_ROW) {
      std::string h(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
      out[h] = std::string(static_cast<const char*>(sqlite3_column_blob(st, 1)),
                           static_cast<std::size_t>(sqlite3_column_bytes(st, 1)));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
  }
  std::vector<std::vector<std::string>> raw_notices() {
    std::vector<std::vector<std::string>> out;
    sqlite3* db = nullptr;
    sqlite3_open_v2(db_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT event_path, observer_path, method_name FROM notice ORDER BY sequence", -1, &st,
                       nullptr);
    while (sqlite3_step(st) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < 3; ++i) row.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, i)));
      out.push_back(row);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
  }

  // Builds a database the way ops.storage.SQLiteStorage does (same DDL and statements).
  void write_like_ops(const std::vector<std::pair<std::string, std::string_view>>& snapshots,
                      const std::vector<std::vector<std::string>>& notices) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "PRAGMA locking_mode=EXCLUSIVE; BEGIN;"
                           "CREATE TABLE snapshot (handle TEXT PRIMARY KEY, data BLOB);"
                           "CREATE TABLE notice (sequence INTEGER PRIMARY KEY AUTOINCREMENT, event_path TEXT, "
                           "observer_path TEXT, method_name TEXT);",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    for (const auto& [handle, data] : snapshots) {
      sqlite3_stmt* st = nullptr;
      sqlite3_prepare_v2(db, "REPLACE INTO snapshot VALUES (?, ?)", -1, &st, nullptr);
      sqlite3_bind_text(st, 1, handle.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_blob(st, 2, data.data(), static_cast<int>(data.size()), SQLITE_TRANSIENT);
      ASSERT_EQ(sqlite3_step(st), SQLITE_DONE);
      sqlite3_finalize(st);
    }
    for (const auto& n : notices) {
      sqlite3_stmt* st = nullptr;
      sqlite3_prepare_v2(db, "INSERT INTO notice VALUES (NULL, ?, ?, ?)", -1, &st, nullptr);
      for (int i = 0; i < 3; ++i) sqlite3_bind_text(st, i + 1, n[static_cast<std::size_t>(i)].c_str(), -1, SQLITE_TRANSIENT);
      ASSERT_EQ(sqlite3_step(st), SQLITE_DONE);
      sqlite3_finalize(st);
    }
    ASSERT_EQ(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }

  fs::path dir_;
  fs::path db_;
};

state::state sample_state() {
  return state::state_from_json(json::parse(R"({
    "stored_state": [
      {"owner_path": null, "name": "_stored", "content": {"counter": 1, "seen": {"$set": [1, 2]}, "b": {"$bytes": "AP8="}}},
      {"owner_path": "MyCharm/lib", "name": "_lib_state", "content": {"k": {"$tuple": [1, "x"]}}},
      {"owner_path": "", "name": "_stored", "content": {"event_count": 9}}
    ],
    "deferred": [
      {"handle_path": "MyCharm/on/db_relation_changed[3]", "owner": "MyCharm", "observer": "_on_db",
       "snapshot_data": {"relation_name": "db", "relation_id": 1, "app_name": "remote", "unit_name": "remote/0"}},
      {"handle_path": "MyCharm/on/db_relation_changed[3]", "owner": "MyCharm/lib", "observer": "_on_changed",
       "snapshot_data": {"relation_name": "db", "relation_id": 1, "app_name": "remote", "unit_name": "remote/0"}},
      {"handle_path": "MyCharm/on/start[1]", "owner": "MyCharm", "observer": "_on_start", "snapshot_data": {}}
    ]
  })"));
}

TEST_F(unit_store_test, writes_the_rows_ops_expects) {
  write_unit_state(db_, sample_state(), "MyCharm");
  auto snaps = raw_snapshots();
  ASSERT_EQ(snaps.size(), 5u);
  EXPECT_EQ(pickle_to_json(snaps.at("MyCharm/StoredStateData[_stored]"))["counter"], 1);
  EXPECT_EQ(pickle_to_json(snaps.at("MyCharm/lib/StoredStateData[_lib_state]")),
            json::parse(R"({"k": {"$tuple": [1, "x"]}})"));
  EXPECT_EQ(pickle_to_json(snaps.at("StoredStateData[_stored]")), json::parse(R"({"event_count": 9})"));
  EXPECT_EQ(pickle_to_json(snaps.at("MyCharm/on/start[1]")), json::object());
  EXPECT_EQ(pickle_to_json(snaps.at("MyCharm/on/db_relation_changed[3]"))["unit_name"], "remote/0");
  auto notices = raw_notices();
  ASSERT_EQ(notices.size(), 3u);
  EXPECT_EQ(notices[0], (std::vector<std::string>{"MyCharm/on/db_relation_changed[3]", "MyCharm", "_on_db"}));
  EXPECT_EQ(notices[1], (std::vector<std::string>{"MyCharm/on/db_relation_changed[3]", "MyCharm/lib", "_on_changed"}));
  EXPECT_EQ(notices[2], (std::vector<std::string>{"MyCharm/on/start[1]", "MyCharm", "_on_start"}));
  struct stat st {};
  ASSERT_EQ(::stat(db_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(unit_store_test, write_then_read_round_trips) {
  state::state in = sample_state();
  write_unit_state(db_, in, "MyCharm");
  state::state out;
  out.stored_state.push_back({});  // replaced, not appended to
  read_unit_state(db_, out);
  // The charm's own entry (owner_path null on the way in) comes back under the charm's name.
  in.stored_state[0].owner_path = "MyCharm";
  EXPECT_EQ(state::state_to_json(out)["stored_state"], state::state_to_json(in)["stored_state"]);
  EXPECT_EQ(state::state_to_json(out)["deferred"], state::state_to_json(in)["deferred"]);
}

TEST_F(unit_store_test, the_image_is_the_file_and_reads_back_without_one) {
  state::state in = sample_state();
  std::string image = unit_state_image(in, "MyCharm", db_);
  EXPECT_FALSE(fs::exists(db_));  // building the image writes nothing
  write_unit_state(db_, in, "MyCharm");
  std::ifstream file(db_, std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(file), {}), image);

  state::state out;
  read_unit_state_image(image, db_, out);
  in.stored_state[0].owner_path = "MyCharm";
  EXPECT_EQ(state::state_to_json(out)["stored_state"], state::state_to_json(in)["stored_state"]);
  EXPECT_EQ(state::state_to_json(out)["deferred"], state::state_to_json(in)["deferred"]);
}

TEST_F(unit_store_test, an_image_the_direct_reader_declines_is_read_through_sqlite) {
  // A UTF-16 database is valid SQLite that the direct reader leaves to SQLite.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA encoding='UTF-16le'; CREATE TABLE snapshot (handle TEXT PRIMARY KEY, data BLOB);"
                             "CREATE TABLE notice (sequence INTEGER PRIMARY KEY AUTOINCREMENT, event_path TEXT, "
                             "observer_path TEXT, method_name TEXT);"
                             "INSERT INTO notice VALUES (NULL, 'MyCharm/on/start[1]', 'MyCharm', '_on_start');",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  std::ifstream file(db_, std::ios::binary);
  std::string image(std::istreambuf_iterator<char>(file), {});
  ASSERT_FALSE(detail::parse_unit_db(image).has_value());
  state::state s;
  read_unit_state_image(image, db_, s);
  ASSERT_EQ(s.deferred.size(), 1u);
  EXPECT_EQ(s.deferred[0].observer, "_on_start");
}

TEST_F(unit_store_test, a_damaged_image_is_an_error_naming_the_file) {
  state::state s;
  EXPECT_THAT(error_of<error>([&] { read_unit_state_image("not a database", db_, s); }), HasSubstr(db_.string()));
}

TEST_F(unit_store_test, reads_a_database_written_like_ops) {
  // What ops 2.4.1 / 3.9.0 leave after a deferred relation-changed: the charm's and the
  // framework's stored state, the event snapshot, its notice. Pickles are CPython's own bytes.
  write_like_ops({{"MyCharm/StoredStateData[_stored]", bytes_of(charm_stored)},
                  {"MyCharm/on/db_relation_changed[4]", bytes_of(relation_event)},
                  {"StoredStateData[_stored]", bytes_of(empty_dict)},
                  {"StoredStateData[_stored]", bytes_of(event_count_5)},  // REPLACE of the first
                  {"MyCharm/on/install[1]", bytes_of(empty_dict)}},
                 {{"MyCharm/on/install[1]", "MyCharm", "_on_install"},
                  {"MyCharm/on/db_relation_changed[4]", "MyCharm", "_on_db_changed"}});
  state::state s;
  read_unit_state(db_, s);
  ASSERT_EQ(s.deferred.size(), 2u);
  EXPECT_EQ(s.deferred[0].handle_path, "MyCharm/on/install[1]");
  EXPECT_EQ(s.deferred[0].observer, "_on_install");
  EXPECT_EQ(s.deferred[0].snapshot_data, json::object());
  EXPECT_EQ(s.deferred[1].owner, "MyCharm");
  EXPECT_EQ(s.deferred[1].snapshot_data["relation_id"], 1);
  ASSERT_EQ(s.stored_state.size(), 2u);
  EXPECT_EQ(s.stored_state[0].owner_path, std::optional<std::string>("MyCharm"));
  EXPECT_EQ(s.stored_state[0].name, "_stored");
  EXPECT_EQ(s.stored_state[0].data_type_name, "StoredStateData");
  EXPECT_EQ(s.stored_state[0].content,
            json::parse(R"({"counter": 1, "things": ["a"], "seen": {"$set": [1, 2]}, "pair": {"$tuple": [1, "x"]}})"));
  EXPECT_EQ(s.stored_state[1].owner_path, std::optional<std::string>(""));
  EXPECT_EQ(s.stored_state[1].content, json::parse(R"({"event_count": 5})"));
}

TEST_F(unit_store_test, other_snapshot_kinds_survive) {
  write_like_ops({{"MyCharm/on/orphan[7]", bytes_of(relation_event)}, {"MyCharm/Thing[key]", bytes_of(empty_dict)}}, {});
  state::state s;
  read_unit_state(db_, s);
  ASSERT_EQ(s.stored_state.size(), 2u);
  // In handle order: "MyCharm/Thing[key]" sorts before "MyCharm/on/orphan[7]".
  EXPECT_EQ(s.stored_state[0].data_type_name, "Thing");
  EXPECT_EQ(s.stored_state[1].owner_path, std::optional<std::string>("MyCharm/on"));
  EXPECT_EQ(s.stored_state[1].data_type_name, "orphan");
  EXPECT_EQ(s.stored_state[1].name, "7");
  fs::path again = dir_ / "again.db";
  write_unit_state(again, s, "MyCharm");
  state::state back;
  read_unit_state(again, back);
  EXPECT_EQ(state::state_to_json(back)["stored_state"], state::state_to_json(s)["stored_state"]);
}

TEST_F(unit_store_test, event_count_is_written_when_missing) {
  state::state s;
  s.deferred.push_back({"MyCharm/on/start[12]", "MyCharm", "_on_start", json::object()});
  s.deferred.push_back({"MyCharm/on/config_changed[4]", "MyCharm", "_on_config", json::object()});
  write_unit_state(db_, s, "MyCharm");
  EXPECT_EQ(pickle_to_json(raw_snapshots().at("StoredStateData[_stored]")), json::parse(R"({"event_count": 12})"));

  // It reads back as the Framework's entry, which a State shown to the user leaves out.
  state::state back;
  s.stored_state.push_back({"MyCharm", "_stored", json::object(), "StoredStateData"});
  write_unit_state(db_, s, "MyCharm");
  read_unit_state(db_, back);
  ASSERT_EQ(back.stored_state.size(), 2u);
  EXPECT_FALSE(is_framework_stored_state(back.stored_state[0]));
  EXPECT_TRUE(is_framework_stored_state(back.stored_state[1]));
  leave_out_framework_stored_state(back);
  EXPECT_EQ(back.stored_state, s.stored_state);
}

TEST_F(unit_store_test, empty_state_gives_empty_tables) {
  write_unit_state(db_, state::state{}, "MyCharm");
  EXPECT_TRUE(raw_snapshots().empty());
  EXPECT_TRUE(raw_notices().empty());
  state::state s = sample_state();
  read_unit_state(db_, s);
  EXPECT_TRUE(s.stored_state.empty());
  EXPECT_TRUE(s.deferred.empty());
}

TEST_F(unit_store_test, replaces_an_existing_file) {
  write_unit_state(db_, sample_state(), "MyCharm");
  state::state small;
  small.stored_state.push_back({std::nullopt, "_stored", json{{"x", 1}}, "StoredStateData"});
  write_unit_state(db_, small, "MyCharm");
  EXPECT_EQ(raw_snapshots().size(), 1u);
  EXPECT_TRUE(raw_notices().empty());
}

// A State the store refuses leaves no file behind, and the message names the entry.
TEST_F(unit_store_test, refused_states_name_the_entry_and_write_nothing) {
  const state::stored_state_entry charm_stored{std::nullopt, "_stored", json::object(), "StoredStateData"};
  struct refused_case {
    std::vector<state::stored_state_entry> stored_state;
    std::vector<state::deferred_event> deferred;
    std::string charm_class;
    std::string message;
  };
  const std::vector<refused_case> cases{
      {{charm_stored, {"MyCharm", "_stored", json::object(), "StoredStateData"}},
       {},
       "MyCharm",
       "stored_state[1]: a second stored state with handle 'MyCharm/StoredStateData[_stored]'"},
      {{charm_stored}, {}, "", "stored_state[0].owner_path: null means the charm"},
      {{},
       {{"MyCharm/on/start[1]", "MyCharm", "_a", json::object()},
        {"MyCharm/on/start[1]", "MyCharm", "_b", json{{"x", 1}}}},
       "MyCharm",
       "deferred[1]: 'MyCharm/on/start[1]' is deferred twice with different snapshot_data"},
      {{}, {{"MyCharm/on/start[1]", "MyCharm", "", json::object()}}, "MyCharm",
       "deferred[0]: owner and observer must be set"},
      {{{std::nullopt, "_stored", json::parse(R"({"a": {"$list": []}})"), "StoredStateData"}},
       {},
       "MyCharm",
       "stored_state[0].content: value['a']: unknown tag '$list'"},
  };
  for (const auto& c : cases) {
    state::state s;
    s.stored_state = c.stored_state;
    s.deferred = c.deferred;
    EXPECT_THAT(error_of<state_validation_error>([&] { write_unit_state(db_, s, c.charm_class); }),
                HasSubstr(c.message));
    EXPECT_FALSE(fs::exists(db_)) << c.message;  // nothing half-written
  }
}

TEST_F(unit_store_test, unreadable_snapshot_names_the_handle) {
  constexpr char ordered_dict[] = "\200\002ccollections\nOrderedDict\nq\000)Rq\001.";
  write_like_ops({{"MyCharm/StoredStateData[_stored]", bytes_of(ordered_dict)}}, {});
  state::state s;
  const auto message = error_of<state_validation_error>([&] { read_unit_state(db_, s); });
  EXPECT_THAT(message, HasSubstr("unit state snapshot 'MyCharm/StoredStateData[_stored]'"));
  EXPECT_THAT(message, HasSubstr("GLOBAL"));
}

TEST_F(unit_store_test, missing_or_foreign_database_is_an_error) {
  state::state s;
  EXPECT_THROW(read_unit_state(db_, s), scenario::error);
  sqlite3* db = nullptr;
  sqlite3_open(db_.c_str(), &db);
  sqlite3_exec(db, "CREATE TABLE other (x)", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  EXPECT_THAT(error_of<scenario::error>([&] { read_unit_state(db_, s); }), HasSubstr("snapshot"));
}

// Many rows and big values make SQLite use interior b-tree pages and overflow pages; the direct
// reader must see exactly what SQLite sees.
TEST_F(unit_store_test, direct_reader_matches_sqlite_on_a_large_database) {
  std::vector<std::string> blobs;
  std::vector<std::pair<std::string, std::string_view>> snapshots;
  std::vector<std::vector<std::string>> notices;
  for (int i = 0; i < 400; ++i) {
    json content = {{"i", i}, {"pad", std::string(static_cast<std::size_t>((i * 97) % 9000), 'p')}};
    blobs.push_back(json_to_pickle(content));
  }
  for (int i = 0; i < 400; ++i) {
    snapshots.emplace_back(fmt::format("MyCharm/Obj{}/StoredStateData[_s{}]", i % 7, i), blobs[static_cast<std::size_t>(i)]);
    if (i % 3 == 0) notices.push_back({fmt::format("MyCharm/on/ev[{}]", i), "MyCharm", fmt::format("_m{}", i)});
  }
  write_like_ops(snapshots, notices);
  auto direct = detail::parse_unit_db(
      [&] {
        std::ifstream in(db_, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
      }());
  ASSERT_TRUE(direct.has_value());
  auto via_sqlite = detail::read_unit_db_rows(db_, false);
  EXPECT_EQ(direct->snapshots, via_sqlite.snapshots);
  EXPECT_EQ(direct->notices, via_sqlite.notices);
  ASSERT_EQ(direct->snapshots.size(), 400u);
  EXPECT_EQ(direct->notices.size(), 134u);
  state::state s;
  read_unit_state(db_, s);
  ASSERT_EQ(s.stored_state.size(), 400u);
  // In handle order, so entry 399 ("MyCharm/Obj0/StoredStateData[_s399]") is found by name.
  const auto it = std::find_if(s.stored_state.begin(), s.stored_state.end(),
                               [](const auto& e) { return e.name == "_s399"; });
  ASSERT_NE(it, s.stored_state.end());
  EXPECT_EQ(it->owner_path, std::optional<std::string>("MyCharm/Obj0"));
  EXPECT_EQ(it->content["i"], 399);
  EXPECT_EQ(it->content["pad"].get<std::string>().size(), static_cast<std::size_t>((399 * 97) % 9000));
  const auto handle = [](const state::stored_state_entry& e) {
    return *e.owner_path + "/" + e.data_type_name + "[" + e.name + "]";
  };
  EXPECT_TRUE(std::is_sorted(s.stored_state.begin(), s.stored_state.end(),
                             [&](const auto& a, const auto& b) { return handle(a) < handle(b); }));
}

TEST_F(unit_store_test, pending_journal_reads_through_sqlite) {
  write_unit_state(db_, sample_state(), "MyCharm");
  {
    std::ofstream journal(db_.string() + "-journal", std::ios::binary);
    journal << std::string(512, '\0');  // not hot (zero header), but makes the reader defer to SQLite
  }
  state::state s;
  read_unit_state(db_, s);
  EXPECT_EQ(state::state_to_json(s)["deferred"], state::state_to_json(sample_state())["deferred"]);
}

std::string integrity_check(const fs::path& path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr);
  std::string result;
  while (sqlite3_step(st) == SQLITE_ROW) result += reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return result;
}

detail::unit_db_rows rows_of(const state::state& s) {
  detail::unit_db_rows rows;
  for (const auto& e : s.stored_state)
    rows.snapshots.emplace_back(
        (e.owner_path ? (e.owner_path->empty() ? "" : *e.owner_path + "/") : "MyCharm/") + e.data_type_name + "[" + e.name + "]",
        json_to_pickle(e.content));
  for (const auto& d : s.deferred) {
    if (std::none_of(rows.snapshots.begin(), rows.snapshots.end(), [&](const auto& r) { return r.first == d.handle_path; }))
      rows.snapshots.emplace_back(d.handle_path, json_to_pickle(d.snapshot_data));
    rows.notices.push_back({d.handle_path, d.owner, d.observer});
  }
  return rows;
}

TEST_F(unit_store_test, direct_image_is_a_valid_database_with_the_same_rows) {
  detail::unit_db_rows rows = rows_of(sample_state());
  ASSERT_TRUE(detail::build_unit_db(detail::empty_unit_db_image(), rows).has_value());  // small: direct path
  for (bool direct : {true, false}) {
    std::string image = detail::build_unit_db_image(db_, rows, direct);
    {
      std::ofstream out(db_, std::ios::binary | std::ios::trunc);
      out << image;
    }
    EXPECT_EQ(integrity_check(db_), "ok") << direct;
    auto back = detail::read_unit_db_rows(db_, false);  // through SQLite
    EXPECT_EQ(back.snapshots, rows.snapshots) << direct;
    EXPECT_EQ(back.notices, rows.notices) << direct;
    // AUTOINCREMENT bookkeeping matches what SQLite itself keeps.
    sqlite3* db = nullptr;
    sqlite3_open(db_.c_str(), &db);
    sqlite3_exec(db, "INSERT INTO notice VALUES (NULL, 'x', 'y', 'z')", nullptr, nullptr, nullptr);
    EXPECT_EQ(sqlite3_last_insert_rowid(db), 4) << direct;
    sqlite3_exec(db, "REPLACE INTO snapshot VALUES ('MyCharm/on/start[1]', x'00')", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    EXPECT_EQ(integrity_check(db_), "ok") << direct;
    EXPECT_EQ(raw_snapshots().at("MyCharm/on/start[1]"), std::string(1, '\0'));
    EXPECT_EQ(raw_snapshots().size(), rows.snapshots.size());
  }
}

TEST_F(unit_store_test, large_state_is_written_through_sqlite) {
  state::state s;
  for (int i = 0; i < 60; ++i)
    s.stored_state.push_back({fmt::format("MyCharm/o{}", i), "_stored", json{{"pad", std::string(3000, 'x')}, {"i", i}},
                              "StoredStateData"});
  for (int i = 0; i < 300; ++i)
    s.deferred.push_back({fmt::format("MyCharm/on/update_status[{}]", i + 1), "MyCharm", "_on_update", json::object()});
  ASSERT_FALSE(detail::build_unit_db(detail::empty_unit_db_image(), rows_of(s)).has_value());
  write_unit_state(db_, s, "MyCharm");
  EXPECT_EQ(integrity_check(db_), "ok");
  state::state back;
  read_unit_state(db_, back);
  EXPECT_EQ(back.deferred, s.deferred);
  ASSERT_EQ(back.stored_state.size(), 61u);  // plus the Framework's event_count
  // In handle order: "MyCharm/o0", "MyCharm/o1", "MyCharm/o10", ..., then "StoredStateData[_stored]".
  for (const auto& entry : s.stored_state)
    EXPECT_NE(std::find(back.stored_state.begin(), back.stored_state.end(), entry), back.stored_state.end());
  EXPECT_EQ(back.stored_state[60].content, json::parse(R"({"event_count": 300})"));
}

TEST_F(unit_store_test, corrupted_images_never_crash_the_direct_reader) {
  std::vector<std::pair<std::string, std::string_view>> snapshots;
  std::string big(9000, 'b');
  snapshots.emplace_back("MyCharm/StoredStateData[_stored]", big);
  for (int i = 0; i < 50; ++i) snapshots.emplace_back(fmt::format("h{}", i), bytes_of(charm_stored));
  write_like_ops(snapshots, {{"MyCharm/on/start[1]", "MyCharm", "_on_start"}});
  std::ifstream in(db_, std::ios::binary);
  const std::string base((std::istreambuf_iterator<char>(in)), {});
  byte_damage damage(777);
  int parsed = 0;
  for (int round = 0; round < 2000; ++round) {
    std::string image = base;
    damage.overwrite(image, 3);
    if (detail::parse_unit_db(image)) ++parsed;
  }
  EXPECT_GT(parsed, 0);  // most single-byte damage lands in data, which still parses
}

TEST(sqlite_image, rejects_what_it_does_not_handle) {
  EXPECT_FALSE(detail::parse_unit_db("").has_value());
  EXPECT_FALSE(detail::parse_unit_db(std::string(4096, 'x')).has_value());
  std::string header("SQLite format 3\0", 16);
  header.resize(4096, '\0');
  EXPECT_FALSE(detail::parse_unit_db(header).has_value());  // page size 0
}

TEST_F(unit_store_test, wal_database_reads_through_sqlite) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; CREATE TABLE snapshot (handle TEXT PRIMARY KEY, data BLOB);"
                   "CREATE TABLE notice (sequence INTEGER PRIMARY KEY AUTOINCREMENT, event_path TEXT, "
                   "observer_path TEXT, method_name TEXT);"
                   "INSERT INTO notice VALUES (NULL, 'MyCharm/on/start[1]', 'MyCharm', '_on_start');",
               nullptr, nullptr, nullptr);
  state::state s;
  read_unit_state(db_, s);  // while the WAL still holds the rows
  sqlite3_close(db);
  ASSERT_EQ(s.deferred.size(), 1u);
  EXPECT_EQ(s.deferred[0].observer, "_on_start");
}

// Write + read of a small state must stay far below a charm run's cost (target < 0.3 ms).
TEST_F(unit_store_test, write_and_read_are_fast) {
  state::state in = sample_state();
  constexpr int rounds = 200;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < rounds; ++i) {
    write_unit_state(db_, in, "MyCharm");
    state::state out;
    read_unit_state(db_, out);
    ASSERT_EQ(out.deferred.size(), 3u);
  }
  auto per_round = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / rounds;
  RecordProperty("write_read_us", std::to_string(per_round));
  std::printf("write+read of a small unit state: %.1f us\n", per_round);
  EXPECT_LT(per_round, 3000.0);  // generous: shared CI machines; the target is checked by hand
}

}  // namespace
}  // namespace scenario::store
