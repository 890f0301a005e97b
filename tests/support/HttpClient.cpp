#include "tests/support/HttpClient.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/http.hpp>

namespace iris::test
{
namespace
{
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

constexpr const char* kHost = "127.0.0.1";

std::string basicCredentials(const std::string& user, const std::string& password)
{
  const std::string plain = user + ":" + password;
  std::string encoded(beast::detail::base64::encoded_size(plain.size()), '\0');
  encoded.resize(beast::detail::base64::encode(encoded.data(), plain.data(), plain.size()));
  return "Basic " + encoded;
}
} // namespace

nlohmann::json HttpResponse::json() const
{
  return nlohmann::json::parse(body);
}

HttpClient::HttpClient(int port, std::string user, std::string password)
    : port_(port), user_(std::move(user)), password_(std::move(password))
{
}

HttpResponse HttpClient::get(const std::string& target) const
{
  return request("GET", target, {}, {});
}

HttpResponse HttpClient::post(const std::string& target, const std::string& body,
                              const std::string& contentType) const
{
  return request("POST", target, body, contentType);
}

HttpResponse HttpClient::put(const std::string& target, const std::string& body,
                             const std::string& contentType) const
{
  return request("PUT", target, body, contentType);
}

HttpResponse HttpClient::remove(const std::string& target) const
{
  return request("DELETE", target, {}, {});
}

HttpResponse HttpClient::request(const std::string& method, const std::string& target,
                                 const std::string& body, const std::string& contentType) const
{
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(300));
  stream.connect(tcp::endpoint(boost::asio::ip::make_address(kHost),
                               static_cast<unsigned short>(port_)));

  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, std::string(kHost) + ":" + std::to_string(port_));
  if (!user_.empty())
  {
    req.set(http::field::authorization, basicCredentials(user_, password_));
  }
  if (!contentType.empty())
  {
    req.set(http::field::content_type, contentType);
  }
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1ull << 30);
  http::read(stream, buffer, parser);
  const auto& res = parser.get();

  HttpResponse response;
  response.status = static_cast<int>(res.result_int());
  response.body = res.body();
  for (const auto& field : res)
  {
    response.headers[std::string(field.name_string())] = std::string(field.value());
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return response;
}
} // namespace iris::test
