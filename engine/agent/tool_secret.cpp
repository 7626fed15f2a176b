// The secret-* hook tools: secret-add, secret-get, secret-set, secret-info-get, secret-grant,
// secret-revoke, secret-remove and secret-ids, with Juju's ownership, tracking and leadership
// rules and its error texts (jujuc/secret-*.go, uniter HookContext, secretsmanager facade).
//
// Juju buffers secret changes until the hook exits; the simulator applies them to the output
// State at once, which is what a later tool call in the same hook observes in Juju as well.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <ctime>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "engine/agent/tool_table.hpp"
#include "engine/state/go_time.hpp"
#include "engine/state/juju_names.hpp"
#include "engine/state/text_forms.hpp"
#include "engine/agent/tool_util.hpp"
#include "engine/state/bytes_text.hpp"

namespace scenario::agent {

namespace {

using content_map = std::map<std::string, std::string>;

const std::string not_leader = "this unit is not the leader";  // uniter ErrIsNotLeader
const std::string permission_denied = "permission denied";      // apiserver ErrPerm

// Juju's content limits (core/secrets/createsecret.go), on the base64-encoded values.
constexpr std::size_t max_value_bytes = 1000 * 1000;
constexpr std::size_t max_content_bytes = 1000 * 1000;

// A string flag Juju reads with `!= ""`: absent and empty are the same.
std::optional<std::string> non_empty(const parsed_args& args, std::string_view name) {
  auto v = args.get(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

// ---- secret URIs -------------------------------------------------------------------------

// The id part of a secret URI: `secret:<id>`, `secret://<model-uuid>/<id>` or a bare `<id>`
// (secrets.ParseURI). Juju ids are 20-character xids, but ops-scenario 3.1 States use free ids
// such as "foo", so any id without URI punctuation is accepted.
std::string secret_core_id(std::string_view uri) {
  std::string_view rest = uri;
  if (auto colon = rest.find(':'); colon != std::string_view::npos) {
    const std::string_view scheme = rest.substr(0, colon);
    if (scheme != "secret") throw usage_error("secret URI scheme " + go_quote(scheme) + " not valid");
    rest.remove_prefix(colon + 1);
  }
  if (rest.substr(0, 2) == "//") {
    rest.remove_prefix(2);
    const auto slash = rest.find('/');
    const std::string_view host = rest.substr(0, slash);
    if (!state::is_uuid_form(host)) {
      throw usage_error("host controller UUID " + go_quote(host) + " not valid");
    }
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  }
  if (rest.empty() || rest.find_first_of("/:?# ") != std::string_view::npos) {
    throw usage_error("secret URI " + go_quote(uri) + " not valid");
  }
  return std::string(rest);
}

// The id part of an id stored in the State, which the State may give in any of the URI forms.
std::string stored_core_id(const std::string& id) {
  try {
    return secret_core_id(id);
  } catch (const usage_error&) {
    return id;
  }
}

// ---- ownership ---------------------------------------------------------------------------

bool is_owned(const state::secret& s) { return s.owner.has_value(); }

// Whether the secret is in this unit's SecretMetadata: its own secrets, and its application's
// secrets when it is the leader (apiserver GetSecretMetadata). Only those can be inspected with
// secret-info-get, listed by secret-ids, or granted.
bool metadata_visible(const hook_context& ctx, const state::secret& s) {
  return s.owner == "unit" || (s.owner == "app" && ctx.state.leader);
}

// Updating, removing or revoking needs ownership; application secrets need leadership. Juju's
// HookContext (UpdateSecret, RemoveSecret, RevokeSecret in runner/context/context.go) checks
// only secrets in the unit's SecretMetadata, i.e. the ones it may manage, and queues the change
// for any other; the controller then refuses it when the hook's changes are committed, so the
// tool exits 0 and the hook fails. Returns whether the change was queued for refusal (the caller
// applies nothing).
bool refused_at_commit(hook_context& ctx, const state::secret& s, std::string_view tool) {
  if (metadata_visible(ctx, s)) return false;
  ctx.refused_at_commit.push_back(std::string(tool) + " " + stored_core_id(s.id) + ": " +
                                  permission_denied);
  return true;
}

int latest_revision(const state::secret& s) {
  return s.contents.empty() ? 0 : s.contents.rbegin()->first;
}

state::secret* find_by_id(hook_context& ctx, const std::string& core) {
  for (auto& s : ctx.state.secrets) {
    if (stored_core_id(s.id) == core) return &s;
  }
  return nullptr;
}

// Owner labels win over consumer labels, as Juju resolves owned secrets first.
state::secret* find_by_label(hook_context& ctx, const std::string& label) {
  state::secret* consumed = nullptr;
  for (auto& s : ctx.state.secrets) {
    if (s.label != label) continue;
    if (is_owned(s)) return &s;
    if (consumed == nullptr) consumed = &s;
  }
  return consumed;
}

state::secret& require_by_id(hook_context& ctx, const std::string& core) {
  state::secret* s = find_by_id(ctx, core);
  if (s == nullptr) throw tool_error("secret " + go_quote(core) + " not found");
  return *s;
}

// Labels of the secrets an owner manages are unique (state.LabelExists).
void check_label_free(const hook_context& ctx, const std::string& label,
                      const state::secret* except) {
  for (const auto& s : ctx.state.secrets) {
    if (&s != except && is_owned(s) && s.label == label) {
      throw tool_error("secret with label " + go_quote(label) + " already exists");
    }
  }
}

// ---- versions ----------------------------------------------------------------------------

// Before Juju 3.3.1 (except 3.1.7) a secret's owner always read the latest revision; since
// then owners track a revision like consumers do (LP #2037120).
bool owners_track_revisions(const hook_context& ctx) {
  const auto v = util::juju_version_of(ctx);
  return v.is_release(3, 1, 7) || v.at_least(3, 3, 1);
}

// ---- metadata flags ----------------------------------------------------------------------

// --expire: RFC 3339, RFC 3339 without a zone (UTC), or a Go duration from now. Stored in UTC
// RFC 3339, as Juju keeps it (and ops parses it back).
std::string normalize_expire(const std::string& spec) {
  if (const auto time = state::parse_rfc3339(spec, false)) {
    return state::format_rfc3339_utc(time->unix_seconds, time->fraction);
  }
  auto seconds = state::parse_go_duration(spec);
  if (!seconds) throw usage_error("expire time or duration " + go_quote(spec) + " not valid");
  if (*seconds <= 0) throw usage_error("negative expire duration " + go_quote(spec) + " not valid");
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  return state::format_rfc3339_utc(now + static_cast<std::time_t>(std::ceil(*seconds)));
}

bool valid_rotate_policy(std::string_view p) {
  for (std::string_view v : {"never", "hourly", "daily", "weekly", "monthly", "quarterly", "yearly"}) {
    if (p == v) return true;
  }
  return false;
}

// Flags shared by secret-add and secret-set (secretUpsertCommand).
const std::vector<flag_spec>& upsert_flags() {
  static const std::vector<flag_spec> flags{{"expire", 0, true},      {"rotate", 0, true},
                                            {"description", 0, true}, {"label", 0, true},
                                            {"file", 0, true},        {"owner", 0, true}};
  return flags;
}

struct upsert_request {
  std::optional<std::string> expire;  // normalized
  std::optional<std::string> rotate;
  std::optional<std::string> description;
  std::optional<std::string> label;
  std::string owner = "application";
  content_map content;  // decoded values
};

// Juju checks a content file's size before reading it, and reports that without the key.
class content_file_too_large : public usage_error {
 public:
  using usage_error::usage_error;
};

// A secret's content read from a file, capped as Juju caps it (CreateSecretData, ReadSecretData).
std::string read_secret_file(const std::string& path, std::size_t cap) {
  return util::read_capped_file<usage_error, content_file_too_large>(path, cap, [&](std::uintmax_t size) {
    return "secret content in file " + go_quote(path) + " too large: " + std::to_string(size) +
           " bytes (the limit is " + std::to_string(cap) + " bytes)";
  });
}

// key=value, key#base64=<b64>, key#file=<path> arguments plus an optional --file YAML/JSON map,
// validated and decoded (secrets.CreateSecretData / ReadSecretData).
content_map parse_content(const std::vector<std::string>& args,
                          const std::optional<std::string>& file) {
  content_map raw;
  for (const auto& arg : args) {
    // Base64 padding may end the value, so '=' is looked for after trimming it.
    std::string_view stripped = arg;
    while (!stripped.empty() && stripped.back() == '=') stripped.remove_suffix(1);
    const auto eq = stripped.find('=');
    if (eq == std::string_view::npos || eq < 1) {
      throw usage_error("key value " + go_quote(arg) + " not valid");
    }
    std::string key = arg.substr(0, eq);
    std::string value = arg.substr(eq + 1);
    if (key.ends_with("#file")) {
      key.resize(key.size() - 5);
      try {
        value = read_secret_file(value, max_value_bytes);
      } catch (const content_file_too_large&) {
        throw;
      } catch (const usage_error& e) {
        throw usage_error("reading content for secret key " + go_quote(key) + ": " + e.what());
      }
    }
    raw[key] = value;
  }
  if (file) {
    const std::string text = read_secret_file(*file, max_content_bytes);
    YAML::Node doc;
    try {
      doc = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      throw usage_error("yaml: " + std::string(e.what()));
    }
    if (doc && !doc.IsNull()) {
      if (!doc.IsMap()) throw usage_error("yaml: secret file " + *file + " must hold a map of strings");
      for (const auto& kv : doc) {
        if (!kv.second.IsScalar()) {
          throw usage_error("yaml: secret file " + *file + ": the value of " +
                            go_quote(kv.first.as<std::string>()) + " must be a string");
        }
        raw[kv.first.as<std::string>()] = kv.second.as<std::string>();
      }
    }
  }
  content_map out;
  std::size_t total = 0;
  for (const auto& [raw_key, raw_value] : raw) {
    std::string key = raw_key;
    std::string value = raw_value;
    std::size_t encoded_size = 0;
    if (key.ends_with("#base64")) {
      key.resize(key.size() - 7);
      encoded_size = value.size();
      auto decoded = state::base64_decode(value);
      if (!decoded) {
        throw usage_error("secret value for key " + go_quote(key) + " is not valid base64");
      }
      value = std::move(*decoded);
    } else {
      encoded_size = (value.size() + 2) / 3 * 4;
    }
    if (!state::is_secret_content_key(key)) throw usage_error("key " + go_quote(key) + " not valid");
    if (encoded_size > max_value_bytes) {
      throw usage_error("base64 encoded secret content for key " + go_quote(key) +
                        " too large: " + std::to_string(encoded_size) + " bytes");
    }
    total += encoded_size;
    out[key] = std::move(value);
  }
  if (total > max_content_bytes) {
    throw usage_error("base64 encoded secret content too large: " + std::to_string(total) +
                      " bytes");
  }
  return out;
}

// secretUpsertCommand.Init: metadata flags first, then the content.
upsert_request parse_upsert(const parsed_args& args, const std::vector<std::string>& content_args) {
  upsert_request r;
  if (auto e = non_empty(args, "expire")) r.expire = normalize_expire(*e);
  if (auto p = non_empty(args, "rotate")) {
    if (!valid_rotate_policy(*p)) throw usage_error("rotate policy " + go_quote(*p) + " not valid");
    r.rotate = *p;
  }
  if (auto o = args.get("owner")) r.owner = *o;
  if (r.owner != "application" && r.owner != "unit") {
    throw usage_error("secret owner " + go_quote(r.owner) + " not valid");
  }
  r.description = non_empty(args, "description");
  r.label = non_empty(args, "label");
  r.content = parse_content(content_args, non_empty(args, "file"));
  return r;
}

void apply_metadata(state::secret& s, const upsert_request& r) {
  if (r.label) s.label = r.label;
  if (r.description) s.description = r.description;
  if (r.expire) s.expire = r.expire;
  if (r.rotate) s.rotate = r.rotate;
}

// ---- new ids -----------------------------------------------------------------------------

constexpr std::string_view base32hex = "0123456789abcdefghijklmnopqrstuv";

// A 20-character xid-shaped id: 12 characters from the model and unit, 8 from the count of
// secrets added so far, so a run is deterministic and ids do not collide within a model.
std::string new_secret_core_id(hook_context& ctx) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (char c : ctx.state.model.uuid + "/" + ctx.unit_name()) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  std::string prefix;
  for (int i = 0; i < 12; ++i) prefix += base32hex[(h >> (5 * i)) & 31];
  for (;;) {
    auto n = static_cast<std::uint64_t>(ctx.secrets_added++);
    std::string suffix(8, '0');
    for (int i = 7; i >= 0; --i, n >>= 5) suffix[static_cast<std::size_t>(i)] = base32hex[n & 31];
    std::string id = prefix + suffix;
    if (find_by_id(ctx, id) == nullptr) return id;
  }
}

// ---- relations and names -----------------------------------------------------------------

std::string application_of(const std::string& unit) { return unit.substr(0, unit.rfind('/')); }

// ---- the tools ---------------------------------------------------------------------------

std::string secret_add(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  const auto args = parse_args(argv, upsert_flags(), format_flag::undefined);
  if (args.positional.empty() && !non_empty(args, "file")) {
    throw usage_error("missing secret value or filename");
  }
  const upsert_request r = parse_upsert(args, args.positional);
  if (r.content.empty()) throw tool_error("empty secret value not valid");
  if (r.owner == "application" && !ctx.state.leader) throw tool_error(not_leader);
  if (r.label) check_label_free(ctx, *r.label, nullptr);

  state::secret s;
  const std::string core = new_secret_core_id(ctx);
  s.id = "secret:" + core;
  s.owner = r.owner == "application" ? "app" : "unit";
  // Juju numbers a secret's revisions from 1; ops-scenario 3.1 stored the first one as 0.
  const int first_revision =
      util::juju_rule_binds(ctx, fmt::format("secret-add: Juju numbers a new secret's first "
                                             "revision 1; {} stores it as revision 0 in "
                                             "Secret.contents, as ops-scenario 3.1 did",
                                             s.id))
          ? 1
          : 0;
  s.contents[first_revision] = r.content;
  s.revision = first_revision;
  apply_metadata(s, r);
  ctx.state.secrets.push_back(std::move(s));
  return "secret:" + core + "\n";
}

// secret-get's cmd.Output offers yaml (the default) and json only (jujuc/secret-get.go).
constexpr output_formats secret_get_formats{"yaml", false};

std::string secret_get(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  const auto args =
      parse_args(argv, {{"label", 0, true}, {"peek", 0, false}, {"refresh", 0, false}});
  check_output_format(args, secret_get_formats);
  std::optional<std::string> core;
  std::optional<std::string> key;
  // secret-get's Init reports every URI that secrets.ParseURI refuses the same way.
  if (!args.positional.empty()) {
    try {
      core = secret_core_id(args.positional[0]);
    } catch (const usage_error&) {
      throw usage_error("secret URI " + go_quote(args.positional[0]) + " not valid");
    }
  }
  const auto label = non_empty(args, "label");
  if (!core && !label) throw usage_error("require either a secret URI or label");
  const bool peek = flag_bool(args, "peek");
  const bool refresh = flag_bool(args, "refresh");
  if (peek && refresh) throw usage_error("specify one of --peek or --refresh but not both");
  if (args.positional.size() > 1) key = args.positional[1];
  check_no_extra(args, 2);

  state::secret* s = core ? find_by_id(ctx, *core) : find_by_label(ctx, *label);
  if (s == nullptr) {
    throw tool_error(core ? "secret " + go_quote(*core) + " not found"
                          : "consumer label " + go_quote(*label) + " not found");
  }
  // The owning unit, and every unit of the owning application, may read; others need a grant.
  if (!is_owned(*s) && !s->granted &&
      util::juju_rule_binds(ctx, fmt::format("secret-get {}: Juju lets a unit read a secret it "
                                             "neither owns nor was granted (Secret.granted is "
                                             "None) only with permission denied; read as "
                                             "ops-scenario 3.1 did",
                                             s->id)))
    throw tool_error(permission_denied);
  if (s->contents.empty()) {
    throw tool_error("secret " + go_quote(stored_core_id(s->id)) + " revision not found");
  }
  if (core && label && s->label != label) {
    if (is_owned(*s)) check_label_free(ctx, *label, s);
    s->label = label;
  }

  const int latest = latest_revision(*s);
  const bool tracking = s->contents.count(s->revision) != 0;
  int shown = s->revision;
  if (is_owned(*s) && !owners_track_revisions(ctx)) {
    shown = latest;
    if (refresh) s->revision = latest;
  } else if (refresh || !tracking) {
    // The first read pins the latest revision, as does --refresh.
    s->revision = latest;
    shown = latest;
  } else if (peek) {
    shown = latest;
  }
  const content_map& content = s->contents.at(shown);
  if (!key) return format_output(nlohmann::json(content), args, secret_get_formats);

  std::string name = *key;
  const bool as_base64 = name.ends_with("#base64");
  if (as_base64) name.resize(name.size() - 7);
  auto it = content.find(name);
  if (it == content.end()) throw tool_error("secret key " + go_quote(name) + " not found");
  return format_output(as_base64 ? state::base64_encode(it->second) : it->second, args,
                       secret_get_formats);
}

std::string secret_info_get(hook_context& ctx, const std::vector<std::string>& argv,
                            std::string_view) {
  const auto args = parse_args(argv, {{"label", 0, true}});
  std::optional<std::string> core;
  if (!args.positional.empty()) core = secret_core_id(args.positional[0]);
  const auto label = non_empty(args, "label");
  if (!core && !label) throw usage_error("require either a secret URI or label");
  if (core && label) throw usage_error("specify either a secret URI or label but not both");
  check_no_extra(args, 1);

  const state::secret* found = nullptr;
  for (const auto& s : ctx.state.secrets) {
    if (!metadata_visible(ctx, s)) continue;
    if (core ? stored_core_id(s.id) == *core : s.label == *label) {
      found = &s;
      break;
    }
  }
  if (found == nullptr) throw tool_error("secret " + go_quote(core ? *core : *label) + " not found");

  nlohmann::json info{{"revision", latest_revision(*found)},
                      {"label", found->label.value_or("")},
                      {"owner", found->owner == "app" ? "application" : "unit"}};
  if (found->description && !found->description->empty()) info["description"] = *found->description;
  if (found->rotate && !found->rotate->empty()) info["rotation"] = *found->rotate;
  if (found->expire && !found->expire->empty()) info["expiry"] = *found->expire;
  return format_output(nlohmann::json{{stored_core_id(found->id), info}}, args);
}

std::string secret_set(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  const auto args = parse_args(argv, upsert_flags(), format_flag::undefined);
  if (args.positional.empty()) throw usage_error("missing secret URI");
  const std::string core = secret_core_id(args.positional[0]);
  const upsert_request r = parse_upsert(
      args, std::vector<std::string>(args.positional.begin() + 1, args.positional.end()));

  state::secret& s = require_by_id(ctx, core);
  if (refused_at_commit(ctx, s, "secret-set")) return "";
  if (r.label && s.label != r.label) check_label_free(ctx, *r.label, &s);
  // Juju makes a new revision only when the content differs from the latest one.
  const int latest = latest_revision(s);
  if (!r.content.empty() && (s.contents.empty() || s.contents.at(latest) != r.content)) {
    s.contents[latest + 1] = r.content;
  }
  apply_metadata(s, r);
  return "";
}

std::string secret_grant(hook_context& ctx, const std::vector<std::string>& argv,
                         std::string_view) {
  const auto args = parse_args(argv, {{"relation", 'r', true}, {"unit", 0, true}});
  if (args.positional.empty()) throw usage_error("missing secret URI");
  const std::string core = secret_core_id(args.positional[0]);
  const state::relation* rel = util::relation_from_flag_or_hook(ctx, args, "--relation");
  if (rel == nullptr) throw usage_error("no relation id specified");
  const std::string app = util::remote_app(ctx, *rel);
  const auto unit = non_empty(args, "unit");
  if (unit) {
    if (!state::is_valid_unit_name(*unit)) throw usage_error("unit " + go_quote(*unit) + " not valid");
    if (application_of(*unit) != app) {
      throw usage_error("cannot specify unit " + go_quote(*unit) + " in relation to application " +
                        go_quote(app));
    }
  }
  check_no_extra(args, 1);

  state::secret* s = find_by_id(ctx, core);
  if (s == nullptr || !metadata_visible(ctx, *s)) {
    throw tool_error("secret " + go_quote(core) + " not found");
  }
  const std::string subject = unit.value_or(app);
  auto it = s->remote_grants.find(rel->relation_id);
  if (it != s->remote_grants.end()) {
    const auto& grantees = it->second;
    // Already granted, or covered by an application-level grant: nothing to do.
    if (std::find(grantees.begin(), grantees.end(), subject) != grantees.end()) return "";
    if (unit && std::find(grantees.begin(), grantees.end(), app) != grantees.end()) return "";
    if (!unit && std::any_of(grantees.begin(), grantees.end(), [&](const std::string& g) {
          return g.find('/') != std::string::npos && application_of(g) == app;
        })) {
      throw tool_error(
          "any unit level grants need to be revoked before granting access to the "
          "corresponding application");
    }
  }
  s->remote_grants[rel->relation_id].push_back(subject);
  return "";
}

std::string secret_revoke(hook_context& ctx, const std::vector<std::string>& argv,
                          std::string_view) {
  const auto args = parse_args(argv, {{"relation", 'r', true},
                                      {"app", 0, true},
                                      {"application", 0, true},
                                      {"unit", 0, true}});
  if (args.positional.empty()) throw usage_error("missing secret URI");
  const std::string core = secret_core_id(args.positional[0]);
  std::optional<std::string> app = non_empty(args, "application");
  if (!app) app = non_empty(args, "app");
  const auto unit = non_empty(args, "unit");
  if (app && !state::is_valid_application_name(*app)) {
    throw usage_error("application " + go_quote(*app) + " not valid");
  }
  if (unit && !state::is_valid_unit_name(*unit)) throw usage_error("unit " + go_quote(*unit) + " not valid");
  if (app && unit) throw usage_error("specify only one of application or unit");
  if (const state::relation* rel = util::relation_from_flag_or_hook(ctx, args, "--relation")) {
    if (app) throw usage_error("do not specify both relation and app");
    app = util::remote_app(ctx, *rel);
  }
  if (!app && !unit) throw usage_error("missing relation or application or unit");
  check_no_extra(args, 1);

  state::secret& s = require_by_id(ctx, core);
  if (refused_at_commit(ctx, s, "secret-revoke")) return "";
  // A subject holds one grant per secret, whatever relation scoped it.
  const std::string subject = unit ? *unit : *app;
  for (auto it = s.remote_grants.begin(); it != s.remote_grants.end();) {
    auto& grantees = it->second;
    grantees.erase(std::remove(grantees.begin(), grantees.end(), subject), grantees.end());
    it = grantees.empty() ? s.remote_grants.erase(it) : std::next(it);
  }
  return "";
}

std::string secret_remove(hook_context& ctx, const std::vector<std::string>& argv,
                          std::string_view) {
  const auto args = parse_args(argv, {{"revision", 0, true}});
  if (args.positional.empty()) throw usage_error("missing secret URI");
  const std::string core = secret_core_id(args.positional[0]);
  check_no_extra(args, 1);
  int revision = 0;
  if (auto text = args.get("revision")) {
    std::size_t used = 0;
    try {
      revision = std::stoi(*text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != text->size()) {
      throw usage_error("invalid value " + go_quote(*text) + " for flag --revision: parse error");
    }
  }

  state::secret& s = require_by_id(ctx, core);
  if (refused_at_commit(ctx, s, "secret-remove")) return "";
  if (revision > 0) {
    if (s.contents.erase(revision) == 0) {
      throw tool_error("secret " + go_quote(core) + " revision " + std::to_string(revision) +
                       " not found");
    }
    if (!s.contents.empty()) return "";
  }
  // Removing the whole secret, or its last revision, deletes it.
  auto& all = ctx.state.secrets;
  all.erase(std::remove_if(all.begin(), all.end(),
                           [&](const state::secret& x) { return &x == &s; }),
            all.end());
  return "";
}

std::string secret_ids(hook_context& ctx, const std::vector<std::string>& argv, std::string_view) {
  const auto args = parse_args(argv, {});
  check_no_extra(args, 0);
  // Juju prints a nil list, so JSON output for "no secrets" is `null`.
  nlohmann::json ids;
  for (const auto& s : ctx.state.secrets) {
    if (metadata_visible(ctx, s)) ids.push_back(stored_core_id(s.id));
  }
  return format_output(ids, args);
}

}  // namespace

void register_secret_tools(tool_table& table) {
  table.emplace("secret-add", secret_add);
  table.emplace("secret-get", secret_get);
  table.emplace("secret-info-get", secret_info_get);
  table.emplace("secret-set", secret_set);
  table.emplace("secret-grant", secret_grant);
  table.emplace("secret-revoke", secret_revoke);
  table.emplace("secret-remove", secret_remove);
  table.emplace("secret-ids", secret_ids);
}

}  // namespace scenario::agent
