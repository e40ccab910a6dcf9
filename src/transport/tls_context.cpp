#include <system_error>

#include "dynamo/transport/tls_transport.hpp"

namespace dynamo::detail {
namespace {

void load(const std::string& what, const std::string& file, const std::function<void()>& step) {
  try {
    step();
  } catch (const std::system_error& e) {
    throw std::system_error(e.code(), "cannot load TLS " + what + " \"" + file + "\"");
  }
}

}  // namespace

std::shared_ptr<asio::ssl::context> make_tls_context(const TlsConfig& tls) {
  auto context = std::make_shared<asio::ssl::context>(
      tls.allow_tls12 ? asio::ssl::context::tls : asio::ssl::context::tlsv13);
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1 |
                       (tls.allow_tls12 ? 0 : asio::ssl::context::no_tlsv1_2));
  // Both ends must present a certificate from the cluster CA.
  context->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
  load("CA", tls.ca_file, [&] { context->load_verify_file(tls.ca_file); });
  load("certificate", tls.cert_file, [&] { context->use_certificate_chain_file(tls.cert_file); });
  load("key", tls.key_file,
       [&] { context->use_private_key_file(tls.key_file, asio::ssl::context::pem); });
  return context;
}

}  // namespace dynamo::detail
