#include "zk/zk_errc.h"

#include <zookeeper/zookeeper.h>

#include <string>

namespace samsa::zk {
namespace {

// The enum mirrors the C client's values; a new ZooKeeper release must not move them silently.
static_assert(static_cast<int>(Errc::system_error) == ZSYSTEMERROR);
static_assert(static_cast<int>(Errc::connection_loss) == ZCONNECTIONLOSS);
static_assert(static_cast<int>(Errc::marshalling_error) == ZMARSHALLINGERROR);
static_assert(static_cast<int>(Errc::operation_timeout) == ZOPERATIONTIMEOUT);
static_assert(static_cast<int>(Errc::invalid_state) == ZINVALIDSTATE);
static_assert(static_cast<int>(Errc::ssl_connection_error) == ZSSLCONNECTIONERROR);
static_assert(static_cast<int>(Errc::no_node) == ZNONODE);
static_assert(static_cast<int>(Errc::no_auth) == ZNOAUTH);
static_assert(static_cast<int>(Errc::bad_version) == ZBADVERSION);
static_assert(static_cast<int>(Errc::no_children_for_ephemerals) == ZNOCHILDRENFOREPHEMERALS);
static_assert(static_cast<int>(Errc::node_exists) == ZNODEEXISTS);
static_assert(static_cast<int>(Errc::not_empty) == ZNOTEMPTY);
static_assert(static_cast<int>(Errc::session_expired) == ZSESSIONEXPIRED);
static_assert(static_cast<int>(Errc::invalid_acl) == ZINVALIDACL);
static_assert(static_cast<int>(Errc::auth_failed) == ZAUTHFAILED);
static_assert(static_cast<int>(Errc::closing) == ZCLOSING);
static_assert(static_cast<int>(Errc::session_moved) == ZSESSIONMOVED);
static_assert(static_cast<int>(Errc::no_watcher) == ZNOWATCHER);
static_assert(static_cast<int>(Errc::throttled_op) == ZTHROTTLEDOP);

class ZkCategory final : public std::error_category {
  public:
    const char* name() const noexcept override { return "zookeeper"; }

    std::string message(int value) const override {
        switch (static_cast<Errc>(value)) {
            case Errc::ok:
                return "ok";
            case Errc::connection_timeout:
                return "timed out waiting for connection to ZooKeeper";
            case Errc::malformed_data:
                return "znode data is not in Kafka's format";
            case Errc::controller_moved:
                return "controller epoch zkVersion check failed: the controller moved";
            case Errc::topic_already_exists:
                return "topic already exists";
            default:
                break;
        }
        // zerror() knows every ZooKeeper code and answers "unknown error" for the rest.
        return std::string(zerror(value)) + " (" + std::to_string(value) + ")";
    }
};

}  // namespace

const std::error_category& zk_category() noexcept {
    static const ZkCategory category;
    return category;
}

std::error_code make_zk_error(int rc) noexcept {
    if (rc == ZOK) {
        return {};
    }
    return {rc, zk_category()};
}

}  // namespace samsa::zk
