#pragma once
// `inventory sync`: every page of every key listing, fetched from the API,
// ready for InventoryStore::import. Each API key and RUM application is also
// fetched by id, because only that answer carries the value to hash.

#include <vector>

#include "inventory/api_response.h"
#include "net/datadog_api.h"

namespace keysweep {

class Diagnostics;

/// A listing the credentials may not read (403) is a warning and is left
/// out; a refused credential (401) or a failed request throws RuntimeFailure.
std::vector<ApiResponse> fetch_inventory(const HttpClient& client, const ApiTarget& target,
                                         const std::vector<std::string>& headers,
                                         Diagnostics& diagnostics);

}  // namespace keysweep
