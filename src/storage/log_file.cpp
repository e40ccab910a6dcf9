#include "storage/log_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace dynamo::storage {
namespace {

std::error_code last_error() { return {errno, std::system_category()}; }

}  // namespace

LogFile::LogFile(const std::filesystem::path& path, Mode mode) : path_(path) {
  const int flags = mode == Mode::append ? (O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC)
                                         : (O_RDONLY | O_CLOEXEC);
  fd_ = ::open(path.c_str(), flags, 0644);
  if (fd_ < 0) throw std::system_error(last_error(), "cannot open " + path.string());
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    const auto ec = last_error();
    ::close(fd_);
    throw std::system_error(ec, "cannot stat " + path.string());
  }
  size_ = static_cast<std::uint64_t>(st.st_size);
}

LogFile::~LogFile() {
  if (fd_ >= 0) ::close(fd_);
}

std::error_code LogFile::append(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_error();
    }
    size_ += static_cast<std::uint64_t>(n);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

std::error_code LogFile::read_at(std::uint64_t offset, std::size_t n, std::string& out) const {
  out.resize(n);
  std::size_t done = 0;
  while (done < n) {
    const ssize_t got = ::pread(fd_, out.data() + done, n - done, static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      return last_error();
    }
    if (got == 0) return std::make_error_code(std::errc::io_error);  // past the end
    done += static_cast<std::size_t>(got);
  }
  return {};
}

std::error_code LogFile::sync() {
  if (::fdatasync(fd_) != 0) return last_error();
  return {};
}

std::error_code LogFile::truncate(std::uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return last_error();
  size_ = size;
  return {};
}

std::error_code write_file_atomically(const std::filesystem::path& path, std::string_view bytes) {
  auto tmp = path;
  tmp += ".tmp";
  std::error_code ec;
  std::filesystem::remove(tmp, ec);
  try {
    LogFile file(tmp, LogFile::Mode::append);
    if ((ec = file.append(bytes))) return ec;
    if ((ec = file.sync())) return ec;
  } catch (const std::system_error& e) {
    return e.code();
  }
  std::filesystem::rename(tmp, path, ec);
  return ec;
}

std::error_code read_whole_file(const std::filesystem::path& path, std::string& out) {
  try {
    LogFile file(path, LogFile::Mode::read);
    return file.read_at(0, static_cast<std::size_t>(file.size()), out);
  } catch (const std::system_error& e) {
    return e.code();
  }
}

std::error_code sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return last_error();
  std::error_code ec;
  if (::fsync(fd) != 0) ec = last_error();
  ::close(fd);
  return ec;
}

}  // namespace dynamo::storage
