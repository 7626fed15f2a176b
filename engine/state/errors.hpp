// The engine's error types. Every error a user can cause carries a stable code and a message
// that says what is wrong and how to fix it; bindings map each type to one Python class.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace scenario {

class error : public std::runtime_error {
 public:
  error(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const noexcept { return code_; }

 private:
  std::string code_;
};

// A State (or Event) value is malformed: wrong type, missing field, bad databag value.
class state_validation_error : public error {
 public:
  using error::error;
};

// A charm metadata/config/actions file is malformed.
class spec_error : public error {
 public:
  using error::error;
};

// State x Event x spec do not make sense together. Holds every problem found, not just the first.
class inconsistent_scenario_error : public error {
 public:
  inconsistent_scenario_error(std::vector<std::string> problems)
      : error("inconsistent-scenario", join(problems)), problems_(std::move(problems)) {}
  const std::vector<std::string>& problems() const noexcept { return problems_; }

 private:
  static std::string join(const std::vector<std::string>& problems) {
    std::string out = "Inconsistent scenario:";
    for (const auto& p : problems) out += "\n  - " + p;
    return out;
  }
  std::vector<std::string> problems_;
};

}  // namespace scenario
