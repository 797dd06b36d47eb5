#pragma once
// A real ZooKeeper per test, and helpers to connect samsa::zk clients to it.

#include "tests/support/zookeeper_server.h"
#include "zk/kafka_zk_client.h"
#include "zk/zookeeper_client.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace samsa::test {

class ZkServerTest : public ::testing::Test {
  protected:
    void SetUp() override { server_ = std::make_unique<ZooKeeperServer>(); }
    void TearDown() override { server_.reset(); }

    zk::ZooKeeperClientOptions options(const std::string& chroot = "") const {
        zk::ZooKeeperClientOptions o;
        o.connect_string = server_->connect_string() + chroot;
        o.session_timeout_ms = 10000;
        o.connection_timeout_ms = 15000;
        return o;
    }

    std::unique_ptr<zk::ZooKeeperClient> connect(zk::ZooKeeperClientOptions o) const {
        auto client = zk::ZooKeeperClient::connect(std::move(o));
        if (!client) {
            throw std::runtime_error("connect failed: " + client.error().message());
        }
        return std::move(client).value();
    }
    std::unique_ptr<zk::ZooKeeperClient> connect() const { return connect(options()); }

    std::unique_ptr<ZooKeeperServer> server_;
};

}  // namespace samsa::test
