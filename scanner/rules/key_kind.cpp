#include "rules/key_kind.h"

#include <array>
#include <utility>

namespace keysweep {
namespace {

constexpr std::array<std::pair<KeyKind, const char*>, 5> kKindNames{{
    {KeyKind::api_key, "api_key"},
    {KeyKind::application_key, "application_key"},
    {KeyKind::personal_access_token, "personal_access_token"},
    {KeyKind::service_access_token, "service_access_token"},
    {KeyKind::rum_client_token, "rum_client_token"},
}};

}  // namespace

const char* key_kind_name(KeyKind kind) {
  for (const auto& [each, name] : kKindNames) {
    if (each == kind) return name;
  }
  return "unknown";
}

std::optional<KeyKind> key_kind_from_name(std::string_view name) {
  for (const auto& [kind, each] : kKindNames) {
    if (name == each) return kind;
  }
  return std::nullopt;
}

}  // namespace keysweep
