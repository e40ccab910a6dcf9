#include "shopping_cart/peer_control.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

namespace shopping_cart {

std::string PeerControl::read(const std::string& name, const char* extension) const {
  const std::filesystem::path file = dir_ / (name + extension);
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) throw std::runtime_error("cannot read " + file.string());
  return text.str();
}

pid_t PeerControl::kill(const std::string& name) const {
  const std::string text = read(name, ".pid");
  const long pid = std::strtol(text.c_str(), nullptr, 10);
  if (pid <= 1) throw std::runtime_error(name + ".pid holds no process id");
  ::kill(static_cast<pid_t>(pid), SIGKILL);
  return static_cast<pid_t>(pid);
}

pid_t PeerControl::start(const std::string& name) const {
  // "exec" makes the shell become the peer, so the recorded pid is the peer's own.
  const std::string command = "exec " + read(name, ".cmd");
  const std::string log = (dir_ / (name + ".log")).string();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::setsid();
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int in = ::open("/dev/null", O_RDONLY);
    if (out < 0 || in < 0) ::_exit(127);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::ofstream(dir_ / (name + ".pid")) << pid << "\n";
  return pid;
}

bool accepts_connections(const std::string& address) {
  const auto colon = address.rfind(':');
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  std::error_code ec;
  std::string host = address.substr(0, colon);
  if (host == "localhost") host = "127.0.0.1";
  const auto ip = asio::ip::make_address(host, ec);
  if (ec) return false;
  const auto port = static_cast<std::uint16_t>(std::stoul(address.substr(colon + 1)));
  socket.connect({ip, port}, ec);
  return !ec;
}

}  // namespace shopping_cart
