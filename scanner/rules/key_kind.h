#pragma once
// Datadog's kinds of credential, parsed once from a rule's keyType (and an
// inventory record's type) so code compares enums, not strings.

#include <optional>
#include <string_view>

namespace keysweep {

/// Kinds are named as rules' keyType names them, so a finding and a record
/// compare directly.
enum class KeyKind {
  api_key,
  application_key,
  personal_access_token,
  service_access_token,
  rum_client_token
};

const char* key_kind_name(KeyKind kind);
std::optional<KeyKind> key_kind_from_name(std::string_view name);

}  // namespace keysweep
