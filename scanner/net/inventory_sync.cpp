#include "net/inventory_sync.h"

#include "util/diagnostics.h"
#include "util/error.h"

namespace keysweep {
namespace {

constexpr std::size_t kPageSize = 100;

struct Listing {
  ListingFamily family;
  const char* path;   // list endpoint
  const char* query;  // extra parameters
  bool paged;
  const char* single_path;  // fetched per record for the value; nullptr: none
};

constexpr Listing kListings[] = {
    {ListingFamily::api_keys, "/api/v2/api_keys", "include=created_by", true, "/api/v2/api_keys/"},
    {ListingFamily::application_keys, "/api/v2/application_keys", "include=owned_by", true,
     nullptr},
    {ListingFamily::access_tokens, "/api/v2/personal_access_tokens", "", true, nullptr},
    {ListingFamily::rum_applications, "/api/v2/rum/applications", "", false,
     "/api/v2/rum/applications/"},
};

class Fetcher {
 public:
  Fetcher(const HttpClient& client, const ApiTarget& target,
          const std::vector<std::string>& headers)
      : client_(client), target_(target), headers_(headers) {}

  /// The parsed answer, or nullopt for 403 (not permitted). Throws otherwise.
  std::optional<ApiResponse> get(const std::string& path_and_query, ListingFamily family) const {
    HttpResponse response = client_.get(target_.base_url + path_and_query, headers_);
    std::string what = "GET " + path_and_query.substr(0, path_and_query.find('?'));
    if (response.status == 403) return std::nullopt;
    if (response.status == 401) {
      throw RuntimeFailure(what +
                           ": the API refused the credentials (401); check DD_API_KEY/DD_APP_KEY "
                           "or DD_ACCESS_TOKEN and the site");
    }
    if (response.status != 200) throw RuntimeFailure(describe_failure(what, response));
    try {
      ApiResponse parsed = parse_api_response(response.body, what, family);
      parsed.org_wide = true;
      return parsed;
    } catch (const UsageError& error) {
      throw RuntimeFailure(std::string("unexpected answer: ") + error.what());
    }
  }

 private:
  const HttpClient& client_;
  const ApiTarget& target_;
  const std::vector<std::string>& headers_;
};

}  // namespace

std::vector<ApiResponse> fetch_inventory(const HttpClient& client, const ApiTarget& target,
                                         const std::vector<std::string>& headers,
                                         Diagnostics& diagnostics) {
  Fetcher fetcher(client, target, headers);
  std::vector<ApiResponse> responses;
  for (const Listing& listing : kListings) {
    std::vector<ApiResponse> pages;
    bool permitted = true;
    std::size_t seen = 0;
    for (std::size_t page = 0;; ++page) {
      std::string query = listing.query;
      if (listing.paged) {
        query += std::string(query.empty() ? "" : "&") +
                 "page%5Bsize%5D=" + std::to_string(kPageSize) +
                 "&page%5Bnumber%5D=" + std::to_string(page);
      }
      std::optional<ApiResponse> answer = fetcher.get(
          std::string(listing.path) + (query.empty() ? "" : "?" + query), listing.family);
      if (!answer) {
        permitted = false;
        break;
      }
      seen += answer->records.size();
      bool last = !listing.paged || answer->records.size() < kPageSize ||
                  (answer->total_count && seen >= *answer->total_count);
      // An unpaged listing is the whole listing by construction.
      if (!listing.paged) answer->total_count = answer->records.size();
      pages.push_back(std::move(*answer));
      if (last) break;
    }
    if (!permitted) {
      diagnostics.warn(std::string("not permitted to list ") + listing_family_name(listing.family) +
                       " (HTTP 403); they were not synced");
      continue;
    }
    if (listing.single_path) {
      for (const ApiResponse& page : pages) {
        for (const KeyRecord& record : page.records) {
          std::optional<ApiResponse> single =
              fetcher.get(listing.single_path + record.id, listing.family);
          if (!single) {
            diagnostics.warn(std::string("not permitted to read ") +
                             listing_family_name(listing.family) + " " + record.id +
                             " (HTTP 403); its value is not hashed");
            continue;
          }
          responses.push_back(std::move(*single));
        }
      }
    }
    for (ApiResponse& page : pages) responses.push_back(std::move(page));
  }
  return responses;
}

}  // namespace keysweep
