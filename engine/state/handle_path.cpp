#include "engine/state/handle_path.hpp"

namespace scenario::state {

std::optional<handle_parts> parse_handle_path(std::string_view handle_path) {
  if (handle_path.empty() || handle_path.back() != ']') return std::nullopt;
  const auto open = handle_path.rfind('[');
  if (open == std::string_view::npos) return std::nullopt;
  const auto slash = open == 0 ? std::string_view::npos : handle_path.rfind('/', open - 1);
  const std::size_t kind_start = slash == std::string_view::npos ? 0 : slash + 1;
  handle_parts parts;
  parts.kind = handle_path.substr(kind_start, open - kind_start);
  if (parts.kind.empty()) return std::nullopt;
  parts.parent = slash == std::string_view::npos ? std::string_view() : handle_path.substr(0, slash);
  parts.key = handle_path.substr(open + 1, handle_path.size() - open - 2);
  return parts;
}

std::optional<long long> handle_number(std::string_view handle_path) {
  const auto parts = parse_handle_path(handle_path);
  if (!parts || parts->key.empty()) return std::nullopt;
  long long n = 0;
  for (char c : parts->key) {
    if (c < '0' || c > '9' || n > 1'000'000'000'000LL) return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace scenario::state
