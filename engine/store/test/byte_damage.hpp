// Seeded, reproducible damage for the corrupted-input tests of the store.
#pragma once

#include <cstdint>
#include <string>

namespace scenario::store {

class byte_damage {
 public:
  explicit byte_damage(std::uint32_t seed) : seed_(seed) {}

  // The next number of a linear congruential sequence (the same on every platform).
  std::uint32_t next() {
    seed_ = seed_ * 1103515245u + 12345u;
    return seed_ >> 8;
  }

  // Overwrites `edits` bytes of `data` (not empty) with arbitrary values.
  void overwrite(std::string& data, int edits) {
    for (int e = 0; e < edits; ++e) data[next() % data.size()] = static_cast<char>(next() & 0xff);
  }

 private:
  std::uint32_t seed_;
};

}  // namespace scenario::store
