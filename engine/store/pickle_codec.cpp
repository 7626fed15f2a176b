#include "engine/store/pickle_codec.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "engine/state/bytes_text.hpp"
#include "engine/state/errors.hpp"
#include "engine/state/json_codec.hpp"

namespace scenario::store {

namespace {

using json = nlohmann::json;

constexpr const char* error_code = "invalid-pickle";

// A stored value is state.stored_state[i].content or state.deferred[i].snapshot_data, four levels
// down its State: its own depth (0 at its top) may reach the State's limit less those.
constexpr int max_value_depth = state::max_nesting_depth - 4;

// --- arbitrary-size integers (pickle LONG1/LONG4 <-> decimal text) -----------------------------

// Little-endian base-2^32 magnitude.
using limbs = std::vector<uint32_t>;

void trim(limbs& m) {
  while (!m.empty() && m.back() == 0) m.pop_back();
}

// Little-endian two's complement bytes -> (negative, magnitude).
std::pair<bool, limbs> from_twos(std::string_view bytes) {
  std::vector<uint8_t> b(bytes.begin(), bytes.end());
  bool negative = !b.empty() && (b.back() & 0x80);
  if (negative) {
    for (auto& x : b) x = static_cast<uint8_t>(~x);
    for (auto& x : b) {
      if (++x != 0) break;
    }
  }
  limbs m((b.size() + 3) / 4, 0);
  for (std::size_t i = 0; i < b.size(); ++i) m[i / 4] |= uint32_t(b[i]) << (8 * (i % 4));
  trim(m);
  return {negative, m};
}

std::string to_decimal(bool negative, limbs m) {
  std::string digits;
  while (!m.empty()) {
    uint64_t rem = 0;
    for (std::size_t i = m.size(); i-- > 0;) {
      uint64_t cur = (rem << 32) | m[i];
      m[i] = static_cast<uint32_t>(cur / 1000000000u);
      rem = cur % 1000000000u;
    }
    trim(m);
    for (int k = 0; k < 9; ++k) {
      digits += static_cast<char>('0' + rem % 10);
      rem /= 10;
      if (m.empty() && rem == 0) break;
    }
  }
  if (digits.empty()) digits.push_back('0');
  if (negative) digits.push_back('-');
  return {digits.rbegin(), digits.rend()};
}

// Magnitude -> minimal little-endian two's complement bytes of (negative ? -m : m).
std::string to_twos(bool negative, const limbs& m) {
  std::vector<uint8_t> b;
  for (uint32_t limb : m)
    for (int k = 0; k < 4; ++k) b.push_back(static_cast<uint8_t>(limb >> (8 * k)));
  b.push_back(0);  // room for the sign bit
  if (negative) {
    for (auto& x : b) x = static_cast<uint8_t>(~x);
    for (auto& x : b) {
      if (++x != 0) break;
    }
  }
  uint8_t fill = negative ? 0xff : 0x00;
  while (b.size() > 1 && b.back() == fill && ((b[b.size() - 2] & 0x80) == (fill & 0x80))) b.pop_back();
  if (!negative && b.size() == 1 && b[0] == 0) b.clear();  // Python writes 0 as LONG1 of length 0
  return {b.begin(), b.end()};
}

limbs magnitude_of(uint64_t v) {
  limbs m{static_cast<uint32_t>(v), static_cast<uint32_t>(v >> 32)};
  trim(m);
  return m;
}

// --- decoder ----------------------------------------------------------------------------------

enum class kind { none, boolean, integer, unsigned_integer, big, floating, str, bytes, list, tuple, dict, set, frozenset, global };

struct node;
using node_ptr = std::shared_ptr<node>;

struct node {
  kind k = kind::none;
  bool flag = false;
  int64_t i = 0;
  uint64_t u = 0;
  double f = 0;
  std::string s;  // str, bytes, decimal of a big int, "module name" of a global
  std::vector<node_ptr> items;
  std::vector<std::pair<node_ptr, node_ptr>> pairs;
};

node_ptr make(kind k) {
  auto n = std::make_shared<node>();
  n->k = k;
  return n;
}

const char* opcode_name(uint8_t op) {
  switch (op) {
    case '(': return "MARK";
    case '.': return "STOP";
    case '0': return "POP";
    case '1': return "POP_MARK";
    case '2': return "DUP";
    case 'F': return "FLOAT";
    case 'I': return "INT";
    case 'J': return "BININT";
    case 'K': return "BININT1";
    case 'L': return "LONG";
    case 'M': return "BININT2";
    case 'N': return "NONE";
    case 'P': return "PERSID";
    case 'Q': return "BINPERSID";
    case 'R': return "REDUCE";
    case 'S': return "STRING";
    case 'T': return "BINSTRING";
    case 'U': return "SHORT_BINSTRING";
    case 'V': return "UNICODE";
    case 'X': return "BINUNICODE";
    case 'a': return "APPEND";
    case 'b': return "BUILD";
    case 'c': return "GLOBAL";
    case 'd': return "DICT";
    case '}': return "EMPTY_DICT";
    case 'e': return "APPENDS";
    case 'g': return "GET";
    case 'h': return "BINGET";
    case 'i': return "INST";
    case 'j': return "LONG_BINGET";
    case 'l': return "LIST";
    case ']': return "EMPTY_LIST";
    case 'o': return "OBJ";
    case 'p': return "PUT";
    case 'q': return "BINPUT";
    case 'r': return "LONG_BINPUT";
    case 's': return "SETITEM";
    case 't': return "TUPLE";
    case ')': return "EMPTY_TUPLE";
    case 'u': return "SETITEMS";
    case 'G': return "BINFLOAT";
    case 'B': return "BINBYTES";
    case 'C': return "SHORT_BINBYTES";
    case 0x80: return "PROTO";
    case 0x81: return "NEWOBJ";
    case 0x82: return "EXT1";
    case 0x83: return "EXT2";
    case 0x84: return "EXT4";
    case 0x85: return "TUPLE1";
    case 0x86: return "TUPLE2";
    case 0x87: return "TUPLE3";
    case 0x88: return "NEWTRUE";
    case 0x89: return "NEWFALSE";
    case 0x8a: return "LONG1";
    case 0x8b: return "LONG4";
    case 0x8c: return "SHORT_BINUNICODE";
    case 0x8d: return "BINUNICODE8";
    case 0x8e: return "BINBYTES8";
    case 0x8f: return "EMPTY_SET";
    case 0x90: return "ADDITEMS";
    case 0x91: return "FROZENSET";
    case 0x92: return "NEWOBJ_EX";
    case 0x93: return "STACK_GLOBAL";
    case 0x94: return "MEMOIZE";
    case 0x95: return "FRAME";
    case 0x96: return "BYTEARRAY8";
    case 0x97: return "NEXT_BUFFER";
    case 0x98: return "READONLY_BUFFER";
    default: return "unknown";
  }
}

class decoder {
 public:
  explicit decoder(std::string_view data) : data_(data) {}

  node_ptr run() {
    while (true) {
      if (pos_ >= data_.size()) fail_at(pos_, "the pickle ends before its STOP opcode; the data is truncated");
      op_pos_ = pos_;
      op_ = static_cast<uint8_t>(data_[pos_++]);
      if (op_ == '.') break;
      step();
    }
    if (stack_.size() != 1 || !marks_.empty())
      fail_at(op_pos_, "the pickle leaves an unbalanced stack at STOP; the data is corrupt");
    return stack_.back();
  }

 private:
  [[noreturn]] void fail_at(std::size_t at, const std::string& what) const {
    throw state_validation_error(error_code, fmt::format("pickle byte {}: {}", at, what));
  }
  [[noreturn]] void fail_op(const std::string& what) const {
    throw state_validation_error(
        error_code, fmt::format("pickle opcode {} (0x{:02x}) at byte {}: {}", opcode_name(op_), op_, op_pos_, what));
  }

  std::string_view take(uint64_t n) {
    if (n > data_.size() - pos_) fail_op("the pickle is truncated inside this opcode's argument");
    auto out = data_.substr(pos_, static_cast<std::size_t>(n));
    pos_ += static_cast<std::size_t>(n);
    return out;
  }
  uint64_t read_le(int n) {
    auto b = take(static_cast<uint64_t>(n));
    uint64_t v = 0;
    for (int k = n - 1; k >= 0; --k) v = (v << 8) | static_cast<uint8_t>(b[static_cast<std::size_t>(k)]);
    return v;
  }
  std::string_view read_line() {
    auto end = data_.find('\n', pos_);
    if (end == std::string_view::npos) fail_op("missing end of line in this opcode's argument");
    auto out = data_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return out;
  }

  void push(node_ptr n) { stack_.push_back(std::move(n)); }
  node_ptr pop() {
    if (stack_.size() <= floor()) fail_op("the stack is empty; the data is corrupt");
    auto n = std::move(stack_.back());
    stack_.pop_back();
    return n;
  }
  node_ptr& top() {
    if (stack_.size() <= floor()) fail_op("the stack is empty; the data is corrupt");
    return stack_.back();
  }
  std::size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }
  // Pops everything above the last MARK.
  std::vector<node_ptr> pop_mark() {
    if (marks_.empty()) fail_op("no MARK to pop to; the data is corrupt");
    std::size_t from = marks_.back();
    marks_.pop_back();
    std::vector<node_ptr> out(std::make_move_iterator(stack_.begin() + static_cast<std::ptrdiff_t>(from)),
                              std::make_move_iterator(stack_.end()));
    stack_.resize(from);
    return out;
  }

  void memo_put(uint64_t index) {
    auto& t = top();
    if (index >= memo_.size()) {
      if (index > 1u << 26) fail_op("memo index is implausibly large; the data is corrupt");
      memo_.resize(static_cast<std::size_t>(index) + 1);
    }
    memo_[static_cast<std::size_t>(index)] = t;
  }
  void memo_get(uint64_t index) {
    if (index >= memo_.size() || !memo_[static_cast<std::size_t>(index)])
      fail_op(fmt::format("memo entry {} was never stored; the data is corrupt", index));
    push(memo_[static_cast<std::size_t>(index)]);
  }

  void push_int(int64_t v) {
    auto n = make(kind::integer);
    n->i = v;
    push(std::move(n));
  }
  void push_long(std::string_view bytes) {
    auto [negative, m] = from_twos(bytes);
    if (m.size() <= 2) {
      uint64_t mag = m.empty() ? 0 : (m.size() == 1 ? m[0] : (uint64_t(m[1]) << 32) | m[0]);
      if (!negative) {
        if (mag <= uint64_t(std::numeric_limits<int64_t>::max())) return push_int(static_cast<int64_t>(mag));
        auto n = make(kind::unsigned_integer);
        n->u = mag;
        return push(std::move(n));
      }
      if (mag <= (uint64_t(1) << 63)) return push_int(static_cast<int64_t>(0 - mag));
    }
    auto n = make(kind::big);
    n->s = to_decimal(negative, std::move(m));
    push(std::move(n));
  }
  void push_text(kind k, std::string_view text) {
    auto n = make(k);
    n->s = std::string(text);
    if (k == kind::str && !state::is_valid_utf8(n->s)) fail_op("the string is not valid UTF-8; the data is corrupt");
    push(std::move(n));
  }
  void push_global(std::string module, std::string name) {
    bool builtin = module == "builtins" || module == "__builtin__";
    bool known = (builtin && (name == "set" || name == "frozenset" || name == "bytes" || name == "bytearray")) ||
                 (module == "_codecs" && name == "encode");
    if (!known)
      fail_op(fmt::format("'{}.{}' is not supported: stored state and event snapshots may only hold None, "
                          "bool, int, float, str, bytes, list, tuple, dict, set and frozenset",
                          module, name));
    auto n = make(kind::global);
    n->s = module == "_codecs" ? "encode" : name;
    push(std::move(n));
  }

  // The REDUCE calls CPython's protocol-2 pickles use for bytes and sets.
  void reduce() {
    auto args = pop();
    auto fn = pop();
    if (fn->k != kind::global || args->k != kind::tuple) fail_op("only calls of set/frozenset/bytes are supported");
    const auto& a = args->items;
    if (fn->s == "encode") {
      // _codecs.encode(text, 'latin1'): the text's code points are the bytes.
      if (a.size() != 2 || a[0]->k != kind::str || a[1]->k != kind::str || (a[1]->s != "latin1" && a[1]->s != "latin-1"))
        fail_op("only _codecs.encode(<str>, 'latin1') is supported");
      auto n = make(kind::bytes);
      const std::string& t = a[0]->s;
      for (std::size_t i = 0; i < t.size();) {
        auto c = static_cast<uint8_t>(t[i]);
        if (c < 0x80) {
          n->s += static_cast<char>(c);
          ++i;
        } else if ((c & 0xe0) == 0xc0 && i + 1 < t.size()) {
          uint32_t cp = (uint32_t(c & 0x1f) << 6) | (static_cast<uint8_t>(t[i + 1]) & 0x3f);
          if (cp > 0xff) fail_op("latin1 text holds a character above U+00FF");
          n->s += static_cast<char>(cp);
          i += 2;
        } else {
          fail_op("latin1 text holds a character above U+00FF");
        }
      }
      return push(std::move(n));
    }
    if (a.size() > 1) fail_op(fmt::format("{}() takes at most one argument here", fn->s));
    if (fn->s == "bytes" || fn->s == "bytearray") {
      auto n = make(kind::bytes);
      if (!a.empty()) {
        if (a[0]->k != kind::bytes) fail_op(fmt::format("{}() of a non-bytes value is not supported", fn->s));
        n->s = a[0]->s;
      }
      return push(std::move(n));
    }
    auto n = make(fn->s == "set" ? kind::set : kind::frozenset);
    if (!a.empty()) {
      auto src = a[0]->k;
      if (src != kind::list && src != kind::tuple && src != kind::set && src != kind::frozenset)
        fail_op(fmt::format("{}() of this value is not supported", fn->s));
      n->items = a[0]->items;
    }
    push(std::move(n));
  }

  void append_items(node_ptr& target, std::vector<node_ptr> items) {
    if (target->k == kind::list || target->k == kind::set) {
      for (auto& i : items) target->items.push_back(std::move(i));
      return;
    }
    fail_op("appending to something that is not a list or set");
  }

  void set_items(std::vector<node_ptr> items) {
    auto& d = top();
    if (d->k != kind::dict) fail_op("setting items on something that is not a dict");
    if (items.size() % 2) fail_op("odd number of keys and values");
    for (std::size_t i = 0; i < items.size(); i += 2) d->pairs.emplace_back(items[i], items[i + 1]);
  }

  void step() {
    switch (op_) {
      case 0x80: {
        auto v = read_le(1);
        if (v > 5) fail_op(fmt::format("pickle protocol {} is not supported (only 2 to 5)", v));
        return;
      }
      case 0x95: read_le(8); return;  // FRAME: frames only group bytes; nothing to do
      case 'N': return push(make(kind::none));
      case 0x88:
      case 0x89: {
        auto n = make(kind::boolean);
        n->flag = op_ == 0x88;
        return push(std::move(n));
      }
      case 'K': return push_int(static_cast<int64_t>(read_le(1)));
      case 'M': return push_int(static_cast<int64_t>(read_le(2)));
      case 'J': return push_int(static_cast<int32_t>(static_cast<uint32_t>(read_le(4))));
      case 0x8a: {
        auto n = read_le(1);
        return push_long(take(n));
      }
      case 0x8b: {
        auto n = static_cast<int32_t>(static_cast<uint32_t>(read_le(4)));
        if (n < 0) fail_op("negative length; the data is corrupt");
        return push_long(take(static_cast<uint64_t>(n)));
      }
      case 'G': {
        uint64_t bits = 0;
        for (char c : take(8)) bits = (bits << 8) | static_cast<uint8_t>(c);
        auto n = make(kind::floating);
        n->f = std::bit_cast<double>(bits);
        return push(std::move(n));
      }
      case 0x8c: return push_text(kind::str, take(read_le(1)));
      case 'X': return push_text(kind::str, take(read_le(4)));
      case 0x8d: return push_text(kind::str, take(read_le(8)));
      case 'C': return push_text(kind::bytes, take(read_le(1)));
      case 'B': return push_text(kind::bytes, take(read_le(4)));
      case 0x8e:
      case 0x96: return push_text(kind::bytes, take(read_le(8)));
      case ']': return push(make(kind::list));
      case '}': return push(make(kind::dict));
      case 0x8f: return push(make(kind::set));
      case ')': return push(make(kind::tuple));
      case 0x85:
      case 0x86:
      case 0x87: {
        std::size_t count = static_cast<std::size_t>(op_ - 0x84);
        if (stack_.size() < floor() + count) fail_op("not enough items on the stack; the data is corrupt");
        auto n = make(kind::tuple);
        n->items.assign(stack_.end() - static_cast<std::ptrdiff_t>(count), stack_.end());
        stack_.resize(stack_.size() - count);
        return push(std::move(n));
      }
      case '(': marks_.push_back(stack_.size()); return;
      case 't': {
        auto n = make(kind::tuple);
        n->items = pop_mark();
        return push(std::move(n));
      }
      case 'l': {
        auto n = make(kind::list);
        n->items = pop_mark();
        return push(std::move(n));
      }
      case 0x91: {
        auto n = make(kind::frozenset);
        n->items = pop_mark();
        return push(std::move(n));
      }
      case 'd': {
        auto items = pop_mark();
        push(make(kind::dict));
        return set_items(std::move(items));
      }
      case 'a': {
        auto v = pop();
        std::vector<node_ptr> one{std::move(v)};
        return append_items(top(), std::move(one));
      }
      case 'e':
      case 0x90: {
        auto items = pop_mark();
        return append_items(top(), std::move(items));
      }
      case 's': {
        auto v = pop();
        auto k = pop();
        return set_items({std::move(k), std::move(v)});
      }
      case 'u': return set_items(pop_mark());
      case '0':
        if (!marks_.empty() && marks_.back() == stack_.size()) {
          marks_.pop_back();
          return;
        }
        pop();
        return;
      case '1': pop_mark(); return;
      case '2': {
        auto t = top();
        return push(std::move(t));
      }
      case 'q': return memo_put(read_le(1));
      case 'r': return memo_put(read_le(4));
      case 0x94: return memo_put(memo_.size());
      case 'h': return memo_get(read_le(1));
      case 'j': return memo_get(read_le(4));
      case 'p':
      case 'g': {
        auto line = read_line();
        uint64_t index = 0;
        if (line.empty()) fail_op("empty memo index");
        for (char c : line) {
          if (c < '0' || c > '9' || index > (1u << 26)) fail_op("bad memo index");
          index = index * 10 + static_cast<uint64_t>(c - '0');
        }
        return op_ == 'p' ? memo_put(index) : memo_get(index);
      }
      case 'c': {
        std::string module(read_line());
        std::string name(read_line());
        return push_global(std::move(module), std::move(name));
      }
      case 0x93: {
        auto name = pop();
        auto module = pop();
        if (name->k != kind::str || module->k != kind::str) fail_op("module and name must be strings");
        return push_global(module->s, name->s);
      }
      case 'R': return reduce();
      default:
        fail_op("this opcode is not supported: stored state and event snapshots may only hold None, bool, int, "
                "float, str, bytes, list, tuple, dict, set and frozenset");
    }
  }

  std::string_view data_;
  std::size_t pos_ = 0;
  std::size_t op_pos_ = 0;
  uint8_t op_ = 0;
  std::vector<node_ptr> stack_;
  std::vector<std::size_t> marks_;
  std::vector<node_ptr> memo_;
};

json tagged(const char* tag, json value) {
  json out = json::object();
  out[tag] = std::move(value);
  return out;
}

json to_json(const node& n, int depth) {
  const bool container = n.k == kind::list || n.k == kind::tuple || n.k == kind::set ||
                         n.k == kind::frozenset || n.k == kind::dict;
  if (container && depth > max_value_depth)
    throw state_validation_error(
        error_code, fmt::format("pickle holds a value nested deeper than {} levels (or one that contains itself); "
                                "stored values may nest at most {} containers deep",
                                state::max_nesting_depth, max_value_depth));
  auto items = [&](const std::vector<node_ptr>& v) {
    json out = json::array();
    for (const auto& i : v) out.push_back(to_json(*i, depth + 1));
    return out;
  };
  switch (n.k) {
    case kind::none: return nullptr;
    case kind::boolean: return n.flag;
    case kind::integer: return n.i;
    case kind::unsigned_integer: return n.u;
    case kind::big: return tagged("$int", n.s);
    case kind::floating:
      if (std::isnan(n.f)) return tagged("$float", "nan");
      if (std::isinf(n.f)) return tagged("$float", n.f > 0 ? "inf" : "-inf");
      return n.f;
    case kind::str: return n.s;
    case kind::bytes: return tagged("$bytes", state::base64_encode(n.s));
    case kind::list: return items(n.items);
    case kind::tuple: return tagged("$tuple", items(n.items));
    case kind::set: return tagged("$set", items(n.items));
    case kind::frozenset: return tagged("$frozenset", items(n.items));
    case kind::dict: {
      bool string_keys = true;
      for (const auto& [k, v] : n.pairs) string_keys = string_keys && k->k == kind::str;
      // A lone "$..." key would read back as a tag, so such dicts use the explicit form.
      bool looks_tagged = n.pairs.size() == 1 && string_keys && !n.pairs[0].first->s.empty() &&
                          n.pairs[0].first->s[0] == '$';
      if (string_keys && !looks_tagged) {
        json out = json::object();
        for (const auto& [k, v] : n.pairs) out[k->s] = to_json(*v, depth + 1);
        return out;
      }
      json pairs = json::array();
      for (const auto& [k, v] : n.pairs) pairs.push_back(json::array({to_json(*k, depth + 1), to_json(*v, depth + 1)}));
      return tagged("$dict", std::move(pairs));
    }
    case kind::global: break;
  }
  throw state_validation_error(error_code, "pickle leaves a bare class reference; only values are supported");
}

// --- encoder ----------------------------------------------------------------------------------

class encoder {
 public:
  std::string run(const json& value) {
    out_ += '\x80';
    out_ += '\x04';
    write(value, "value", 0);
    out_ += '.';
    return std::move(out_);
  }

 private:
  [[noreturn]] static void fail(const std::string& path, const std::string& what) {
    throw state_validation_error(error_code, path + ": " + what);
  }

  void le(uint64_t v, int n) {
    for (int k = 0; k < n; ++k) out_ += static_cast<char>((v >> (8 * k)) & 0xff);
  }

  void write_int(int64_t v) {
    if (v >= 0 && v < 256) {
      out_ += 'K';
      le(static_cast<uint64_t>(v), 1);
    } else if (v >= 0 && v < 65536) {
      out_ += 'M';
      le(static_cast<uint64_t>(v), 2);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      out_ += 'J';
      le(static_cast<uint32_t>(static_cast<int32_t>(v)), 4);
    } else {
      bool negative = v < 0;
      uint64_t mag = negative ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
      write_long(to_twos(negative, magnitude_of(mag)));
    }
  }
  void write_long(const std::string& bytes) {
    if (bytes.size() < 256) {
      out_ += '\x8a';
      le(bytes.size(), 1);
    } else {
      out_ += '\x8b';
      le(bytes.size(), 4);
    }
    out_ += bytes;
  }
  void write_big(const std::string& text, const std::string& path) {
    std::string_view d = text;
    bool negative = !d.empty() && d[0] == '-';
    if (negative) d.remove_prefix(1);
    bool ok = !d.empty() && (d == "0" || d[0] != '0');
    for (char c : d) ok = ok && c >= '0' && c <= '9';
    if (!ok) fail(path, fmt::format("'{}' is not a decimal integer; write e.g. {{\"$int\": \"-12345678901234567890\"}}", text));
    limbs m;
    for (char c : d) {
      uint64_t carry = static_cast<uint64_t>(c - '0');
      for (auto& limb : m) {
        uint64_t cur = uint64_t(limb) * 10 + carry;
        limb = static_cast<uint32_t>(cur);
        carry = cur >> 32;
      }
      if (carry) m.push_back(static_cast<uint32_t>(carry));
    }
    trim(m);
    write_long(to_twos(negative && !m.empty(), m));
  }
  void write_float(double v) {
    out_ += 'G';
    auto bits = std::bit_cast<uint64_t>(v);
    for (int k = 7; k >= 0; --k) out_ += static_cast<char>((bits >> (8 * k)) & 0xff);
  }
  void write_sized(char op1, char op4, char op8, const std::string& s) {
    if (s.size() < 256) {
      out_ += op1;
      le(s.size(), 1);
    } else if (s.size() <= UINT32_MAX) {
      out_ += op4;
      le(s.size(), 4);
    } else {
      out_ += op8;
      le(s.size(), 8);
    }
    out_ += s;
  }

  const json& expect_array(const json& v, const std::string& path, const char* tag) {
    if (!v.is_array()) fail(path, fmt::format("{} takes a list, e.g. {{\"{}\": [1, 2]}}", tag, tag));
    return v;
  }

  // Values Python can hash: set members and dict keys must be one of these.
  static bool hashable(const json& v) {
    if (v.is_array()) return false;
    if (!v.is_object()) return true;
    if (v.size() != 1) return false;
    const std::string& tag = v.begin().key();
    const json& inner = v.begin().value();
    if (tag == "$bytes" || tag == "$int" || tag == "$float") return true;
    if (tag == "$tuple" || tag == "$frozenset") {
      if (!inner.is_array()) return true;  // reported as a shape error when written
      for (const auto& i : inner)
        if (!hashable(i)) return false;
      return true;
    }
    return false;
  }
  void check_hashable(const json& v, const std::string& path, const char* role) {
    if (!hashable(v))
      fail(path, fmt::format("{} must be hashable in Python; use {{\"$tuple\": [...]}} instead of a list and "
                             "{{\"$frozenset\": [...]}} instead of a set (dicts cannot be used)", role));
  }

  void write_items(const json& arr, const std::string& path, int depth) {
    for (std::size_t i = 0; i < arr.size(); ++i) write(arr[i], fmt::format("{}[{}]", path, i), depth + 1);
  }

  void write_tagged(const std::string& tag, const json& v, const std::string& path, int depth) {
    std::string p = path + "." + tag;
    if (tag == "$tuple") {
      const auto& arr = expect_array(v, p, "$tuple");
      if (arr.empty()) {
        out_ += ')';
        return;
      }
      if (arr.size() <= 3) {
        write_items(arr, p, depth);
        out_ += static_cast<char>(0x84 + arr.size());
        return;
      }
      out_ += '(';
      write_items(arr, p, depth);
      out_ += 't';
    } else if (tag == "$set" || tag == "$frozenset") {
      const auto& arr = expect_array(v, p, tag.c_str());
      for (std::size_t i = 0; i < arr.size(); ++i) check_hashable(arr[i], fmt::format("{}[{}]", p, i), "set members");
      if (tag == "$set") {
        out_ += '\x8f';
        if (arr.empty()) return;
        out_ += '(';
        write_items(arr, p, depth);
        out_ += '\x90';
      } else {
        out_ += '(';
        write_items(arr, p, depth);
        out_ += '\x91';
      }
    } else if (tag == "$bytes") {
      if (!v.is_string()) fail(p, "$bytes takes a base64 string, e.g. {\"$bytes\": \"AAE=\"}");
      auto bytes = state::base64_decode(v.get<std::string>());
      if (!bytes) fail(p, "not valid base64; use the standard alphabet with '=' padding");
      write_sized('C', 'B', '\x8e', *bytes);
    } else if (tag == "$dict") {
      const auto& arr = expect_array(v, p, "$dict");
      out_ += '}';
      if (arr.empty()) return;
      out_ += '(';
      for (std::size_t i = 0; i < arr.size(); ++i) {
        std::string ip = fmt::format("{}[{}]", p, i);
        if (!arr[i].is_array() || arr[i].size() != 2) fail(ip, "each $dict item is a [key, value] pair");
        check_hashable(arr[i][0], ip + "[0]", "dict keys");
        write(arr[i][0], ip + "[0]", depth + 1);
        write(arr[i][1], ip + "[1]", depth + 1);
      }
      out_ += 'u';
    } else if (tag == "$int") {
      if (!v.is_string()) fail(p, "$int takes a decimal string, e.g. {\"$int\": \"123456789012345678901234567890\"}");
      write_big(v.get<std::string>(), p);
    } else if (tag == "$float") {
      std::string s = v.is_string() ? v.get<std::string>() : "";
      if (s == "nan") return write_float(std::numeric_limits<double>::quiet_NaN());
      if (s == "inf") return write_float(std::numeric_limits<double>::infinity());
      if (s == "-inf") return write_float(-std::numeric_limits<double>::infinity());
      fail(p, "$float takes \"nan\", \"inf\" or \"-inf\"; write other floats as plain JSON numbers");
    } else {
      fail(path, fmt::format("unknown tag '{}'; tags are $set, $frozenset, $tuple, $bytes, $dict, $int, $float. "
                             "For a dict whose only key is '{}', write {{\"$dict\": [[\"{}\", ...]]}}",
                             tag, tag, tag));
    }
  }

  void write(const json& v, const std::string& path, int depth) {
    if (v.is_structured() && !state::is_tag_wrapper(v) && depth > max_value_depth)
      throw state_validation_error(error_code, state::too_deep_message(path));
    switch (v.type()) {
      case json::value_t::null: out_ += 'N'; return;
      case json::value_t::boolean: out_ += v.get<bool>() ? '\x88' : '\x89'; return;
      case json::value_t::number_integer: return write_int(v.get<int64_t>());
      case json::value_t::number_unsigned: {
        auto u = v.get<uint64_t>();
        if (u <= uint64_t(std::numeric_limits<int64_t>::max())) return write_int(static_cast<int64_t>(u));
        return write_long(to_twos(false, magnitude_of(u)));
      }
      case json::value_t::number_float: return write_float(v.get<double>());
      case json::value_t::string: return write_sized('\x8c', 'X', '\x8d', v.get_ref<const std::string&>());
      case json::value_t::array:
        out_ += ']';
        if (v.empty()) return;
        out_ += '(';
        write_items(v, path, depth);
        out_ += 'e';
        return;
      case json::value_t::object: {
        if (v.size() == 1 && !v.begin().key().empty() && v.begin().key()[0] == '$')
          return write_tagged(v.begin().key(), v.begin().value(), path, depth);
        out_ += '}';
        if (v.empty()) return;
        out_ += '(';
        for (const auto& [k, item] : v.items()) {
          write_sized('\x8c', 'X', '\x8d', k);
          write(item, fmt::format("{}['{}']", path, k), depth + 1);
        }
        out_ += 'u';
        return;
      }
      default: fail(path, "binary JSON values cannot be pickled; use {\"$bytes\": \"<base64>\"}");
    }
  }

  std::string out_;
};

}  // namespace

nlohmann::json pickle_to_json(std::string_view pickled) {
  decoder d(pickled);
  return to_json(*d.run(), 0);
}

std::string json_to_pickle(const nlohmann::json& value) { return encoder().run(value); }

}  // namespace scenario::store
