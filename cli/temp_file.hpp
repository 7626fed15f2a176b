// A private temporary file for a `juju scp` copy, removed when it goes out of scope.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace scenario::cli {

class temp_file {
 public:
  temp_file();  // an empty file under $TMPDIR (else /tmp), mode 0600
  ~temp_file();
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string read() const;
  void write(std::string_view bytes) const;

 private:
  std::filesystem::path path_;
};

}  // namespace scenario::cli
