#include "inventory/api_response.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "util/error.h"
#include "util/sha256.h"

namespace keysweep {
namespace {

using nlohmann::json;

struct RecordType {
  const char* type;
  KeyKind kind;
  ListingFamily family;
};

constexpr RecordType kRecordTypes[] = {
    {"api_keys", KeyKind::api_key, ListingFamily::api_keys},
    {"application_keys", KeyKind::application_key, ListingFamily::application_keys},
    {"personal_access_tokens", KeyKind::personal_access_token, ListingFamily::access_tokens},
    {"service_access_tokens", KeyKind::service_access_token, ListingFamily::access_tokens},
    {"rum_application", KeyKind::rum_client_token, ListingFamily::rum_applications},
};

const RecordType* record_type(const std::string& type) {
  for (const RecordType& each : kRecordTypes) {
    if (type == each.type) return &each;
  }
  return nullptr;
}

std::string text_of(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer() || it->is_number_unsigned()) {
    // RUM writes dates as epoch milliseconds.
    return format_timestamp(it->get<std::int64_t>() / 1000);
  }
  return it->dump();
}

std::string related_id(const json& record, const char* relationship) {
  const json* data = nullptr;
  if (auto relationships = record.find("relationships"); relationships != record.end() && relationships->is_object()) {
    if (auto related = relationships->find(relationship); related != relationships->end() && related->is_object()) {
      if (auto it = related->find("data"); it != related->end() && it->is_object()) data = &*it;
    }
  }
  return data ? text_of(*data, "id") : "";
}

/// Hashes a key value and overwrites it, so it lives no longer than needed.
std::string take_key_hash(json& attributes, const char* name) {
  auto it = attributes.find(name);
  if (it == attributes.end() || !it->is_string()) return "";
  std::string& value = it->get_ref<std::string&>();
  if (value.empty()) return "";
  std::string hash = sha256_hex(value);
  std::fill(value.begin(), value.end(), '\0');
  return hash;
}

KeyRecord read_record(json& data, const RecordType& type, const std::string& source) {
  KeyRecord record;
  record.kind = type.kind;
  record.id = text_of(data, "id");
  if (record.id.empty()) throw UsageError(source + ": a '" + type.type + "' record has no id");
  auto attributes_it = data.find("attributes");
  if (attributes_it == data.end() || !attributes_it->is_object()) {
    throw UsageError(source + ": record " + record.id + " has no attributes");
  }
  json& attributes = *attributes_it;
  record.name = text_of(attributes, "name");
  record.last4 = text_of(attributes, "last4");
  record.public_portion = text_of(attributes, "public_portion");
  record.created_at = text_of(attributes, "created_at");
  record.modified_at = text_of(attributes, type.kind == KeyKind::rum_client_token ? "updated_at" : "modified_at");
  record.last_used_at = text_of(attributes, type.kind == KeyKind::api_key ? "date_last_used" : "last_used_at");
  record.expires_at = text_of(attributes, "expires_at");
  record.category = text_of(attributes, "category");
  if (auto it = attributes.find("remote_config_read_enabled"); it != attributes.end() && it->is_boolean()) {
    record.remote_config_read_enabled = it->get<bool>();
  }
  if (auto it = attributes.find("scopes"); it != attributes.end()) {
    if (!it->is_null() && !it->is_array()) {
      throw UsageError(source + ": record " + record.id + ": 'scopes' is not a list");
    }
    record.scopes = it->dump();
  }
  record.owner_id = related_id(data, "owned_by");
  if (record.owner_id.empty()) record.owner_id = related_id(data, "created_by");

  const char* value_field = type.kind == KeyKind::rum_client_token ? "client_token" : "key";
  if (auto it = attributes.find(value_field); it != attributes.end() && it->is_string()) {
    const std::string& value = it->get_ref<const std::string&>();
    std::string last4 = value.size() >= 4 ? value.substr(value.size() - 4) : value;
    if (!record.last4.empty() && record.last4 != last4) {
      throw UsageError(source + ": record " + record.id + ": its key does not end with its last4");
    }
    record.last4 = last4;
    record.key_sha256 = take_key_hash(attributes, value_field);
  }
  return record;
}

UserRecord read_user(const json& data) {
  UserRecord user;
  user.id = text_of(data, "id");
  if (auto attributes = data.find("attributes"); attributes != data.end() && attributes->is_object()) {
    user.name = text_of(*attributes, "name");
    user.email = text_of(*attributes, "email");
    user.handle = text_of(*attributes, "handle");
    if (auto it = attributes->find("disabled"); it != attributes->end() && it->is_boolean()) {
      user.disabled = it->get<bool>();
    }
    if (auto it = attributes->find("service_account"); it != attributes->end() && it->is_boolean()) {
      user.service_account = it->get<bool>();
    }
  }
  return user;
}

}  // namespace

const char* listing_family_name(ListingFamily family) {
  switch (family) {
    case ListingFamily::api_keys: return "API keys";
    case ListingFamily::application_keys: return "application keys";
    case ListingFamily::access_tokens: return "access tokens";
    case ListingFamily::rum_applications: return "RUM client tokens";
  }
  return "keys";
}

ApiResponse parse_api_response(std::string& text, const std::string& source,
                               std::optional<ListingFamily> expected) {
  json document = json::parse(text, nullptr, false);
  std::fill(text.begin(), text.end(), '\0');
  if (document.is_discarded()) throw UsageError(source + ": not JSON (a Datadog API response is a JSON document)");
  if (!document.is_object()) throw UsageError(source + ": not a Datadog API response: the document is not an object");
  if (auto errors = document.find("errors"); errors != document.end() && !document.contains("data")) {
    throw UsageError(source + ": the Datadog API answered with an error: " + errors->dump());
  }
  auto data = document.find("data");
  if (data == document.end() || !(data->is_array() || data->is_object())) {
    throw UsageError(source + ": not a Datadog API response: no 'data' member");
  }

  ApiResponse response;
  response.source = source;
  response.is_list = data->is_array();
  if (response.is_list) {
    const json* count = nullptr;
    if (auto meta = document.find("meta"); meta != document.end() && meta->is_object()) {
      if (auto page = meta->find("page"); page != meta->end() && page->is_object()) {
        if (auto it = page->find("total_count"); it != page->end() && it->is_number_unsigned()) count = &*it;
      }
    }
    if (count) response.total_count = count->get<std::size_t>();
  }

  std::optional<ListingFamily> family = expected;
  auto take = [&](json& item) {
    if (!item.is_object()) throw UsageError(source + ": a 'data' entry is not an object");
    std::string type = text_of(item, "type");
    const RecordType* known = record_type(type);
    if (!known) {
      throw UsageError(source + ": record type '" + type +
                       "' is not a Datadog key (expected api_keys, application_keys, "
                       "personal_access_tokens, service_access_tokens or rum_application)");
    }
    if (family && *family != known->family) {
      throw UsageError(source + ": mixes " + listing_family_name(*family) + " and " +
                       listing_family_name(known->family) + " in one response");
    }
    family = known->family;
    response.records.push_back(read_record(item, *known, source));
  };
  if (response.is_list) {
    for (json& item : *data) take(item);
  } else {
    take(*data);
  }
  // An empty page read from a file has no record to say its kind: it proves nothing.
  response.family_known = family.has_value();
  response.family = family.value_or(ListingFamily::api_keys);
  if (!family) response.total_count.reset();

  if (auto included = document.find("included"); included != document.end() && included->is_array()) {
    for (const json& item : *included) {
      if (item.is_object() && text_of(item, "type") == "users") response.users.push_back(read_user(item));
    }
  }
  return response;
}

}  // namespace keysweep
