#include "engine/store/unit_store.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <set>
#include <system_error>

#include <fmt/format.h>

#include "engine/state/errors.hpp"
#include "engine/state/handle_path.hpp"
#include "engine/store/pickle_codec.hpp"
#include "engine/store/sqlite_image.hpp"

namespace scenario::store {

namespace {

using json = nlohmann::json;

// The exact statements of ops.storage.SQLiteStorage (identical in ops 2.4.1 and 3.9.0).
constexpr const char* create_snapshot_sql = "CREATE TABLE snapshot (handle TEXT PRIMARY KEY, data BLOB)";
constexpr const char* create_notice_sql =
    "CREATE TABLE notice (\n"
    "  sequence INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  event_path TEXT,\n"
    "  observer_path TEXT,\n"
    "  method_name TEXT)";
// The Framework's own StoredState (event_count) has no parent handle.
constexpr const char* framework_stored_handle = "StoredStateData[_stored]";

[[noreturn]] void fail_db(const std::filesystem::path& path, const std::string& what) {
  throw error("unit-state-db", fmt::format("unit state database {}: {}", path.string(), what));
}

struct db_closer {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct stmt_finalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using db_ptr = std::unique_ptr<sqlite3, db_closer>;
using stmt_ptr = std::unique_ptr<sqlite3_stmt, stmt_finalizer>;

// Makes a copy of `image` the main database of `db` (SQLite frees the copy); returns SQLite's
// result code. `path` is the file the image stands for, named in errors.
int load_image_copy(sqlite3* db, std::string_view image, unsigned extra_flags,
                    const std::filesystem::path& path) {
  auto* buffer = static_cast<unsigned char*>(sqlite3_malloc64(image.size()));
  if (!buffer) fail_db(path, "out of memory");
  std::memcpy(buffer, image.data(), image.size());
  const auto size = static_cast<sqlite3_int64>(image.size());
  return sqlite3_deserialize(db, "main", buffer, size, size,
                             SQLITE_DESERIALIZE_FREEONCLOSE | extra_flags);
}

class connection {
 public:
  // An in-memory database; `path` is the file it stands for, named in errors.
  explicit connection(const std::filesystem::path& path) : path_(path) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             nullptr);
    db_.reset(raw);
    if (rc != SQLITE_OK) fail(rc, "cannot open");
  }

  [[noreturn]] void fail(int rc, const std::string& what) const {
    std::string detail = db_ ? sqlite3_errmsg(db_.get()) : sqlite3_errstr(rc);
    fail_db(path_, fmt::format("{} ({})", what, detail));
  }

  void exec(const char* sql) {
    int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) fail(rc, fmt::format("'{}' failed", sql));
  }

  sqlite3* get() const { return db_.get(); }

  stmt_ptr prepare(const char* sql) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db_.get(), sql, -1, &raw, nullptr);
    stmt_ptr s(raw);
    if (rc != SQLITE_OK) fail(rc, fmt::format("cannot prepare '{}'", sql));
    return s;
  }

  void bind_text(sqlite3_stmt* s, int index, const std::string& value) {
    int rc = sqlite3_bind_text(s, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) fail(rc, "bind failed");
  }
  void bind_blob(sqlite3_stmt* s, int index, const std::string& value) {
    int rc = sqlite3_bind_blob(s, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) fail(rc, "bind failed");
  }
  void run(sqlite3_stmt* s) {
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) fail(rc, "write failed");
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
  }

 private:
  std::filesystem::path path_;
  db_ptr db_;
};

}  // namespace

// The database file ops creates before anything is stored, built once per process and never
// changed afterwards.
const std::string& detail::empty_unit_db_image() {
  static const std::string image = [] {
    connection db("<empty schema>");
    db.exec("BEGIN");
    db.exec(create_snapshot_sql);
    db.exec(create_notice_sql);
    db.exec("COMMIT");
    sqlite3_int64 size = 0;
    unsigned char* data = sqlite3_serialize(db.get(), "main", &size, 0);
    if (!data) fail_db("<empty schema>", "cannot serialize");
    std::string out(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size));
    sqlite3_free(data);
    return out;
  }();
  return image;
}

namespace {

std::string handle_of(const state::stored_state_entry& e, const std::string& charm_class_name) {
  std::string key = e.data_type_name + "[" + e.name + "]";
  if (!e.owner_path) return charm_class_name + "/" + key;
  if (e.owner_path->empty()) return key;
  return *e.owner_path + "/" + key;
}

std::string pickle_field(const json& value, const std::string& path) {
  try {
    return json_to_pickle(value);
  } catch (const state_validation_error& e) {
    throw state_validation_error(e.code(), path + ": " + e.what());
  }
}

}  // namespace

std::string detail::build_unit_db_image(const std::filesystem::path& db_path, const unit_db_rows& rows,
                                        bool allow_direct) {
  const std::string& empty = empty_unit_db_image();
  if (allow_direct) {
    if (auto image = build_unit_db(empty, rows)) return std::move(*image);
  }
  connection db(db_path);
  // Start from an image of the empty schema: executing CREATE TABLE costs more than the rest.
  int rc = load_image_copy(db.get(), empty, SQLITE_DESERIALIZE_RESIZEABLE, db_path);
  if (rc != SQLITE_OK) db.fail(rc, "cannot load the empty schema");
  db.exec("BEGIN");
  {
    auto insert_snapshot = db.prepare("REPLACE INTO snapshot VALUES (?, ?)");
    for (const auto& [handle, data] : rows.snapshots) {
      db.bind_text(insert_snapshot.get(), 1, handle);
      db.bind_blob(insert_snapshot.get(), 2, data);
      db.run(insert_snapshot.get());
    }
    auto insert_notice = db.prepare("INSERT INTO notice VALUES (NULL, ?, ?, ?)");
    for (const auto& [event_path, observer_path, method_name] : rows.notices) {
      db.bind_text(insert_notice.get(), 1, event_path);
      db.bind_text(insert_notice.get(), 2, observer_path);
      db.bind_text(insert_notice.get(), 3, method_name);
      db.run(insert_notice.get());
    }
  }
  db.exec("COMMIT");
  sqlite3_int64 size = 0;
  unsigned char* data = sqlite3_serialize(db.get(), "main", &size, 0);
  if (!data) fail_db(db_path, "cannot serialize the in-memory database");
  std::string image(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size));
  sqlite3_free(data);
  return image;
}

bool is_framework_stored_state(const state::stored_state_entry& entry) {
  return entry.owner_path && entry.owner_path->empty();
}

void leave_out_framework_stored_state(state::state& s) { std::erase_if(s.stored_state, is_framework_stored_state); }

std::string unit_state_image(const state::state& s, const std::string& charm_class_name,
                             const std::filesystem::path& named_as) {
  // Validate and encode everything before touching the file, so a bad State leaves no half-written DB.
  std::vector<std::pair<std::string, std::string>> snapshots;  // handle -> pickle, in write order
  std::set<std::string> handles;
  bool has_framework_state = false;
  for (std::size_t i = 0; i < s.stored_state.size(); ++i) {
    const auto& e = s.stored_state[i];
    std::string path = fmt::format("stored_state[{}]", i);
    if (e.name.empty()) throw state_validation_error("invalid-state", path + ".name: is empty; write the attribute name, e.g. '_stored'");
    if (e.data_type_name.empty())
      throw state_validation_error("invalid-state", path + ".data_type_name: is empty; write 'StoredStateData'");
    if (!e.owner_path && charm_class_name.empty())
      throw state_validation_error(
          "invalid-state", path + ".owner_path: null means the charm, but the charm class name is unknown; "
                                  "write the charm class name (e.g. 'MyCharm') as owner_path");
    std::string handle = handle_of(e, charm_class_name);
    if (!handles.insert(handle).second)
      throw state_validation_error(
          "invalid-state", fmt::format("{}: a second stored state with handle '{}'; merge the two entries "
                                       "(each owner_path and name pair may appear once)", path, handle));
    has_framework_state = has_framework_state || handle == framework_stored_handle;
    snapshots.emplace_back(handle, pickle_field(e.content, path + ".content"));
  }

  std::map<std::string, const json*> event_data;
  long long max_event_number = 0;
  for (std::size_t i = 0; i < s.deferred.size(); ++i) {
    const auto& d = s.deferred[i];
    std::string path = fmt::format("deferred[{}]", i);
    if (d.handle_path.empty())
      throw state_validation_error("invalid-state", path + ".handle_path: is empty; write e.g. 'MyCharm/on/start[1]'");
    if (d.owner.empty() || d.observer.empty())
      throw state_validation_error(
          "invalid-state", fmt::format("{}: owner and observer must be set (e.g. owner 'MyCharm', observer "
                                       "'_on_start') so ops can re-emit '{}'", path, d.handle_path));
    max_event_number = std::max(max_event_number, state::handle_number(d.handle_path).value_or(-1));
    auto [it, inserted] = event_data.emplace(d.handle_path, &d.snapshot_data);
    if (inserted) {
      if (handles.count(d.handle_path))
        throw state_validation_error(
            "invalid-state", fmt::format("{}.handle_path: '{}' is also a stored state handle; use a distinct path",
                                         path, d.handle_path));
      snapshots.emplace_back(d.handle_path, pickle_field(d.snapshot_data, path + ".snapshot_data"));
    } else if (*it->second != d.snapshot_data) {
      throw state_validation_error(
          "invalid-state", fmt::format("{}: '{}' is deferred twice with different snapshot_data; one event "
                                       "has one snapshot, so give the entries the same snapshot_data",
                                       path, d.handle_path));
    }
  }
  // ops numbers events from the Framework's event_count; without it a new event could reuse
  // the handle of a deferred one.
  if (!has_framework_state && max_event_number > 0)
    snapshots.emplace_back(framework_stored_handle, json_to_pickle(json{{"event_count", max_event_number}}));

  detail::unit_db_rows rows;
  rows.snapshots = std::move(snapshots);
  for (const auto& d : s.deferred) rows.notices.push_back({d.handle_path, d.owner, d.observer});
  return detail::build_unit_db_image(named_as, rows, true);
}

void write_unit_state(const std::filesystem::path& db_path, const state::state& s,
                      const std::string& charm_class_name) {
  // Built in memory and written with one write(): far fewer syscalls than SQLite's file I/O
  // (locks, journal, page writes), and the image is the same database file ops would read.
  std::string image = unit_state_image(s, charm_class_name, db_path);

  // A stale rollback journal would be "hot" and make SQLite undo our content on open.
  ::unlink((db_path.string() + "-journal").c_str());
  ::unlink(db_path.c_str());
  // ops (since 2.9) keeps the file private to the unit; create it that way too.
  int fd = ::open(db_path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) fail_db(db_path, fmt::format("cannot create ({})", std::generic_category().message(errno)));
  const char* data = image.data();
  std::size_t left = image.size();
  while (left > 0) {
    ssize_t n = ::write(fd, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      fail_db(db_path, fmt::format("cannot write ({})", std::generic_category().message(err)));
    }
    data += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) fail_db(db_path, fmt::format("cannot write ({})", std::generic_category().message(errno)));
}

namespace {

std::string read_file(const std::filesystem::path& db_path) {
  int fd = ::open(db_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) fail_db(db_path, "does not exist; the charm did not run with ops' SQLite storage");
    fail_db(db_path, fmt::format("cannot open ({})", std::generic_category().message(err)));
  }
  std::string image;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) image.reserve(static_cast<std::size_t>(st.st_size));
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      fail_db(db_path, fmt::format("cannot read ({})", std::generic_category().message(err)));
    }
    if (n == 0) break;
    image.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return image;
}

// The general path: SQLite itself on the database (rolls back a hot journal, reports damage).
detail::unit_db_rows read_rows_with_sqlite(sqlite3* raw, int rc, const std::filesystem::path& db_path) {
  db_ptr db(raw);
  auto fail = [&](const std::string& what) {
    fail_db(db_path, fmt::format("{} ({})", what, db ? sqlite3_errmsg(db.get()) : sqlite3_errstr(rc)));
  };
  if (rc != SQLITE_OK) fail("cannot open");
  auto prepare = [&](const char* sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db.get(), sql, -1, &st, nullptr) != SQLITE_OK) {
      sqlite3_finalize(st);
      fail("not an ops unit-state database");
    }
    return stmt_ptr(st);
  };
  auto text = [](sqlite3_stmt* st, int i) {
    const char* t = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
    return t ? std::string(t, static_cast<std::size_t>(sqlite3_column_bytes(st, i))) : std::string();
  };
  detail::unit_db_rows rows;
  if (sqlite3_exec(db.get(), "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) fail("cannot read");
  auto snapshots = prepare("SELECT handle, data FROM snapshot ORDER BY rowid");
  while ((rc = sqlite3_step(snapshots.get())) == SQLITE_ROW) {
    const void* blob = sqlite3_column_blob(snapshots.get(), 1);
    auto size = static_cast<std::size_t>(sqlite3_column_bytes(snapshots.get(), 1));
    rows.snapshots.emplace_back(text(snapshots.get(), 0), std::string(static_cast<const char*>(blob), size));
  }
  if (rc != SQLITE_DONE) fail("reading snapshots failed");
  auto notices = prepare("SELECT event_path, observer_path, method_name FROM notice ORDER BY sequence");
  while ((rc = sqlite3_step(notices.get())) == SQLITE_ROW)
    rows.notices.push_back({text(notices.get(), 0), text(notices.get(), 1), text(notices.get(), 2)});
  if (rc != SQLITE_DONE) fail("reading notices failed");
  snapshots.reset();
  notices.reset();
  sqlite3_exec(db.get(), "COMMIT", nullptr, nullptr, nullptr);
  return rows;
}

}  // namespace

detail::unit_db_rows detail::read_unit_db_rows(const std::filesystem::path& db_path, bool allow_direct) {
  std::string image = read_file(db_path);
  // A leftover rollback journal means an interrupted write that only SQLite can undo.
  struct stat st {};
  bool journal = ::stat((db_path.string() + "-journal").c_str(), &st) == 0 && st.st_size > 0;
  if (allow_direct && !journal) {
    if (auto rows = detail::parse_unit_db(image)) return std::move(*rows);
  }
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(db_path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  return read_rows_with_sqlite(raw, rc, db_path);
}

namespace {

detail::unit_db_rows read_image_rows(std::string_view image, const std::filesystem::path& named_as) {
  if (auto rows = detail::parse_unit_db(image)) return std::move(*rows);
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc == SQLITE_OK) {
    db_ptr opened(raw);  // closed if loading throws
    rc = load_image_copy(raw, image, 0, named_as);
    opened.release();
  }
  return read_rows_with_sqlite(raw, rc, named_as);
}

// Replaces s.stored_state and s.deferred with what the database rows hold.
void apply_unit_db_rows(detail::unit_db_rows raw, const std::filesystem::path& db_path, state::state& s) {
  struct snapshot_row {
    std::string handle;
    json data;
  };
  std::vector<snapshot_row> rows;
  std::map<std::string, std::size_t> by_handle;
  for (auto& [handle, bytes] : raw.snapshots) {
    json data;
    try {
      data = pickle_to_json(bytes);
    } catch (const state_validation_error& e) {
      throw state_validation_error(e.code(), fmt::format("unit state snapshot '{}': {}", handle, e.what()));
    }
    by_handle[handle] = rows.size();
    rows.push_back({std::move(handle), std::move(data)});
  }

  std::vector<state::deferred_event> deferred;
  std::set<std::string> event_handles;
  for (auto& [event_path, observer_path, method_name] : raw.notices) {
    state::deferred_event d;
    d.handle_path = std::move(event_path);
    d.owner = std::move(observer_path);
    d.observer = std::move(method_name);
    if (auto it = by_handle.find(d.handle_path); it != by_handle.end()) {
      const json& data = rows[it->second].data;
      if (!data.is_object())
        fail_db(db_path, fmt::format("the snapshot of deferred event '{}' is {}, not a dict", d.handle_path, data.dump()));
      d.snapshot_data = data;
    }
    event_handles.insert(d.handle_path);
    deferred.push_back(std::move(d));
  }

  // In handle order, as ops' list_snapshots gives them (SQLite scans the primary key) and so as
  // ops-scenario 3.1 listed them; the database's row order is an accident of its writes.
  std::stable_sort(rows.begin(), rows.end(),
                   [](const snapshot_row& a, const snapshot_row& b) { return a.handle < b.handle; });
  std::vector<state::stored_state_entry> stored;
  for (auto& row : rows) {
    if (event_handles.count(row.handle)) continue;
    // Every other snapshot has a handle "[<parent path>/]<kind>[<key>]"; StoredState uses kind
    // StoredStateData, anything else is kept under its own kind so it survives the round trip.
    const std::string& h = row.handle;
    const auto parts = state::parse_handle_path(h);
    if (!parts) continue;  // a key-less handle has no representation
    state::stored_state_entry e;
    e.name = std::string(parts->key);
    e.data_type_name = std::string(parts->kind);
    e.owner_path = std::string(parts->parent);  // as ops wrote it: the charm's own entries name its class
    if (!row.data.is_object())
      fail_db(db_path, fmt::format("snapshot '{}' is {}, not a dict", h, row.data.dump()));
    e.content = std::move(row.data);
    stored.push_back(std::move(e));
  }
  s.stored_state = std::move(stored);
  s.deferred = std::move(deferred);
}

}  // namespace

void read_unit_state(const std::filesystem::path& db_path, state::state& s) {
  apply_unit_db_rows(detail::read_unit_db_rows(db_path, true), db_path, s);
}

void read_unit_state_image(std::string_view image, const std::filesystem::path& named_as, state::state& s) {
  apply_unit_db_rows(read_image_rows(image, named_as), named_as, s);
}

}  // namespace scenario::store
