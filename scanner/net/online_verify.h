#pragma once
// --verify: asks the Datadog API whether each unique secret works, once per
// run, and folds the answer into the finding's liveness label.

#include <string>
#include <vector>

#include "findings/finding.h"
#include "net/datadog_api.h"

namespace keysweep {

class Diagnostics;

struct VerifyOptions {
  std::string api_url;          // explicit test URL: the only place secrets go
  std::string configured_site;  // --site or DD_SITE; empty: none
  std::string paired_api_key;   // DD_API_KEY, to check application keys found alone
  unsigned concurrency = 4;
};

/// Checks every unique secret of `findings` (API keys, application keys,
/// PATs and SATs; RUM client tokens are public and have no check) and updates
/// their labels: 200 -> live; 401/403 -> revoked/expired if the inventory
/// knows the key, else invalid; anything else after retries -> unchanged.
void verify_findings(std::vector<Finding>& findings, const VerifyOptions& options,
                     const HttpClient& client, Diagnostics& diagnostics);

}  // namespace keysweep
