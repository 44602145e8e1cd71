#pragma once
// Datadog sites. Secrets leave the machine only for these sites' API hosts
// (or a test URL the user names explicitly).

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keysweep {

/// Every Datadog site, the default (datadoghq.com) first.
const std::vector<std::string>& datadog_sites();

/// "datadoghq.eu", "app.datadoghq.eu", "https://us3.datadoghq.com/" -> the
/// site name; nullopt when it is not a Datadog site.
std::optional<std::string> normalise_site(std::string_view text);

/// "https://api.<site>".
std::string api_base_url(const std::string& site);

/// Datadog sites named in `content` (hosts such as app.datadoghq.eu or
/// DD_SITE=us5.datadoghq.com), as (byte offset, site), in content order.
std::vector<std::pair<std::size_t, std::string>> site_mentions(std::string_view content);

}  // namespace keysweep
