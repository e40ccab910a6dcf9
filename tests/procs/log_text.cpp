#include "procs/log_text.hpp"

#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace dynamo::test {

bool file_contains(const std::filesystem::path& file, std::string_view text) {
  std::ifstream in(file);
  std::stringstream content;
  content << in.rdbuf();
  return content.str().find(text) != std::string::npos;
}

bool wait_for_text(const std::filesystem::path& file, std::string_view text,
                   std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!file_contains(file, text)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace dynamo::test
