#include "engine/store/sqlite_image.hpp"

#include <cstdint>
#include <functional>

namespace scenario::store::detail {

namespace {

// Thrown inside the parser for anything unexpected; never escapes parse_unit_db.
struct unhandled {};

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
    uint64_t v = 0;
    for (int k = 0; k < 8; ++k) {
      uint8_t b = byte(pos++);
      v = (v << 7) | (b & 0x7f);
      if (!(b & 0x80)) return v;
    }
    return (v << 8) | byte(pos++);
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
    auto var = [&](std::size_t& at) {
      uint64_t v = 0;
      for (int k = 0; k < 8; ++k) {
        uint8_t b = get(at++);
        v = (v << 7) | (b & 0x7f);
        if (!(b & 0x80)) return v;
      }
      return (v << 8) | get(at++);
    };
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

}  // namespace

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
