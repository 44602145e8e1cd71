#pragma once
// Reading the Datadog API's key listings (JSON:API documents), whether a user
// saved them with curl or `inventory sync` fetched them. A key value in a
// response is hashed on the spot; the record never holds it.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/key_record.h"

namespace keysweep {

/// Endpoints whose listings are read together: a PAT listing holds both
/// personal and service access tokens, so completeness is per family.
enum class ListingFamily { api_keys, application_keys, access_tokens, rum_applications };

const char* listing_family_name(ListingFamily family);

struct ApiResponse {
  std::string source;  // file name or URL path, for messages
  ListingFamily family = ListingFamily::api_keys;
  bool is_list = false;  // `data` is an array (one page of a listing)
  // Set by `inventory sync`, which knows it read an organisation-wide
  // endpoint; a saved file could as well be one user's or one service
  // account's listing.
  bool org_wide = false;
  bool family_known = false;               // false only for an empty page read from a file
  std::optional<std::size_t> total_count;  // meta.page.total_count of a listing
  std::vector<KeyRecord> records;
  std::vector<UserRecord> users;  // from `included`
};

/// Parses one response. `text` is scrubbed in place once parsed, because it
/// may hold key values. Throws UsageError naming `source` and the reason when
/// the document is not a Datadog key response. `expected` is the family a
/// fetched URL serves; it gives an empty page its family.
ApiResponse parse_api_response(std::string& text, const std::string& source,
                               std::optional<ListingFamily> expected = std::nullopt);

}  // namespace keysweep
