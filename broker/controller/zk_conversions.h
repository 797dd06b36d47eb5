#pragma once
// Conversions between the controller's in-memory forms (plain ints, protocol uuids) and
// samsa::zk's (strong ids, zk::Uuid): the one boundary where the two meet.

#include "broker/controller/controller_context.h"
#include "zk/zk_data.h"

#include <vector>

namespace samsa::controller {

inline std::vector<int32_t> to_ints(const std::vector<BrokerId>& ids) {
    std::vector<int32_t> out;
    out.reserve(ids.size());
    for (auto id : ids) {
        out.push_back(id.value());
    }
    return out;
}

inline std::vector<BrokerId> to_broker_ids(const std::vector<int32_t>& ids) {
    std::vector<BrokerId> out;
    out.reserve(ids.size());
    for (auto id : ids) {
        out.push_back(BrokerId{id});
    }
    return out;
}

inline LeaderIsrAndControllerEpoch from_zk(const zk::LeaderIsrAndControllerEpoch& z) {
    LeaderIsrAndControllerEpoch l;
    l.leader_and_isr.leader = z.leader_and_isr.leader.value();
    l.leader_and_isr.leader_epoch = z.leader_and_isr.leader_epoch.value();
    l.leader_and_isr.isr = to_ints(z.leader_and_isr.isr);
    l.leader_and_isr.zk_version = z.leader_and_isr.zk_version;
    l.controller_epoch = z.controller_epoch.value();
    return l;
}

inline zk::LeaderIsrAndControllerEpoch to_zk(const LeaderIsrAndControllerEpoch& l) {
    zk::LeaderIsrAndControllerEpoch z;
    z.leader_and_isr.leader = BrokerId{l.leader_and_isr.leader};
    z.leader_and_isr.leader_epoch = LeaderEpoch{l.leader_and_isr.leader_epoch};
    z.leader_and_isr.isr = to_broker_ids(l.leader_and_isr.isr);
    z.leader_and_isr.zk_version = l.leader_and_isr.zk_version;
    z.controller_epoch = ControllerEpoch{l.controller_epoch};
    return z;
}

inline protocol::Uuid to_protocol(const zk::Uuid& id) {
    return id.bytes();
}

}  // namespace samsa::controller
