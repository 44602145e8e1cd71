#pragma once
// Talking to the Datadog API: which base URL, which credentials. A base URL
// is an official Datadog API host unless the user passed --api-url.

#include <optional>
#include <string>
#include <vector>

#include "net/http_client.h"

namespace keysweep {

struct ApiTarget {
  std::string base_url;  // "https://api.datadoghq.eu" or an explicit --api-url
  std::string site;      // empty for --api-url
};

/// --api-url wins; else --site, else DD_SITE, else datadoghq.com. Throws
/// UsageError for a site that is not a Datadog site or a malformed URL.
ApiTarget resolve_api_target(const std::string& site_option, const std::string& api_url_option);

/// Authentication headers for reading the inventory: a bearer token from
/// DD_ACCESS_TOKEN, else DD_API_KEY + DD_APP_KEY (or DD_APPLICATION_KEY).
/// Throws UsageError naming the variables when none are set.
std::vector<std::string> management_headers_from_environment();

/// A message for an HTTP answer that was not 200, without the body's secrets
/// (the API's error bodies name no keys, but the caller's URL is enough).
std::string describe_failure(const std::string& what, const HttpResponse& response);

}  // namespace keysweep
