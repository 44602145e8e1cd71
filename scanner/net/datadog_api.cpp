#include "net/datadog_api.h"

#include <cstdlib>

#include "findings/datadog_site.h"
#include "util/error.h"

namespace keysweep {
namespace {

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

}  // namespace

ApiTarget resolve_api_target(const std::string& site_option, const std::string& api_url_option) {
  if (!api_url_option.empty()) {
    if (!api_url_option.starts_with("http://") && !api_url_option.starts_with("https://")) {
      throw UsageError("--api-url: '" + api_url_option + "' is not an http:// or https:// URL");
    }
    std::string base = api_url_option;
    while (base.ends_with('/')) base.pop_back();
    return {base, ""};
  }
  std::string requested = !site_option.empty() ? site_option : environment("DD_SITE");
  if (requested.empty()) requested = datadog_sites().front();
  std::optional<std::string> site = normalise_site(requested);
  if (!site) {
    std::string sites;
    for (const std::string& each : datadog_sites()) sites += (sites.empty() ? "" : ", ") + each;
    throw UsageError((site_option.empty() ? "DD_SITE" : "--site") + std::string(": '") + requested +
                     "' is not a Datadog site (one of " + sites + ")");
  }
  return {api_base_url(*site), *site};
}

std::vector<std::string> management_headers_from_environment() {
  if (std::string token = environment("DD_ACCESS_TOKEN"); !token.empty()) {
    return {"Authorization: Bearer " + token};
  }
  std::string api_key = environment("DD_API_KEY");
  std::string app_key = environment("DD_APP_KEY");
  if (app_key.empty()) app_key = environment("DD_APPLICATION_KEY");
  if (api_key.empty() || app_key.empty()) {
    throw UsageError("no Datadog credentials: set DD_ACCESS_TOKEN, or DD_API_KEY and DD_APP_KEY");
  }
  return {"DD-API-KEY: " + api_key, "DD-APPLICATION-KEY: " + app_key};
}

std::string describe_failure(const std::string& what, const HttpResponse& response) {
  std::string attempts =
      response.attempts > 1 ? " after " + std::to_string(response.attempts) + " attempts" : "";
  if (response.status == 0) return what + ": " + response.error + attempts;
  return what + ": HTTP " + std::to_string(response.status) + attempts;
}

}  // namespace keysweep
