#include "engine/store/sqlite_image.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>

namespace scenario::store::detail {

namespace {

// Thrown inside the parser for anything unexpected; never escapes parse_unit_db.
struct unhandled {};

// SQLite's variable-length integer at `pos` (advanced past it): up to eight 7-bit groups, high bit
// set while more follow, then a full ninth byte. byte_at(i) reads one byte or throws unhandled.
template <class ByteAt>
uint64_t read_varint(std::size_t& pos, ByteAt&& byte_at) {
  uint64_t v = 0;
  for (int k = 0; k < 8; ++k) {
    const uint8_t b = byte_at(pos++);
    v = (v << 7) | (b & 0x7f);
    if (!(b & 0x80)) return v;
  }
  return (v << 8) | byte_at(pos++);
}

struct value {
  enum class kind { null, integer, text, blob, other } k = kind::null;
  int64_t i = 0;
  std::string bytes;
};

class image_reader {
 public:
  explicit image_reader(std::string_view image) : image_(image) {
    if (image.size() < 100 || image.substr(0, 16) != std::string_view("SQLite format 3\0", 16)) throw unhandled{};
    uint32_t page_size = be(16, 2);
    if (page_size == 1) page_size = 65536;
    if (page_size < 512 || (page_size & (page_size - 1))) throw unhandled{};
    page_size_ = page_size;
    usable_ = page_size - static_cast<uint8_t>(image[20]);
    if (be(56, 4) != 1) throw unhandled{};  // text encoding must be UTF-8
    if (image[18] != 1 || image[19] != 1) throw unhandled{};  // WAL mode keeps content elsewhere
    if (image.size() % page_size_ != 0) throw unhandled{};
    pages_ = image.size() / page_size_;
  }

  std::size_t page_size() const { return page_size_; }
  std::size_t usable() const { return usable_; }

  // Calls fn(rowid, columns) for every row of the table b-tree rooted at `root`, in rowid order.
  void scan(uint32_t root, const std::function<void(int64_t, std::vector<value>&)>& fn, int depth = 0) {
    if (depth > 20) throw unhandled{};
    std::size_t base = page_offset(root);
    std::size_t header = base + (root == 1 ? 100 : 0);
    uint8_t type = byte(header);
    uint32_t cells = be(header + 3, 2);
    if (type == 0x05) {
      for (uint32_t c = 0; c < cells; ++c) {
        std::size_t cell = base + be(header + 12 + 2 * c, 2);
        scan(be(cell, 4), fn, depth + 1);
      }
      scan(be(header + 8, 4), fn, depth + 1);
      return;
    }
    if (type != 0x0d) throw unhandled{};
    for (uint32_t c = 0; c < cells; ++c) {
      std::size_t pos = base + be(header + 8 + 2 * c, 2);
      uint64_t payload_size = varint(pos);
      auto rowid = static_cast<int64_t>(varint(pos));
      std::string payload = read_payload(pos, payload_size);
      std::vector<value> columns = decode_record(payload);
      fn(rowid, columns);
    }
  }

 private:
  uint8_t byte(std::size_t at) const {
    if (at >= image_.size()) throw unhandled{};
    return static_cast<uint8_t>(image_[at]);
  }
  uint32_t be(std::size_t at, int n) const {
    uint32_t v = 0;
    for (int k = 0; k < n; ++k) v = (v << 8) | byte(at + static_cast<std::size_t>(k));
    return v;
  }
  std::size_t page_offset(uint32_t page) const {
    if (page == 0 || page > pages_) throw unhandled{};
    return static_cast<std::size_t>(page - 1) * page_size_;
  }
  uint64_t varint(std::size_t& pos) const {
    return read_varint(pos, [this](std::size_t at) { return byte(at); });
  }

  std::string read_payload(std::size_t pos, uint64_t size) const {
    if (size > image_.size()) throw unhandled{};
    uint64_t max_local = usable_ - 35;
    if (size <= max_local) {
      if (pos + size > image_.size()) throw unhandled{};
      return std::string(image_.substr(pos, static_cast<std::size_t>(size)));
    }
    uint64_t min_local = (uint64_t(usable_ - 12) * 32 / 255) - 23;
    uint64_t local = min_local + (size - min_local) % (usable_ - 4);
    if (local > max_local) local = min_local;
    if (pos + local + 4 > image_.size()) throw unhandled{};
    std::string out(image_.substr(pos, static_cast<std::size_t>(local)));
    uint32_t next = be(pos + static_cast<std::size_t>(local), 4);
    std::size_t guard = 0;
    while (out.size() < size) {
      if (next == 0 || ++guard > pages_) throw unhandled{};
      std::size_t page = page_offset(next);
      next = be(page, 4);
      std::size_t take = static_cast<std::size_t>(std::min<uint64_t>(usable_ - 4, size - out.size()));
      out.append(image_.substr(page + 4, take));
    }
    return out;
  }

  static std::vector<value> decode_record(const std::string& p) {
    std::vector<value> out;
    std::size_t pos = 0;
    auto get = [&](std::size_t at) -> uint8_t {
      if (at >= p.size()) throw unhandled{};
      return static_cast<uint8_t>(p[at]);
    };
    auto var = [&](std::size_t& at) { return read_varint(at, get); };
    uint64_t header_size = var(pos);
    if (header_size > p.size()) throw unhandled{};
    std::size_t body = static_cast<std::size_t>(header_size);
    while (pos < header_size) {
      uint64_t type = var(pos);
      value v;
      std::size_t len = 0;
      if (type == 0) {
        v.k = value::kind::null;
      } else if (type <= 6) {
        static constexpr std::size_t sizes[] = {0, 1, 2, 3, 4, 6, 8};
        len = sizes[type];
        v.k = value::kind::integer;
        uint64_t u = 0;
        for (std::size_t k = 0; k < len; ++k) u = (u << 8) | get(body + k);
        if (len < 8 && (u >> (8 * len - 1)) & 1) u |= ~uint64_t(0) << (8 * len);  // sign-extend
        v.i = static_cast<int64_t>(u);
      } else if (type == 8 || type == 9) {
        v.k = value::kind::integer;
        v.i = type == 9 ? 1 : 0;
      } else if (type == 7) {
        v.k = value::kind::other;
        len = 8;
      } else if (type >= 12) {
        len = static_cast<std::size_t>((type - 12) / 2);
        v.k = type % 2 == 0 ? value::kind::blob : value::kind::text;
        if (body + len > p.size()) throw unhandled{};
        v.bytes = p.substr(body, len);
      } else {
        throw unhandled{};
      }
      body += len;
      if (body > p.size()) throw unhandled{};
      out.push_back(std::move(v));
    }
    return out;
  }

  std::string_view image_;
  uint32_t page_size_ = 0;
  uint32_t usable_ = 0;
  std::size_t pages_ = 0;
};

const value& column(const std::vector<value>& row, std::size_t i) {
  static const value null_value;
  return i < row.size() ? row[i] : null_value;
}

// Text columns as ops writes them; NULL reads as "" like an unset path would.
std::string text_of(const value& v) {
  if (v.k == value::kind::text || v.k == value::kind::null) return v.bytes;
  throw unhandled{};
}

// --- writing -------------------------------------------------------------------------------

void put_varint(std::string& out, uint64_t v) {
  if (v > 0x00ffffffffffffffULL) {
    // Nine bytes: eight 7-bit groups then a full byte.
    char buf[9];
    buf[8] = static_cast<char>(v & 0xff);
    v >>= 8;
    for (int k = 7; k >= 0; --k) {
      buf[k] = static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    out.append(buf, 9);
    return;
  }
  char buf[8];
  int n = 0;
  do {
    buf[n++] = static_cast<char>(v & 0x7f);
    v >>= 7;
  } while (v);
  for (int k = n - 1; k >= 0; --k) out += static_cast<char>(buf[k] | (k ? 0x80 : 0));
}

struct column_value {
  enum class kind { null, integer, text, blob } k;
  int64_t i = 0;
  std::string_view bytes{};
};

std::string record(std::initializer_list<column_value> columns) {
  std::string types;
  std::string body;
  for (const auto& c : columns) {
    switch (c.k) {
      case column_value::kind::null: put_varint(types, 0); break;
      case column_value::kind::integer:
        if (c.i == 0 || c.i == 1) {
          put_varint(types, c.i == 0 ? 8 : 9);
        } else {
          static constexpr int sizes[] = {1, 2, 3, 4, 6, 8};
          int type = 1;
          for (int size : sizes) {
            int64_t lim = size == 8 ? INT64_MAX : (int64_t(1) << (8 * size - 1)) - 1;
            if (c.i <= lim && c.i >= -lim - 1) break;
            ++type;
          }
          int size = sizes[type - 1];
          put_varint(types, static_cast<uint64_t>(type));
          for (int k = size - 1; k >= 0; --k) body += static_cast<char>((static_cast<uint64_t>(c.i) >> (8 * k)) & 0xff);
        }
        break;
      case column_value::kind::text:
      case column_value::kind::blob:
        put_varint(types, c.bytes.size() * 2 + (c.k == column_value::kind::text ? 13 : 12));
        body += c.bytes;
        break;
    }
  }
  // The header size counts itself; its varint is one byte for any header this writer makes.
  if (types.size() + 1 > 127) throw unhandled{};
  std::string out;
  out += static_cast<char>(types.size() + 1);
  out += types;
  out += body;
  return out;
}

class leaf_page {
 public:
  leaf_page(uint8_t type, std::size_t size) : type_(type), page_(size, '\0'), content_(size) {}

  void add(const std::string& cell) {
    if (8 + 2 * (pointers_.size() + 1) + cell.size() > content_) throw unhandled{};
    content_ -= cell.size();
    std::memcpy(page_.data() + content_, cell.data(), cell.size());
    pointers_.push_back(static_cast<uint16_t>(content_));
  }

  const std::string& finish() {
    page_[0] = static_cast<char>(type_);
    put16(3, pointers_.size());
    put16(5, content_ == 65536 ? 0 : content_);
    for (std::size_t i = 0; i < pointers_.size(); ++i) put16(8 + 2 * i, pointers_[i]);
    return page_;
  }

 private:
  void put16(std::size_t at, std::size_t v) {
    page_[at] = static_cast<char>((v >> 8) & 0xff);
    page_[at + 1] = static_cast<char>(v & 0xff);
  }
  uint8_t type_;
  std::string page_;
  std::size_t content_;
  std::vector<uint16_t> pointers_;
};

std::string table_cell(int64_t rowid, const std::string& payload, std::size_t usable) {
  if (payload.size() > usable - 35) throw unhandled{};  // would need overflow pages
  std::string cell;
  put_varint(cell, payload.size());
  put_varint(cell, static_cast<uint64_t>(rowid));
  cell += payload;
  return cell;
}

std::string index_cell(const std::string& payload, std::size_t usable) {
  if (payload.size() > (usable - 12) * 64 / 255 - 23) throw unhandled{};
  std::string cell;
  put_varint(cell, payload.size());
  cell += payload;
  return cell;
}

}  // namespace

std::optional<std::string> build_unit_db(std::string_view empty_image, const unit_db_rows& rows) {
  try {
    image_reader reader(empty_image);
    // The layout SQLite gives ops' schema: snapshot, its primary-key index, notice, and the
    // sqlite_sequence table AUTOINCREMENT adds, on pages 2 to 5, all empty.
    std::vector<std::pair<std::string, int64_t>> roots;
    reader.scan(1, [&](int64_t, std::vector<value>& row) {
      roots.emplace_back(column(row, 1).bytes, column(row, 3).i);
    });
    const std::vector<std::pair<std::string, int64_t>> expected = {
        {"snapshot", 2}, {"sqlite_autoindex_snapshot_1", 3}, {"notice", 4}, {"sqlite_sequence", 5}};
    if (roots != expected || empty_image.size() != 5 * reader.page_size()) return std::nullopt;
    std::size_t page_size = reader.page_size();
    std::size_t usable = reader.usable();

    leaf_page snapshot(0x0d, page_size);
    std::vector<std::pair<std::string_view, int64_t>> index_keys;
    int64_t rowid = 0;
    for (const auto& [handle, data] : rows.snapshots) {
      ++rowid;
      snapshot.add(table_cell(rowid, record({{column_value::kind::text, 0, handle}, {column_value::kind::blob, 0, data}}), usable));
      index_keys.emplace_back(handle, rowid);
    }
    // The index holds (handle, rowid) in BINARY collation order, i.e. bytewise.
    std::sort(index_keys.begin(), index_keys.end());
    for (std::size_t i = 1; i < index_keys.size(); ++i)
      if (index_keys[i].first == index_keys[i - 1].first) return std::nullopt;  // REPLACE semantics: leave to SQLite
    leaf_page index(0x0a, page_size);
    for (const auto& [handle, id] : index_keys)
      index.add(index_cell(record({{column_value::kind::text, 0, handle}, {column_value::kind::integer, id, {}}}), usable));

    leaf_page notice(0x0d, page_size);
    int64_t sequence = 0;
    for (const auto& [event_path, observer_path, method_name] : rows.notices) {
      ++sequence;
      // `sequence` is the rowid; the record stores NULL in its place.
      notice.add(table_cell(sequence,
                            record({{column_value::kind::null, 0, {}},
                                    {column_value::kind::text, 0, event_path},
                                    {column_value::kind::text, 0, observer_path},
                                    {column_value::kind::text, 0, method_name}}),
                            usable));
    }
    leaf_page sequences(0x0d, page_size);
    if (sequence > 0)
      sequences.add(table_cell(1, record({{column_value::kind::text, 0, "notice"}, {column_value::kind::integer, sequence, {}}}), usable));

    std::string out(empty_image);
    auto place = [&](std::size_t page, leaf_page& p) { out.replace((page - 1) * page_size, page_size, p.finish()); };
    place(2, snapshot);
    place(3, index);
    place(4, notice);
    place(5, sequences);
    return out;
  } catch (const unhandled&) {
    return std::nullopt;
  }
}

std::optional<unit_db_rows> parse_unit_db(std::string_view image) {
  try {
    image_reader reader(image);
    uint32_t snapshot_root = 0;
    uint32_t notice_root = 0;
    reader.scan(1, [&](int64_t, std::vector<value>& row) {
      // sqlite_master: type, name, tbl_name, rootpage, sql
      if (column(row, 0).bytes != "table" || column(row, 3).k != value::kind::integer) return;
      if (column(row, 1).bytes == "snapshot") snapshot_root = static_cast<uint32_t>(column(row, 3).i);
      if (column(row, 1).bytes == "notice") notice_root = static_cast<uint32_t>(column(row, 3).i);
    });
    if (!snapshot_root || !notice_root) return std::nullopt;
    unit_db_rows rows;
    reader.scan(snapshot_root, [&](int64_t, std::vector<value>& row) {
      const value& data = column(row, 1);
      if (data.k != value::kind::blob && data.k != value::kind::text) throw unhandled{};
      rows.snapshots.emplace_back(text_of(column(row, 0)), data.bytes);
    });
    // `sequence` is the rowid (INTEGER PRIMARY KEY), so b-tree order is sequence order.
    reader.scan(notice_root, [&](int64_t, std::vector<value>& row) {
      rows.notices.push_back({text_of(column(row, 1)), text_of(column(row, 2)), text_of(column(row, 3))});
    });
    return rows;
  } catch (const unhandled&) {
    return std::nullopt;
  }
}

}  // namespace scenario::store::detail
