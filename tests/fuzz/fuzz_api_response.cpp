// A Datadog key listing as `inventory import` reads it (no expected family),
// and as `inventory sync` reads a fetched page (the endpoint's family known).

#include <string>

#include "fuzz_targets.h"
#include "inventory/api_response.h"
#include "util/error.h"

void keysweep::fuzz::api_response(std::string_view input) {
  for (std::optional<ListingFamily> expected :
       {std::optional<ListingFamily>(), std::optional(ListingFamily::access_tokens)}) {
    try {
      std::string text(input);  // scrubbed in place by the parser
      parse_api_response(text, "fuzz.json", expected);
    } catch (const UsageError&) {
    } catch (const RuntimeFailure&) {
    }
  }
}

KEYSWEEP_FUZZ_ENTRY(api_response)
