#pragma once
// The console page's files (broker/console/assets), embedded in the binary at build time by
// embed_assets.cmake into console_assets.cc, so the page needs no file and no network.

#include <string_view>

namespace samsa::console {

struct Asset {
    std::string_view name;  // "console.html"
    std::string_view content_type;
    std::string_view body;
};

// The asset called `name`, or nullptr.
const Asset* find_asset(std::string_view name);

}  // namespace samsa::console
