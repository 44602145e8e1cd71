#include "net/http_client.h"

#include <curl/curl.h>
#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "keysweep_config.h"
#include "util/error.h"

namespace keysweep {
namespace {

// libcurl is loaded when the first request is made, not when keysweep
// starts: it and the ~30 libraries it pulls in cost ~5 ms of dynamic linking,
// which a pre-commit scan (that never touches the network) should not pay.
struct Curl {
  decltype(&curl_global_init) global_init;
  decltype(&curl_easy_init) easy_init;
  decltype(&curl_easy_setopt) easy_setopt;
  decltype(&curl_easy_perform) easy_perform;
  decltype(&curl_easy_getinfo) easy_getinfo;
  decltype(&curl_easy_strerror) easy_strerror;
  decltype(&curl_easy_cleanup) easy_cleanup;
  decltype(&curl_slist_append) slist_append;
  decltype(&curl_slist_free_all) slist_free_all;
};

template <typename Function>
void resolve(void* library, const char* name, Function& function) {
  function = reinterpret_cast<Function>(::dlsym(library, name));
  if (!function) throw RuntimeFailure(std::string("libcurl.so.4 has no ") + name);
}

const Curl& curl_library() {
  static const Curl curl = [] {
    void* library = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
      throw RuntimeFailure(std::string("cannot load libcurl (install libcurl4): ") + ::dlerror());
    }
    Curl loaded{};
    resolve(library, "curl_global_init", loaded.global_init);
    resolve(library, "curl_easy_init", loaded.easy_init);
    resolve(library, "curl_easy_setopt", loaded.easy_setopt);
    resolve(library, "curl_easy_perform", loaded.easy_perform);
    resolve(library, "curl_easy_getinfo", loaded.easy_getinfo);
    resolve(library, "curl_easy_strerror", loaded.easy_strerror);
    resolve(library, "curl_easy_cleanup", loaded.easy_cleanup);
    resolve(library, "curl_slist_append", loaded.slist_append);
    resolve(library, "curl_slist_free_all", loaded.slist_free_all);
    loaded.global_init(CURL_GLOBAL_DEFAULT);
    return loaded;
  }();
  return curl;
}

struct Exchange {
  std::string body;
  long wait_seconds = -1;  // from Retry-After or X-RateLimit-Reset
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* context) {
  static_cast<Exchange*>(context)->body.append(data, size * count);
  return size * count;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* context) {
  std::string_view line(data, size * count);
  auto* exchange = static_cast<Exchange*>(context);
  for (std::string_view name :
       {std::string_view("retry-after:"), std::string_view("x-ratelimit-reset:")}) {
    if (line.size() > name.size() &&
        std::equal(name.begin(), name.end(), line.begin(), [](char a, char b) {
          return a == std::tolower(static_cast<unsigned char>(b));
        })) {
      long seconds = std::strtol(std::string(line.substr(name.size())).c_str(), nullptr, 10);
      if (seconds >= 0) exchange->wait_seconds = std::max(exchange->wait_seconds, seconds);
    }
  }
  return size * count;
}

bool worth_retrying(const HttpResponse& response) {
  return response.status == 0 || response.status == 429 || response.status >= 500;
}

}  // namespace

HttpClient::HttpClient(HttpOptions options) : options_(options) {}

HttpResponse HttpClient::get(const std::string& url,
                             const std::vector<std::string>& headers) const {
  const Curl& api = curl_library();
  HttpResponse response;
  std::chrono::milliseconds backoff = options_.first_backoff;
  for (int attempt = 0; attempt <= options_.retries; ++attempt) {
    CURL* curl = api.easy_init();
    if (!curl) {
      response.error = "libcurl could not start a request";
      return response;
    }
    curl_slist* header_list = nullptr;
    for (const std::string& header : headers)
      header_list = api.slist_append(header_list, header.c_str());
    header_list = api.slist_append(header_list, "Accept: application/json");
    Exchange exchange;
    api.easy_setopt(curl, CURLOPT_URL, url.c_str());
    api.easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
    api.easy_setopt(curl, CURLOPT_USERAGENT, "keysweep/" KEYSWEEP_VERSION);
    api.easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    api.easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http");
    api.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    api.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, long(options_.connect_timeout.count()));
    api.easy_setopt(curl, CURLOPT_TIMEOUT_MS, long(options_.timeout.count()));
    api.easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    api.easy_setopt(curl, CURLOPT_WRITEDATA, &exchange);
    api.easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    api.easy_setopt(curl, CURLOPT_HEADERDATA, &exchange);
    CURLcode code = api.easy_perform(curl);
    response = HttpResponse{};
    response.attempts = attempt + 1;
    if (code == CURLE_OK) {
      api.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
      response.body = std::move(exchange.body);
    } else {
      response.error = api.easy_strerror(code);
    }
    api.slist_free_all(header_list);
    api.easy_cleanup(curl);

    if (!worth_retrying(response) || attempt == options_.retries) break;
    std::chrono::milliseconds wait = backoff;
    if (exchange.wait_seconds >= 0) wait = std::chrono::seconds(exchange.wait_seconds);
    std::this_thread::sleep_for(std::min(wait, options_.max_wait));
    backoff *= 2;
  }
  return response;
}

}  // namespace keysweep
