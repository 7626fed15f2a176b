// Requests the api tests send straight to handle(), as ops' client would send them, and the
// containers they send them to: one place for the set-up the pebble tests share.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/pebble/api.hpp"

namespace scenario::pebble::api_test {

using json = nlohmann::json;

// `method` `path` with a JSON body (none when null) and a decoded query, answered by handle().
inline response send(session& s, std::string method, std::string path, json body = nullptr,
                     std::map<std::string, std::string> query = {}) {
  request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.query = std::move(query);
  r.content_type = "application/json";
  if (!body.is_null()) r.body = body.dump();
  return handle(s, r);
}

// A container whose plan is `layer`, added as the layer "base".
inline state::container with_base_layer(json layer) {
  state::container c;
  c.layers.emplace_back("base", std::move(layer));
  return c;
}

// An exec mock: `command` (or a longer argv it prefixes) exits with `rc` after writing `out`
// and `err`.
inline state::exec_output mock(std::vector<std::string> command, int rc, std::string out,
                               std::string err = "") {
  state::exec_output m;
  m.command = std::move(command);
  m.return_code = rc;
  m.stdout_text = std::move(out);
  m.stderr_text = std::move(err);
  return m;
}

// A JSON reply: its status and its envelope.
struct reply {
  int status;
  json body;
};

// send(), with the envelope parsed.
inline reply call(session& s, std::string method, std::string path, json body = nullptr,
                  std::map<std::string, std::string> query = {}) {
  auto resp = send(s, std::move(method), std::move(path), std::move(body), std::move(query));
  return {resp.status, json::parse(resp.body)};
}

}  // namespace scenario::pebble::api_test
