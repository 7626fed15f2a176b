// A forward-only reader over text, for matchers that must stay linear in their input.
// std::regex is not used in the engine: libstdc++'s matcher recurses once per character, so a
// long name or value from a charm overflows the stack.
#pragma once

#include <cstddef>
#include <string_view>

namespace scenario::state {

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
constexpr bool is_lower_alnum(char c) { return is_lower(c) || is_digit(c); }
constexpr bool is_lower_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }
constexpr bool is_hex(char c) { return is_lower_hex(c) || (c >= 'A' && c <= 'F'); }

class text_scanner {
 public:
  explicit text_scanner(std::string_view text) : rest_(text) {}

  bool at_end() const { return rest_.empty(); }
  std::string_view rest() const { return rest_; }

  // Consumes `c` when it comes next.
  bool take(char c) {
    if (rest_.empty() || rest_.front() != c) return false;
    rest_.remove_prefix(1);
    return true;
  }

  // Consumes `word` when the text goes on with it.
  bool take(std::string_view word) {
    if (rest_.substr(0, word.size()) != word) return false;
    rest_.remove_prefix(word.size());
    return true;
  }

  // Consumes one character of the class.
  template <class Pred>
  bool take_one(Pred in_class) {
    if (rest_.empty() || !in_class(rest_.front())) return false;
    rest_.remove_prefix(1);
    return true;
  }

  // Consumes the longest run of the class; returns it (empty when none).
  template <class Pred>
  std::string_view take_while(Pred in_class) {
    std::size_t n = 0;
    while (n < rest_.size() && in_class(rest_[n])) ++n;
    const std::string_view run = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return run;
  }

  // Consumes exactly `n` characters of the class, or nothing.
  template <class Pred>
  bool take_exactly(std::size_t n, Pred in_class) {
    if (rest_.size() < n) return false;
    for (std::size_t i = 0; i < n; ++i) {
      if (!in_class(rest_[i])) return false;
    }
    rest_.remove_prefix(n);
    return true;
  }

 private:
  std::string_view rest_;
};

}  // namespace scenario::state
