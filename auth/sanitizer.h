#pragma once
// Kafka's Sanitizer (clients/utils/Sanitizer.java): user and client names become znode names
// by URL-encoding them as UTF-8 (Java's URLEncoder: letters, digits and ".-*_" stay, a space is
// '+', everything else %XX), then '*' -> "%2A" and '+' -> "%20". desanitize reverses it.

#include <optional>
#include <string>
#include <string_view>

namespace samsa::auth {

std::string sanitize(std::string_view name);
// nullopt for a malformed %-escape.
std::optional<std::string> desanitize(std::string_view name);

}  // namespace samsa::auth
