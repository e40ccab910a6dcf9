#pragma once
// LogFile: one open segment or index file, by file descriptor. Appends go through write(2) at
// once, so a record is in the OS page cache (and survives a process crash) when append returns;
// sync() is fdatasync(2). Errors at open throw; errors later are returned, never thrown.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace dynamo::storage {

class LogFile {
 public:
  enum class Mode { read, append };

  // Opens (creating for append) the file; throws std::system_error naming it.
  LogFile(const std::filesystem::path& path, Mode mode);
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;
  ~LogFile();

  // Appends every byte or reports why not; the file's size grows by what was written.
  std::error_code append(std::string_view bytes);
  // Reads exactly n bytes at offset into out.
  std::error_code read_at(std::uint64_t offset, std::size_t n, std::string& out) const;
  std::error_code sync();
  std::error_code truncate(std::uint64_t size);

  std::uint64_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

// Writes bytes to path through a temporary file, fdatasync and rename, so readers see the whole
// file or none of it.
std::error_code write_file_atomically(const std::filesystem::path& path, std::string_view bytes);
// Reads a whole file; an error if it cannot.
std::error_code read_whole_file(const std::filesystem::path& path, std::string& out);
// fsyncs a directory, so that files created or renamed in it survive a power failure.
std::error_code sync_directory(const std::filesystem::path& dir);

}  // namespace dynamo::storage
