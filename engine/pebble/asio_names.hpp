// The Boost.Asio/Beast names the Pebble transport (server.cpp) and its socket tests speak in:
// HTTP/1.1 and websockets over unix sockets.
#pragma once

#include <utility>  // before Boost: 1.74's awaitable.hpp uses std::exchange unincluded

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace scenario::pebble::asio_names {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using unix_socket = net::local::stream_protocol::socket;
using unix_acceptor = net::local::stream_protocol::acceptor;

}  // namespace scenario::pebble::asio_names
