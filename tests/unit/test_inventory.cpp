// The inventory's pure parts: timestamps, Datadog sites, API response
// parsing, and how a found secret is matched to an inventory record.
#include <catch2/catch.hpp>

#include "findings/datadog_site.h"
#include "inventory/api_response.h"
#include "inventory/inventory_index.h"
#include "util/error.h"
#include "util/sha256.h"
#include "util/timestamp.h"

using namespace keysweep;

TEST_CASE("timestamps in the forms the Datadog API writes") {
  CHECK(parse_timestamp("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_timestamp("2024-02-29T12:00:00.123456+00:00") == 1709208000);
  CHECK(parse_timestamp("2024-02-29T14:00:00+02:00") == 1709208000);
  CHECK(parse_timestamp("2024-02-29T07:00:00-0500") == 1709208000);
  CHECK(parse_timestamp("2024-02-29") == 1709164800);
  CHECK_FALSE(parse_timestamp("yesterday"));
  CHECK_FALSE(parse_timestamp("2024-13-01"));
  CHECK_FALSE(parse_timestamp("2024-02-29T12:00:00 trailing"));
  CHECK(format_timestamp(1709208000) == "2024-02-29T12:00:00Z");
  CHECK(format_timestamp(0) == "1970-01-01T00:00:00Z");
}

TEST_CASE("Datadog sites are recognised and nothing else is") {
  CHECK(normalise_site("datadoghq.com") == "datadoghq.com");
  CHECK(normalise_site("https://app.datadoghq.eu/") == "datadoghq.eu");
  CHECK(normalise_site("US5.datadoghq.com") == "us5.datadoghq.com");
  CHECK(normalise_site("api.us2.ddog-gov.com") == "us2.ddog-gov.com");
  CHECK_FALSE(normalise_site("datadoghq.com.evil.example"));
  CHECK_FALSE(normalise_site("notdatadoghq.com"));
  CHECK_FALSE(normalise_site("attacker.datadoghq.com"));
  CHECK(api_base_url("ap1.datadoghq.com") == "https://api.ap1.datadoghq.com");

  auto mentions = site_mentions(
      "DD_SITE=us3.datadoghq.com\nurl: https://http-intake.logs.datadoghq.eu/v1\n"
      "see datadoghq.community and mydatadoghq.com\n");
  REQUIRE(mentions.size() == 2);
  CHECK(mentions[0].second == "us3.datadoghq.com");
  CHECK(mentions[1].second == "datadoghq.eu");
}

TEST_CASE("an API response's key value is hashed, and the text scrubbed") {
  std::string text =
      R"({"data":{"type":"api_keys","id":"k1","attributes":{"name":"n","last4":"9f3a","key":"0123456789abcdef0123456789ab9f3a"}}})";
  ApiResponse response = parse_api_response(text, "single.json");
  REQUIRE(response.records.size() == 1);
  CHECK(response.records[0].key_sha256 == sha256_hex("0123456789abcdef0123456789ab9f3a"));
  CHECK(text.find("0123456789abcdef") == std::string::npos);
  CHECK_FALSE(response.is_list);

  std::string mixed =
      R"({"data":[{"type":"api_keys","id":"a","attributes":{}},{"type":"application_keys","id":"b","attributes":{}}]})";
  CHECK_THROWS_WITH(parse_api_response(mixed, "mixed.json"),
                    Catch::Contains("mixed.json: mixes API keys and application keys"));
}

TEST_CASE("an API response's fields are type-checked, never coerced") {
  std::string numeric_id = R"({"data": [{"type": "api_keys", "id": 17, "attributes": {}}]})";
  CHECK_THROWS_WITH(
      parse_api_response(numeric_id, "keys.json"),
      Catch::Contains("keys.json: record 0: field 'id' is number, expected a string"));
  std::string bad_date =
      R"({"data": {"type": "api_keys", "id": "k", "attributes": {"created_at": "soon"}}})";
  CHECK_THROWS_WITH(parse_api_response(bad_date, "one.json"),
                    Catch::Contains("one.json: record 0 (id k): field 'attributes.created_at' "
                                    "'soon' is not an RFC 3339 date"));
  std::string bad_count = R"({"data": [], "meta": {"page": {"total_count": -1}}})";
  CHECK_THROWS_WITH(
      parse_api_response(bad_count, "page.json"),
      Catch::Contains("field 'meta.page.total_count' is number, expected a whole number"));
  std::string rum =
      R"({"data": {"type": "rum_application", "id": "r", "attributes": {"created_at": 1700000000000}}})";
  CHECK(parse_api_response(rum, "rum.json").records.at(0).created_at == "2023-11-14T22:13:20Z");
}

TEST_CASE("a found secret is matched by hash, then last4, then public portion") {
  const UnixTime now = *parse_timestamp("2026-06-01T00:00:00Z");
  std::vector<KeyRecord> keys(5);
  keys[0].kind = KeyKind::api_key, keys[0].id = "hashed", keys[0].last4 = "aaaa";
  keys[0].key_sha256 = sha256_hex("0123456789abcdef0123456789abaaaa");
  keys[1].kind = KeyKind::api_key, keys[1].id = "revoked-bbbb", keys[1].last4 = "bbbb",
  keys[1].revoked = true;
  keys[2].kind = KeyKind::api_key, keys[2].id = "active-bbbb", keys[2].last4 = "bbbb";
  keys[3].kind = KeyKind::personal_access_token, keys[3].id = "pat",
  keys[3].public_portion = "ddpat_CiBotDeployer2026x";
  keys[3].expires_at = "2026-05-31T23:59:59Z";
  keys[4].kind = KeyKind::application_key, keys[4].id = "app-aaaa", keys[4].last4 = "aaaa";
  InventoryIndex index(keys, {}, now);

  auto label = [&](const char* type, const std::string& secret) {
    return index.label(type, secret, sha256_hex(secret));
  };
  LivenessLabel hashed = label("api_key", "0123456789abcdef0123456789abaaaa");
  CHECK(hashed.status == Liveness::live);
  CHECK(hashed.evidence == std::vector<std::string>{"hash"});
  // Same last4 as the hashed key, but another value: not that key.
  CHECK(label("api_key", "ffff456789abcdef0123456789abaaaa").status == Liveness::unknown);
  // Two records share a last4: the active one is the one that matters.
  LivenessLabel shared = label("api_key", "ffff456789abcdef0123456789abbbbb");
  CHECK(shared.inventory->id == "active-bbbb");
  CHECK(shared.evidence == std::vector<std::string>{"last4"});
  // last4 only within the same kind.
  CHECK(label("application_key", "ffff456789abcdef0123456789abcdef0123aaaa").inventory->id ==
        "app-aaaa");
  LivenessLabel pat =
      label("personal_access_token",
            "ddpat_CiBotDeployer2026x_Zq3Lp9Xv2Bn8Ck4Md7Rf1Tg6Hj0Ws5Ye3Ua9Io2Pq0aB1cD");
  CHECK(pat.status == Liveness::expired);
  CHECK(pat.evidence == std::vector<std::string>{"public-portion"});
  CHECK(label("personal_access_token",
              "ddpat_SomebodyElse2026xx_Zq3Lp9Xv2Bn8Ck4Md7Rf1Tg6Hj0Ws5Ye3Ua9Io2Pq0aB1cD")
            .status == Liveness::unknown);
  CHECK(index.knows_value("0123456789abcdef0123456789abaaaa"));
  CHECK_FALSE(index.knows_value("0123456789abcdef0123456789abaaab"));
}
