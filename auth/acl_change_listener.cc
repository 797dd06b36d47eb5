#include "auth/acl_change_listener.h"

#include "auth/acl_json.h"
#include "common/logging.h"
#include "zk/kafka_zk_client.h"
#include "zk/zk_handlers.h"
#include "zk/zookeeper_client.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <string_view>

namespace samsa::auth {

namespace {

auto& logger() {
    static auto l = get_logger("auth");
    return *l;
}

// Kafka's ZkNodeChangeNotificationListener.DefaultExpirationMs.
constexpr std::chrono::milliseconds kChangeExpiration = std::chrono::minutes(15);

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

class ChildWatch final : public zk::ZNodeChildChangeHandler {
  public:
    ChildWatch(std::string path, std::function<void()> f)
        : ZNodeChildChangeHandler(std::move(path)), f_(std::move(f)) {}
    void on_child_change() override { f_(); }

  private:
    std::function<void()> f_;
};

class SessionWatch final : public zk::StateChangeHandler {
  public:
    SessionWatch(std::string name, std::function<void()> f)
        : StateChangeHandler(std::move(name)), f_(std::move(f)) {}
    void after_initializing_session() override { f_(); }

  private:
    std::function<void()> f_;
};

}  // namespace

// What the watch callbacks reach: they may run after the listener is gone.
struct AclChangeListener::Shared {
    zk::KafkaZkClient& zk;
    AclChangeListener::Executor executor;
    AclChangeListener::OnChange on_change;
    std::mutex mu;  // serialises processing; guards the rest
    bool closed = false;
    std::array<int64_t, 2> last_executed{-1, -1};  // per store: literal, prefixed
};

AclChangeListener::AclChangeListener(zk::KafkaZkClient& zk, Executor executor, OnChange on_change)
    : zk_(zk),
      shared_(std::make_shared<Shared>(zk, std::move(executor), std::move(on_change))),
      session_handler_name_("acl-change-listener-" +
                            std::to_string(reinterpret_cast<uintptr_t>(this))) {}

AclChangeListener::~AclChangeListener() {
    close();
}

result<void> AclChangeListener::start() {
    auto& client = zk_.zookeeper_client();
    for (const bool prefixed : {false, true}) {
        std::weak_ptr<Shared> weak = shared_;
        client.register_znode_child_change_handler(
            std::make_shared<ChildWatch>(zk::AclZNodes::change_path(prefixed),
                                         [weak, prefixed] {
                                             if (auto s = weak.lock()) {
                                                 schedule(s, prefixed);
                                             }
                                         }),
            shared_->executor);
    }
    std::weak_ptr<Shared> weak = shared_;
    client.register_state_change_handler(
        std::make_shared<SessionWatch>(session_handler_name_, [weak] {
            if (auto s = weak.lock()) {
                schedule(s, false);
                schedule(s, true);
            }
        }));
    for (const bool prefixed : {false, true}) {
        process(*shared_, prefixed);
    }
    return success();
}

void AclChangeListener::close() {
    {
        std::lock_guard lock(shared_->mu);
        if (shared_->closed) {
            return;
        }
        shared_->closed = true;
    }
    auto& client = zk_.zookeeper_client();
    client.unregister_znode_child_change_handler(zk::AclZNodes::change_path(false));
    client.unregister_znode_child_change_handler(zk::AclZNodes::change_path(true));
    client.unregister_state_change_handler(session_handler_name_);
}

void AclChangeListener::schedule(const std::shared_ptr<Shared>& shared, bool prefixed) {
    shared->executor([shared, prefixed] { process(*shared, prefixed); });
}

// Kafka's processNotifications: every notification newer than the last one processed, in
// sequence order, then the purge. Listing the children re-arms the watch.
void AclChangeListener::process(Shared& shared, bool prefixed) {
    std::lock_guard lock(shared.mu);
    if (shared.closed) {
        return;
    }
    const std::string root = zk::AclZNodes::change_path(prefixed);
    auto children = shared.zk.get_children(root, /*watch=*/true);
    if (!children) {
        logger().warn("cannot list ACL change notifications in {}: {}", root,
                      children.error().message());
        return;
    }
    std::vector<std::string> sorted = std::move(children).value();
    std::sort(sorted.begin(), sorted.end());  // fixed-width sequence numbers
    int64_t& last = shared.last_executed[prefixed ? 1 : 0];
    for (const std::string& child : sorted) {
        if (!child.starts_with(zk::AclZNodes::kChangePrefix)) {
            continue;
        }
        const std::string_view digits =
            std::string_view(child).substr(zk::AclZNodes::kChangePrefix.size());
        int64_t seq = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
        if (ec == std::errc() && end == digits.data() + digits.size() && seq > last) {
            process_one(shared, prefixed, root + "/" + child);
            last = seq;
        }
    }
    purge_obsolete(shared, prefixed, sorted);
}

void AclChangeListener::process_one(Shared& shared, bool prefixed, const std::string& path) {
    auto node = shared.zk.zookeeper_client().get_data(path);
    if (!node) {
        if (node.error() != zk::Errc::no_node) {
            logger().warn("cannot read ACL change notification {}: {}", path,
                          node.error().message());
        }
        return;
    }
    const std::string data = node.value().data.value_or("");
    auto pattern = prefixed ? decode_extended_acl_change(data) : decode_literal_acl_change(data);
    if (!pattern) {
        logger().warn("ignoring malformed ACL change notification {}: '{}'", path, data);
        return;
    }
    logger().debug("processing ACL change notification {} for {}", path,
                   to_string(pattern.value()));
    shared.on_change(pattern.value());
}

void AclChangeListener::purge_obsolete(Shared& shared, bool prefixed,
                                       const std::vector<std::string>& children) {
    auto& client = shared.zk.zookeeper_client();
    const int64_t now = now_ms();
    for (const std::string& child : children) {
        const std::string path = zk::AclZNodes::change_path(prefixed) + "/" + child;
        auto stat = client.exists(path);
        if (stat && stat.value() && now - stat.value()->ctime > kChangeExpiration.count()) {
            (void)client.delete_node(zk::DeleteOp{path, stat.value()->version});
        }
    }
}

}  // namespace samsa::auth
