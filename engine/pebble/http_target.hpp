// HTTP request-target decoding (http_target.cpp), used by the Pebble server and its tests.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace scenario::pebble {

// Percent-decodes `in`; with plus_is_space (query strings) '+' decodes to a space.
std::string url_decode(std::string_view in, bool plus_is_space);

// Splits "/v1/files?action=read&path=%2Fx" into a decoded path and query; a key given more than
// once has its values joined with ',' (what request::query documents).
void split_target(std::string_view target, std::string& path,
                  std::map<std::string, std::string>& query);

// The non-empty '/'-separated segments of a path.
std::vector<std::string_view> path_parts(std::string_view path);

}  // namespace scenario::pebble
