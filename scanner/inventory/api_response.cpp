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

/// Names a place in a response for messages: the file, the record (its index
/// in `data`, and its id once known) and the field.
struct Place {
  const std::string& source;
  std::string record;  // "record 3 (id abc)", or "" outside records

  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    throw UsageError(source + ": " + (record.empty() ? "" : record + ": ") + "field '" + field +
                     "' " + problem);
  }
  [[noreturn]] void wrong_type(const std::string& field, const json& value,
                               const char* expected) const {
    fail(field, std::string("is ") + value.type_name() + ", expected " + expected);
  }
};

/// A member that must be text when present. Absent and null both mean "the API did not say".
std::string text_of(const json& object, const char* name, const Place& place,
                    const std::string& prefix) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return "";
  if (!it->is_string()) place.wrong_type(prefix + name, *it, "a string");
  return it->get<std::string>();
}

/// A date: RFC 3339 text, or, where `epoch_ms` (RUM applications), epoch milliseconds.
std::string date_of(const json& object, const char* name, const Place& place, bool epoch_ms) {
  const std::string field = std::string("attributes.") + name;
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return "";
  if (epoch_ms && it->is_number_integer()) return format_timestamp(it->get<std::int64_t>() / 1000);
  if (!it->is_string())
    place.wrong_type(field, *it, epoch_ms ? "a date or epoch milliseconds" : "an RFC 3339 date");
  const std::string& text = it->get_ref<const std::string&>();
  if (!parse_timestamp(text)) place.fail(field, "'" + text + "' is not an RFC 3339 date");
  return text;
}

std::optional<bool> flag_of(const json& object, const char* name, const Place& place,
                            const std::string& prefix) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) place.wrong_type(prefix + name, *it, "true or false");
  return it->get<bool>();
}

std::string related_id(const json& record, const char* relationship, const Place& place) {
  auto relationships = record.find("relationships");
  if (relationships == record.end() || relationships->is_null()) return "";
  if (!relationships->is_object()) place.wrong_type("relationships", *relationships, "an object");
  auto related = relationships->find(relationship);
  if (related == relationships->end() || related->is_null()) return "";
  const std::string field = std::string("relationships.") + relationship;
  if (!related->is_object()) place.wrong_type(field, *related, "an object");
  auto data = related->find("data");
  if (data == related->end() || data->is_null()) return "";
  if (!data->is_object()) place.wrong_type(field + ".data", *data, "an object");
  return text_of(*data, "id", place, field + ".data.");
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

KeyRecord read_record(json& data, const RecordType& type, Place& place) {
  KeyRecord record;
  record.kind = type.kind;
  record.id = text_of(data, "id", place, "");
  if (record.id.empty())
    place.fail("id", "is missing: a '" + std::string(type.type) + "' record needs its id");
  place.record += " (id " + record.id + ")";
  auto attributes_it = data.find("attributes");
  if (attributes_it == data.end() || !attributes_it->is_object()) {
    place.fail("attributes", "is missing or not an object");
  }
  json& attributes = *attributes_it;
  const bool rum = type.kind == KeyKind::rum_client_token;
  record.name = text_of(attributes, "name", place, "attributes.");
  record.last4 = text_of(attributes, "last4", place, "attributes.");
  if (!record.last4.empty() && record.last4.size() != 4) {
    place.fail("attributes.last4", "is '" + record.last4 + "', expected exactly 4 characters");
  }
  record.public_portion = text_of(attributes, "public_portion", place, "attributes.");
  record.created_at = date_of(attributes, "created_at", place, rum);
  record.modified_at = date_of(attributes, rum ? "updated_at" : "modified_at", place, rum);
  record.last_used_at = date_of(
      attributes, type.kind == KeyKind::api_key ? "date_last_used" : "last_used_at", place, rum);
  record.expires_at = date_of(attributes, "expires_at", place, rum);
  record.category = text_of(attributes, "category", place, "attributes.");
  record.remote_config_read_enabled =
      flag_of(attributes, "remote_config_read_enabled", place, "attributes.");
  if (auto it = attributes.find("scopes"); it != attributes.end()) {
    if (!it->is_null() && !it->is_array())
      place.wrong_type("attributes.scopes", *it, "a list of scope names");
    if (it->is_array()) {
      for (const json& scope : *it) {
        if (!scope.is_string())
          place.wrong_type("attributes.scopes", scope, "a list of scope names (strings)");
      }
    }
    record.scopes = it->dump();
  }
  record.owner_id = related_id(data, "owned_by", place);
  if (record.owner_id.empty()) record.owner_id = related_id(data, "created_by", place);

  const char* value_field = rum ? "client_token" : "key";
  std::string value = text_of(attributes, value_field, place, "attributes.");
  if (!value.empty()) {
    std::string last4 = value.size() >= 4 ? value.substr(value.size() - 4) : value;
    if (!record.last4.empty() && record.last4 != last4) {
      place.fail(std::string("attributes.") + value_field, "does not end with the record's last4");
    }
    std::fill(value.begin(), value.end(), '\0');
    record.last4 = last4;
    record.key_sha256 = take_key_hash(attributes, value_field);
  }
  return record;
}

UserRecord read_user(const json& data, const Place& place) {
  UserRecord user;
  user.id = text_of(data, "id", place, "");
  if (auto attributes = data.find("attributes");
      attributes != data.end() && !attributes->is_null()) {
    if (!attributes->is_object()) place.wrong_type("attributes", *attributes, "an object");
    user.name = text_of(*attributes, "name", place, "attributes.");
    user.email = text_of(*attributes, "email", place, "attributes.");
    user.handle = text_of(*attributes, "handle", place, "attributes.");
    user.disabled = flag_of(*attributes, "disabled", place, "attributes.");
    user.service_account = flag_of(*attributes, "service_account", place, "attributes.");
  }
  return user;
}

}  // namespace

const char* listing_family_name(ListingFamily family) {
  switch (family) {
    case ListingFamily::api_keys:
      return "API keys";
    case ListingFamily::application_keys:
      return "application keys";
    case ListingFamily::access_tokens:
      return "access tokens";
    case ListingFamily::rum_applications:
      return "RUM client tokens";
  }
  return "keys";
}

ApiResponse parse_api_response(std::string& text, const std::string& source,
                               std::optional<ListingFamily> expected) {
  json document = json::parse(text, nullptr, false);
  std::fill(text.begin(), text.end(), '\0');
  if (document.is_discarded())
    throw UsageError(source + ": not JSON (a Datadog API response is a JSON document)");
  if (!document.is_object())
    throw UsageError(source + ": not a Datadog API response: the document is not an object");
  if (auto errors = document.find("errors");
      errors != document.end() && !document.contains("data")) {
    throw UsageError(source + ": the Datadog API answered with an error: " + errors->dump());
  }
  auto data = document.find("data");
  if (data == document.end() || !(data->is_array() || data->is_object())) {
    throw UsageError(source + ": not a Datadog API response: no 'data' member");
  }

  ApiResponse response;
  response.source = source;
  response.is_list = data->is_array();
  const Place document_place{source, ""};
  if (response.is_list) {
    // The count decides whether a listing is complete, and so what is revoked: it must be exact.
    if (auto meta = document.find("meta"); meta != document.end() && meta->is_object()) {
      if (auto page = meta->find("page"); page != meta->end() && page->is_object()) {
        if (auto it = page->find("total_count"); it != page->end() && !it->is_null()) {
          if (!it->is_number_unsigned())
            document_place.wrong_type("meta.page.total_count", *it, "a whole number");
          response.total_count = it->get<std::size_t>();
        }
      }
    }
  }

  std::optional<ListingFamily> family = expected;
  std::size_t index = 0;
  auto take = [&](json& item) {
    Place place{source, "record " + std::to_string(index++)};
    if (!item.is_object()) place.wrong_type("data", item, "an object");
    std::string type = text_of(item, "type", place, "");
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
    response.records.push_back(read_record(item, *known, place));
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

  if (auto included = document.find("included");
      included != document.end() && included->is_array()) {
    std::size_t included_index = 0;
    for (const json& item : *included) {
      Place place{source, "included record " + std::to_string(included_index++)};
      if (item.is_object() && text_of(item, "type", place, "") == "users") {
        response.users.push_back(read_user(item, place));
      }
    }
  }
  return response;
}

}  // namespace keysweep
