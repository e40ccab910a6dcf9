#pragma once
// Reading what a peer process wrote to its log, for the multi-process tests.

#include <chrono>
#include <filesystem>
#include <string_view>

namespace dynamo::test {

// Whether `file` contains `text`.
bool file_contains(const std::filesystem::path& file, std::string_view text);

// Waits until `file` contains `text`, or `limit` passes; returns whether it does.
bool wait_for_text(const std::filesystem::path& file, std::string_view text,
                   std::chrono::milliseconds limit);

}  // namespace dynamo::test
