#include "inventory/inventory_audit.h"

#include <re2/re2.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "util/error.h"
#include "util/text.h"

namespace keysweep {
namespace {

constexpr UnixTime kDay = 86400;

std::string days(UnixTime seconds) {
  return std::to_string(seconds / kDay) + " days";
}

/// Names that say nothing about owner or purpose.
bool is_generic_name(const std::string& name) {
  // A run of generic words (and a number): "API Key", "key1", "test",
  // "Datadog API Key 2", "new token".
  static const RE2 generic(
      R"((?i)^\s*(?:(?:my|new|test|testing|tmp|temp|default|main|old|prod|dev|datadog|dd|api|app|application|)"
      R"(key|keys|token|pat|sat|personal|access|service|foo|bar|asdf|untitled|copy|of)[\s_.-]*)*\d*\s*$)");
  return name.empty() || RE2::FullMatch(name, generic);
}

/// A person's name as the key's name: the owner's name or email local part.
bool is_person_name(const std::string& name, const UserRecord* owner) {
  if (!owner) return false;
  std::string key_name = ascii_lowercase(name);
  std::string local = ascii_lowercase(owner->email.substr(0, owner->email.find('@')));
  return (!owner->name.empty() && key_name == ascii_lowercase(owner->name)) ||
         (!local.empty() && key_name == local) ||
         (!owner->handle.empty() && key_name == ascii_lowercase(owner->handle));
}

class Auditor {
 public:
  Auditor(const std::vector<UserRecord>& users, const Ruleset& ruleset,
          const AuditSettings& settings, UnixTime now)
      : settings_(settings), now_(now) {
    for (const UserRecord& user : users) users_[user.id] = &user;
    for (std::uint32_t index = 0; index < ruleset.rules.size(); ++index) {
      if (ruleset.rules[index].check == RuleCheck::inventory)
        rules_[ruleset.rules[index].id] = {&ruleset.rules[index], index};
    }
    if (!settings.name_pattern.empty()) {
      name_pattern_ = std::make_unique<RE2>(settings.name_pattern);
    }
  }

  void audit(const KeyRecord& key, std::vector<AuditFinding>& out) {
    if (key_state(key, now_) != KeyState::active) return;
    const UserRecord* owner = owner_of(key);
    auto report = [&](const char* check, std::string message) {
      auto rule = rules_.find(check);
      if (rule == rules_.end()) return;  // disabled
      out.push_back({rule->second.first, rule->second.second, key, owner_label(key, owner),
                     std::move(message)});
    };
    std::optional<UnixTime> created = parse_timestamp(key.created_at);
    std::optional<UnixTime> last_used = parse_timestamp(key.last_used_at);
    const UnixTime unused = settings_.unused_days * kDay;
    if (last_used && now_ - *last_used >= unused) {
      report("key-unused",
             "last used " + days(now_ - *last_used) + " ago (" + key.last_used_at + ")");
    } else if (!last_used && key.last_used_at.empty() && created && now_ - *created >= unused &&
               key.kind != KeyKind::rum_client_token) {
      report("key-never-used", "created " + days(now_ - *created) + " ago and never used");
    }
    bool long_lived = key.kind == KeyKind::api_key || key.kind == KeyKind::application_key;
    if (long_lived && created && now_ - *created >= settings_.rotation_days * kDay) {
      report("key-rotation-overdue", "created " + days(now_ - *created) +
                                         " ago; rotation cadence is " +
                                         std::to_string(settings_.rotation_days) + " days");
    }
    if (key.kind == KeyKind::application_key && (key.scopes == "null" || key.scopes == "[]")) {
      report("application-key-unscoped", "no scopes: it carries every permission of its owner");
    }
    bool token =
        key.kind == KeyKind::personal_access_token || key.kind == KeyKind::service_access_token;
    if (token) {
      std::optional<UnixTime> expires = parse_timestamp(key.expires_at);
      if (!expires) {
        report("access-token-no-expiry", "no expiry");
      } else if (*expires - now_ > settings_.max_token_days * kDay) {
        report("access-token-long-lived", "expires in " + days(*expires - now_) + " (" +
                                              key.expires_at + "); the maximum is " +
                                              std::to_string(settings_.max_token_days) + " days");
      }
    }
    if (key.kind != KeyKind::rum_client_token) {
      if (is_generic_name(key.name)) {
        report("key-name-undescriptive", "'" + key.name + "' says nothing about owner or purpose");
      } else if (is_person_name(key.name, owner)) {
        report("key-name-undescriptive",
               "'" + key.name + "' is a person's name, not an owner and purpose");
      } else if (name_pattern_ && !RE2::FullMatch(key.name, *name_pattern_)) {
        report("key-name-undescriptive",
               "'" + key.name + "' does not match the naming pattern " + settings_.name_pattern);
      }
    }
    bool owned = key.kind == KeyKind::application_key || token;
    if (owned && owner && owner->disabled.value_or(false)) {
      report("key-owner-disabled", "owned by " + owner_label(key, owner) + ", a disabled user");
    } else if (owned && key.owner_id.empty()) {
      report("key-owner-unknown", "the inventory names no owner");
    }
  }

  void shared(const std::vector<KeyRecord>& keys, const std::vector<KeySighting>& sightings,
              std::vector<AuditFinding>& out) {
    auto rule = rules_.find("key-shared");
    if (rule == rules_.end() || sightings.empty()) return;
    std::map<std::string, std::set<std::string>> places;  // secret hash -> "repository: service"
    std::map<std::string, std::string> inventory_ids;
    for (const KeySighting& sighting : sightings) {
      places[sighting.secret_sha256].insert(
          sighting.repository + (sighting.service.empty() ? "" : ": " + sighting.service));
      if (!sighting.inventory_id.empty())
        inventory_ids[sighting.secret_sha256] = sighting.inventory_id;
    }
    for (const auto& [hash, where] : places) {
      if (where.size() < 2) continue;
      std::string list;
      for (const std::string& place : where) list += (list.empty() ? "" : ", ") + place;
      AuditFinding finding{rule->second.first, rule->second.second, std::nullopt, "",
                           "found in " + std::to_string(where.size()) + " places: " + list};
      for (const KeyRecord& key : keys) {
        bool same = (!key.key_sha256.empty() && key.key_sha256 == hash) ||
                    (inventory_ids.contains(hash) && inventory_ids[hash] == key.id);
        if (same) {
          finding.key = key;
          finding.owner = owner_label(key, owner_of(key));
        }
      }
      if (!finding.key)
        finding.message = "a key not in the inventory (secret SHA-256 " + hash.substr(0, 12) +
                          "…) " + finding.message;
      out.push_back(std::move(finding));
    }
  }

 private:
  const UserRecord* owner_of(const KeyRecord& key) const {
    auto it = users_.find(key.owner_id);
    return it == users_.end() ? nullptr : it->second;
  }

  static std::string owner_label(const KeyRecord& key, const UserRecord* owner) {
    if (!owner) return key.owner_id;
    std::string label = !owner->name.empty() ? owner->name : owner->handle;
    if (!owner->email.empty()) {
      if (!label.empty()) label += ' ';
      label.append("<").append(owner->email).append(">");
    }
    return label.empty() ? key.owner_id : label;
  }

  const AuditSettings& settings_;
  UnixTime now_;
  std::map<std::string, const UserRecord*> users_;
  std::map<std::string, std::pair<const Rule*, std::uint32_t>> rules_;
  std::unique_ptr<RE2> name_pattern_;
};

std::string top_directory(const std::string& path) {
  std::size_t slash = path.find('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

}  // namespace

std::vector<KeySighting> read_sightings(const std::vector<std::string>& report_files) {
  using nlohmann::json;
  std::vector<KeySighting> sightings;
  for (const std::string& file : report_files) {
    // A text member that is absent or null is "not said"; any other type is a malformed report.
    auto text_member = [&](const json& object, const char* name,
                           const std::string& where) -> std::string {
      auto it = object.find(name);
      if (it == object.end() || it->is_null()) return "";
      if (!it->is_string()) {
        throw UsageError(file + ": " + where + name + " is " + it->type_name() + ", not a string");
      }
      return it->get<std::string>();
    };
    json report =
        json::parse(read_input_file(file, kReportFileLimit, "scan report"), nullptr, false);
    if (report.is_discarded() || !report.is_object() || !report.contains("findings") ||
        !report["findings"].is_array() || !report.contains("tool")) {
      throw UsageError(file + ": not a keysweep json report (scan --format json)");
    }
    std::string repository = text_member(report, "root", "");
    if (repository.empty()) repository = file;
    if (auto it = report.find("repository"); it != report.end() && it->is_object()) {
      if (std::string uri = text_member(*it, "uri", "repository."); !uri.empty()) repository = uri;
    }
    std::size_t index = 0;
    for (const json& finding : report["findings"]) {
      const std::string where = "findings[" + std::to_string(index++) + "].";
      if (!finding.is_object())
        throw UsageError(file + ": " + where.substr(0, where.size() - 1) + " is not an object");
      std::string secret_sha256 = text_member(finding, "secret_sha256", where);
      // Keys only: a check's evidence (a resource type, a variable name) is not a key.
      // Reports before findings had a kind named checks by the key type "practice".
      if (secret_sha256.empty() || text_member(finding, "kind", where) == "check" ||
          text_member(finding, "key_type", where) == "practice") {
        continue;
      }
      KeySighting sighting{secret_sha256, repository,
                           top_directory(text_member(finding, "path", where)), ""};
      if (auto it = finding.find("inventory"); it != finding.end() && !it->is_null()) {
        if (!it->is_object())
          throw UsageError(file + ": " + where + "inventory is " + it->type_name() +
                           ", not an object");
        sighting.inventory_id = text_member(*it, "id", where + "inventory.");
      }
      sightings.push_back(std::move(sighting));
    }
  }
  return sightings;
}

std::vector<AuditFinding> audit_inventory(const std::vector<KeyRecord>& keys,
                                          const std::vector<UserRecord>& users,
                                          const Ruleset& ruleset, const AuditSettings& settings,
                                          UnixTime now, const std::vector<KeySighting>& sightings) {
  Auditor auditor(users, ruleset, settings, now);
  std::vector<AuditFinding> findings;
  for (const KeyRecord& key : keys) auditor.audit(key, findings);
  auditor.shared(keys, sightings, findings);
  return findings;
}

}  // namespace keysweep
