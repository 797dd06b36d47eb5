// KafkaZkClient: fencing of the controller's writes (ZK-MODE §b) and their batching into
// multis. See kafka_zk_client.h.

#include "common/logging.h"
#include "zk/kafka_zk_client.h"

#include <boost/outcome/try.hpp>  // SAMSA_TRY: common/result.h does not include it

#include <algorithm>
#include <cstddef>
#include <utility>
#include <variant>

namespace samsa::zk {
namespace {

spdlog::logger& logger() {
    static const std::shared_ptr<spdlog::logger> instance = get_logger("zk");
    return *instance;
}

}  // namespace

namespace {

// Controller writes go to ZooKeeper as multis of up to this many ops (and bytes, well under
// the server's 1 MB jute.maxbuffer): one transaction per batch instead of one per partition
// is what lets a failover or a controlled shutdown rewrite thousands of state znodes quickly.
constexpr std::size_t kMaxOpsPerMulti = 128;
constexpr std::size_t kMaxBytesPerMulti = 256 * 1024;

std::size_t approximate_size(const Op& op) {
    return std::visit(
        [](const auto& o) -> std::size_t {
            std::size_t size = o.path.size() + 16;
            if constexpr (requires { o.data; }) {
                size += o.data ? o.data->size() : 0;
            }
            return size;
        },
        op);
}

// [begin, end) ranges of `ops`, each within the limits above.
std::vector<std::pair<std::size_t, std::size_t>> batches_of(const std::vector<Op>& ops) {
    std::vector<std::pair<std::size_t, std::size_t>> batches;
    std::size_t begin = 0;
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < ops.size(); ++i) {
        const std::size_t size = approximate_size(ops[i]);
        if (i > begin && (i - begin == kMaxOpsPerMulti || bytes + size > kMaxBytesPerMulti)) {
            batches.emplace_back(begin, i);
            begin = i;
            bytes = 0;
        }
        bytes += size;
    }
    if (begin < ops.size()) {
        batches.emplace_back(begin, ops.size());
    }
    return batches;
}

}  // namespace

result<std::vector<std::vector<OpResult>>> KafkaZkClient::multis(
    const std::vector<std::vector<Op>>& groups, int32_t epoch_zk_version) {
    const bool check = epoch_zk_version != kMatchAnyVersion;
    auto responses = zk_.call_all<MultiResponse>(
        groups.size(), [&](std::size_t i, const Executor& ex, Callback<MultiResponse> cb) {
            std::vector<Op> multi;
            multi.reserve(groups[i].size() + 1);
            if (check) {
                multi.push_back(CheckOp{ControllerEpochZNode::path(), epoch_zk_version});
            }
            multi.insert(multi.end(), groups[i].begin(), groups[i].end());
            zk_.async_multi(std::move(multi), ex, std::move(cb));
        });
    std::vector<std::vector<OpResult>> out;
    out.reserve(responses.size());
    for (MultiResponse& response : responses) {
        if (response.results.empty()) {
            return response.ec ? response.ec : make_error_code(Errc::marshalling_error);
        }
        if (check) {
            const std::error_code check_ec = response.results.front().ec;
            if (check_ec == Errc::bad_version) {
                logger().warn(
                    "Controller epoch zkVersion check failed (expected {}): the "
                    "controller moved",
                    epoch_zk_version);
                return Errc::controller_moved;
            }
            if (check_ec && check_ec != Errc::runtime_inconsistency) {
                return check_ec;
            }
            response.results.erase(response.results.begin());
        }
        out.push_back(std::move(response.results));
    }
    return out;
}

result<std::vector<OpResult>> KafkaZkClient::fenced(std::vector<Op> ops, int32_t epoch_zk_version) {
    // Batched first. A multi is all or nothing, so a batch in which one op failed (another
    // writer changed a state znode: bad_version) applied nothing; its ops are then sent one by
    // one, pipelined, which gives each its own result as Kafka's per-partition writes do.
    const auto batches = batches_of(ops);
    std::vector<std::vector<Op>> groups;
    groups.reserve(batches.size());
    for (const auto& [begin, end] : batches) {
        groups.emplace_back(ops.begin() + static_cast<std::ptrdiff_t>(begin),
                            ops.begin() + static_cast<std::ptrdiff_t>(end));
    }
    SAMSA_TRY(auto batched, multis(groups, epoch_zk_version));
    std::vector<OpResult> results(ops.size());
    std::vector<std::vector<Op>> singles;
    std::vector<std::size_t> single_index;
    for (std::size_t b = 0; b < batches.size(); ++b) {
        const auto [begin, end] = batches[b];
        const bool all_ok = std::all_of(batched[b].begin(), batched[b].end(),
                                        [](const OpResult& r) { return !r.ec; });
        if (all_ok && batched[b].size() == end - begin) {
            for (std::size_t i = begin; i < end; ++i) {
                results[i] = std::move(batched[b][i - begin]);
            }
            continue;
        }
        for (std::size_t i = begin; i < end; ++i) {
            singles.push_back({ops[i]});
            single_index.push_back(i);
        }
    }
    if (!singles.empty()) {
        SAMSA_TRY(auto one_by_one, multis(singles, epoch_zk_version));
        for (std::size_t k = 0; k < singles.size(); ++k) {
            if (one_by_one[k].size() != 1) {
                return make_error_code(Errc::marshalling_error);
            }
            results[single_index[k]] = std::move(one_by_one[k].front());
        }
    }
    return results;
}

}  // namespace samsa::zk
