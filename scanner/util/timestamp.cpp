#include "util/timestamp.h"

#include <charconv>
#include <chrono>

namespace keysweep {
namespace {

bool read_number(std::string_view text, std::size_t at, std::size_t digits, int& value) {
  if (at + digits > text.size()) return false;
  auto [end, error] = std::from_chars(text.data() + at, text.data() + at + digits, value);
  return error == std::errc() && end == text.data() + at + digits;
}

// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(int year, unsigned month, unsigned day) {
  year -= month <= 2;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned year_of_era = unsigned(year - era * 400);
  const unsigned day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + std::int64_t(day_of_era) - 719468;
}

}  // namespace

std::optional<UnixTime> parse_timestamp(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_number(text, 0, 4, year) || text.size() < 10 || text[4] != '-' || text[7] != '-' ||
      !read_number(text, 5, 2, month) || !read_number(text, 8, 2, day) || month < 1 || month > 12 ||
      day < 1 || day > 31) {
    return std::nullopt;
  }
  std::size_t at = 10;
  if (at < text.size() && (text[at] == 'T' || text[at] == 't' || text[at] == ' ')) {
    if (!read_number(text, at + 1, 2, hour) || text.size() < at + 9 || text[at + 3] != ':' ||
        !read_number(text, at + 4, 2, minute) || text[at + 6] != ':' ||
        !read_number(text, at + 7, 2, second)) {
      return std::nullopt;
    }
    at += 9;
    if (at < text.size() && text[at] == '.') {
      ++at;
      while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
    }
  }
  int offset = 0;
  if (at < text.size()) {
    char sign = text[at];
    if (sign == 'Z' || sign == 'z') {
      ++at;
    } else if (sign == '+' || sign == '-') {
      int offset_hours = 0, offset_minutes = 0;
      if (!read_number(text, at + 1, 2, offset_hours)) return std::nullopt;
      std::size_t minutes_at = at + 3 < text.size() && text[at + 3] == ':' ? at + 4 : at + 3;
      if (!read_number(text, minutes_at, 2, offset_minutes)) return std::nullopt;
      offset = (offset_hours * 60 + offset_minutes) * 60 * (sign == '-' ? -1 : 1);
      at = minutes_at + 2;
    }
  }
  if (at != text.size()) return std::nullopt;
  return days_from_civil(year, unsigned(month), unsigned(day)) * 86400 + hour * 3600 + minute * 60 +
         second - offset;
}

std::string format_timestamp(UnixTime time) {
  std::int64_t days = time >= 0 ? time / 86400 : (time - 86399) / 86400;
  std::int64_t seconds = time - days * 86400;
  // civil_from_days (Howard Hinnant).
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned day_of_era = unsigned(days - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned mp = (5 * day_of_year + 2) / 153;
  const unsigned day = day_of_year - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = std::int64_t(year_of_era) + era * 400 + (month <= 2);
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", (long long)year,
                month, day, (long long)(seconds / 3600), (long long)(seconds / 60 % 60),
                (long long)(seconds % 60));
  return buffer;
}

UnixTime current_time() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace keysweep
