// TlsTransport on loopback: mutual authentication against the cluster CA.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

#include "dynamo/instances/tls_stream.hpp"
#include "net/net_support.hpp"

using namespace dynamo;
using namespace std::chrono_literals;

namespace {

// A cluster CA with certificates for a and b, and a certificate from an unrelated CA.
struct TestCertificates {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("dynamo-tls-" + std::to_string(::getpid()));
  TestCertificates() {
    const std::string make = "bash " DYNAMO_SOURCE_DIR "/scripts/make-test-ca.sh " +
                             dir.string() + " a b > " + (dir.string() + ".log") + " 2>&1";
    REQUIRE(std::system(make.c_str()) == 0);
  }
  ~TestCertificates() {
    std::filesystem::remove_all(dir);
    std::filesystem::remove(dir.string() + ".log");
  }
  TlsConfig for_member(const std::string& name) const {
    return {(dir / "ca.pem").string(), (dir / (name + ".pem")).string(),
            (dir / (name + ".key")).string()};
  }
  // Trusts the cluster CA but holds a certificate from the other CA.
  TlsConfig foreign() const {
    return {(dir / "ca.pem").string(), (dir / "foreign.pem").string(),
            (dir / "foreign.key").string()};
  }
};

struct TlsEndpoint {
  TlsTransport transport;
  std::vector<std::string> received;
  TlsEndpoint(asio::io_context& io, const std::string& name, const TlsConfig& tls)
      : transport(io.get_executor(), config(name), tls) {
    transport.on_receive([this](std::string_view, std::string_view f) { received.emplace_back(f); });
  }
  static StreamTransportConfig config(const std::string& name) {
    StreamTransportConfig c;
    c.name = name;
    c.listen = "127.0.0.1:0";
    c.handshake_timeout = 2s;
    return c;
  }
};

std::string hello_from(const std::string& name) {
  return wire::encode_frame(wire::Hello{wire::protocol_version, "dynamo", name, {}, "r", 1, false});
}

}  // namespace

TEST_CASE("members with certificates from the cluster CA talk over TLS", "[net][tls]") {
  TestCertificates certs;
  asio::io_context io;
  TlsEndpoint a(io, "a", certs.for_member("a")), b(io, "b", certs.for_member("b"));
  a.transport.add_peer("b", "127.0.0.1:" + std::to_string(b.transport.local_port()));
  a.transport.send("b", hello_from("a"));
  a.transport.send("b", wire::encode_frame(wire::ReplicaRead{1, "k"}));
  REQUIRE(test::run_until(io, [&] { return b.received.size() == 2; }));
  CHECK(b.transport.stats().handshake_failures == 0);
}

TEST_CASE("a peer with another CA's certificate is refused", "[net][tls]") {
  TestCertificates certs;
  asio::io_context io;
  TlsEndpoint b(io, "b", certs.for_member("b"));
  TlsEndpoint mallory(io, "mallory", certs.foreign());
  mallory.transport.add_peer("b", "127.0.0.1:" + std::to_string(b.transport.local_port()));
  mallory.transport.send("b", hello_from("mallory"));
  REQUIRE(test::run_until(io, [&] { return b.transport.stats().handshake_failures >= 1; }));
  io.restart();
  io.run_for(200ms);
  CHECK(b.received.empty());
}

TEST_CASE("a plain TCP peer is refused by a TLS node", "[net][tls]") {
  TestCertificates certs;
  asio::io_context io;
  TlsEndpoint b(io, "b", certs.for_member("b"));
  StreamTransportConfig plain_config = TlsEndpoint::config("plain");
  TcpTransport plain(io.get_executor(), plain_config);
  plain.add_peer("b", "127.0.0.1:" + std::to_string(b.transport.local_port()));
  plain.send("b", hello_from("plain"));
  REQUIRE(test::run_until(io, [&] { return b.transport.stats().handshake_failures >= 1; }));
  CHECK(b.received.empty());
}

TEST_CASE("a missing certificate file is a start-up error naming the file", "[net][tls]") {
  asio::io_context io;
  try {
    TlsTransport t(io.get_executor(), TlsEndpoint::config("x"), TlsConfig{"/nonexistent/ca.pem", "", ""});
    FAIL("a missing CA file was accepted");
  } catch (const std::system_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("/nonexistent/ca.pem"));
  }
}
