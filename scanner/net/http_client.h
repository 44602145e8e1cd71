#pragma once
// HTTPS GET with libcurl, retried with backoff on 429, 5xx and transport
// errors. Credentials travel only in headers, never in URLs, and no header
// value ever appears in an error message. Redirects are not followed, so a
// key is never forwarded to a host nobody chose.

#include <chrono>
#include <string>
#include <vector>

namespace keysweep {

struct HttpResponse {
  long status = 0;  // 0: no HTTP answer (see `error`)
  std::string body;
  std::string error;  // transport error, without secrets
  int attempts = 0;
};

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds timeout{20000};
  int retries = 3;                               // after the first attempt
  std::chrono::milliseconds first_backoff{500};  // doubled on each retry
  std::chrono::milliseconds max_wait{30000};     // cap on Retry-After / rate-limit waits
};

class HttpClient {
 public:
  explicit HttpClient(HttpOptions options = {});

  /// GETs `url` with `headers` ("Name: value"). Retries 429, 5xx and
  /// transport errors, honouring Retry-After and X-RateLimit-Reset.
  HttpResponse get(const std::string& url, const std::vector<std::string>& headers) const;

 private:
  HttpOptions options_;
};

}  // namespace keysweep
