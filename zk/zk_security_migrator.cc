#include "zk/zk_security_migrator.h"

#include "zk/zk_data.h"
#include "zk/zk_errc.h"
#include "zk/zookeeper_client.h"

#include <vector>

namespace samsa::zk {

namespace {

// Kafka's ZkData.SecureRootPaths (2.8) and the ACL stores' paths.
const std::vector<std::string>& secure_root_paths() {
    static const std::vector<std::string> paths = {"/admin",
                                                   "/brokers",
                                                   "/cluster",
                                                   "/config",
                                                   "/controller",
                                                   "/controller_epoch",
                                                   "/isr_change_notification",
                                                   "/latest_producer_id_block",
                                                   "/log_dir_event_notification",
                                                   "/delegation_token",
                                                   "/feature",
                                                   "/kafka-acl",
                                                   "/kafka-acl-changes",
                                                   "/kafka-acl-extended",
                                                   "/kafka-acl-extended-changes"};
    return paths;
}

class Migrator {
  public:
    Migrator(ZooKeeperClient& zk, ZkAclMode mode, const std::function<void(int64_t)>& progress)
        : zk_(zk), secure_(mode == ZkAclMode::secure), progress_(progress) {}

    // Sets `path` and everything under it; a znode deleted meanwhile is skipped.
    result<void> walk(const std::string& path) {
        auto set = zk_.set_acl(path, ZkData::default_acls(secure_, path), -1);
        if (!set) {
            return set.error() == Errc::no_node ? success() : set;
        }
        if (++count_ % 1000 == 0 && progress_) {
            progress_(count_);
        }
        auto children = zk_.get_children(path);
        if (!children) {
            return children.error() == Errc::no_node ? success() : result<void>(children.error());
        }
        for (const auto& child : children.value().children) {
            SAMSA_TRY(walk(path + "/" + child));
        }
        return success();
    }

    int64_t count() const { return count_; }

  private:
    ZooKeeperClient& zk_;
    const bool secure_;
    const std::function<void(int64_t)>& progress_;
    int64_t count_ = 0;
};

}  // namespace

result<int64_t> migrate_znode_acls(ZooKeeperClient& zk, ZkAclMode mode,
                                   const std::function<void(int64_t)>& progress) {
    Migrator migrator(zk, mode, progress);
    for (const auto& root : secure_root_paths()) {
        SAMSA_TRY(migrator.walk(root));
    }
    return migrator.count();
}

}  // namespace samsa::zk
