#include "findings/datadog_site.h"

#include <algorithm>
#include <array>

#include "util/text.h"

namespace keysweep {
namespace {

// A site is a domain, optionally with a regional label in front of it.
struct Domain {
  std::string_view domain;
  std::array<std::string_view, 5> regions;
};

constexpr std::array<Domain, 3> kDomains{{
    {"datadoghq.com", {"us3", "us5", "ap1", "ap2", "uk1"}},
    {"datadoghq.eu", {}},
    {"ddog-gov.com", {"us2"}},
}};

bool is_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

bool is_host_char(char c) {
  return is_label_char(c) || (c >= 'A' && c <= 'Z') || c == '.';
}

/// The site of a domain found at `at` in `text`, from the label before it.
std::string site_at(std::string_view text, std::size_t at, const Domain& domain) {
  if (at >= 2 && text[at - 1] == '.') {
    std::size_t begin = at - 1;
    while (begin > 0 && is_label_char(text[begin - 1])) --begin;
    std::string_view label = text.substr(begin, at - 1 - begin);
    for (std::string_view region : domain.regions) {
      if (!region.empty() && label == region)
        return std::string(region) + "." + std::string(domain.domain);
    }
  }
  return std::string(domain.domain);
}

}  // namespace

const std::vector<std::string>& datadog_sites() {
  static const std::vector<std::string> sites = {
      "datadoghq.com",     "us3.datadoghq.com", "us5.datadoghq.com",
      "datadoghq.eu",      "ap1.datadoghq.com", "ap2.datadoghq.com",
      "uk1.datadoghq.com", "ddog-gov.com",      "us2.ddog-gov.com"};
  return sites;
}

std::optional<std::string> normalise_site(std::string_view text) {
  if (auto scheme = text.find("://"); scheme != std::string_view::npos)
    text.remove_prefix(scheme + 3);
  while (!text.empty() && text.back() == '/') text.remove_suffix(1);
  std::string host = ascii_lowercase(std::string(text));
  for (const Domain& domain : kDomains) {
    if (!host.ends_with(domain.domain)) continue;
    std::size_t at = host.size() - domain.domain.size();
    if (at > 0 && host[at - 1] != '.') continue;  // notdatadoghq.com
    // Only the site itself or a host of it (app., api.): nothing else before.
    std::string site = site_at(host, at, domain);
    std::string_view rest = std::string_view(host).substr(0, host.size() - site.size());
    if (rest.empty() || rest == "app." || rest == "api.") return site;
  }
  return std::nullopt;
}

std::string api_base_url(const std::string& site) {
  return "https://api." + site;
}

std::vector<std::pair<std::size_t, std::string>> site_mentions(std::string_view content) {
  std::vector<std::pair<std::size_t, std::string>> mentions;
  for (const Domain& domain : kDomains) {
    for (std::size_t at = content.find(domain.domain); at != std::string_view::npos;
         at = content.find(domain.domain, at + 1)) {
      std::size_t end = at + domain.domain.size();
      // A whole host name only: not "datadoghq.community" or "mydatadoghq.com".
      if (end < content.size() && is_host_char(content[end]) && content[end] != '.') continue;
      if (at > 0 && is_label_char(content[at - 1])) continue;
      mentions.emplace_back(at, site_at(content, at, domain));
    }
  }
  std::sort(mentions.begin(), mentions.end());
  return mentions;
}

}  // namespace keysweep
