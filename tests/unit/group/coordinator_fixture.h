#pragma once
// A GroupCoordinator over a FakeScheduler and an in-memory __consumer_offsets with one
// partition, already loaded; helpers that join, sync and commit and keep the results.

#include "broker/group/group_coordinator.h"
#include "tests/unit/group/fake_scheduler.h"
#include "tests/unit/group/memory_coordinator_log.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>

namespace samsa::group::testing {

inline GroupConfig test_config() {
    GroupConfig c;
    c.min_session_timeout_ms = 1000;
    c.max_session_timeout_ms = 60000;
    c.initial_rebalance_delay_ms = 0;
    c.offsets_topic_num_partitions = 1;
    c.offsets_retention_ms = 60 * 60 * 1000;
    c.offsets_retention_check_interval_ms = 10 * 60 * 1000;
    return c;
}

inline std::vector<ProtocolEntry> protocols(std::initializer_list<const char*> names,
                                            uint8_t tag = 1) {
    std::vector<ProtocolEntry> out;
    for (const char* n : names) {
        out.push_back(ProtocolEntry{n, Bytes{tag}});
    }
    return out;
}

class CoordinatorTest : public ::testing::Test {
  protected:
    using JoinSlot = std::shared_ptr<std::optional<JoinGroupResult>>;
    using SyncSlot = std::shared_ptr<std::optional<SyncGroupResult>>;
    using CommitSlot = std::shared_ptr<std::optional<std::map<TopicPartition, ErrorCode>>>;

    explicit CoordinatorTest(GroupConfig config = test_config())
        : config_(config),
          log_(scheduler_),
          coordinator_(std::make_unique<GroupCoordinator>(config_, log_, scheduler_)) {
        coordinator_->startup();
        coordinator_->on_election(0, 1);
        scheduler_.run_due();
    }

    JoinGroupRequest join_request(const std::string& member_id,
                                  std::vector<ProtocolEntry> ps = protocols({"range"}),
                                  std::optional<std::string> instance = std::nullopt) {
        JoinGroupRequest r;
        r.group_id = "g";
        r.member_id = member_id;
        r.group_instance_id = std::move(instance);
        r.client_id = "client";
        r.client_host = "/127.0.0.1";
        r.session_timeout_ms = 10000;
        r.rebalance_timeout_ms = 30000;
        r.protocol_type = "consumer";
        r.protocols = std::move(ps);
        return r;
    }

    JoinSlot join(JoinGroupRequest request) {
        auto slot = std::make_shared<std::optional<JoinGroupResult>>();
        coordinator_->join_group(std::move(request), [slot](JoinGroupResult r) { *slot = r; });
        return slot;
    }

    JoinSlot join(const std::string& member_id,
                  std::vector<ProtocolEntry> ps = protocols({"range"}),
                  std::optional<std::string> instance = std::nullopt) {
        return join(join_request(member_id, std::move(ps), std::move(instance)));
    }

    SyncSlot sync(const std::string& member_id, int32_t generation,
                  std::map<std::string, Bytes> assignments = {},
                  std::optional<std::string> instance = std::nullopt) {
        SyncGroupRequest r;
        r.group_id = "g";
        r.member_id = member_id;
        r.generation_id = generation;
        r.group_instance_id = std::move(instance);
        r.assignments = std::move(assignments);
        auto slot = std::make_shared<std::optional<SyncGroupResult>>();
        coordinator_->sync_group(std::move(r), [slot](SyncGroupResult s) { *slot = s; });
        return slot;
    }

    CommitSlot commit(const std::string& group, const std::string& member, int32_t generation,
                      std::map<TopicPartition, int64_t> offsets) {
        std::map<TopicPartition, OffsetAndMetadata> o;
        for (const auto& [tp, offset] : offsets) {
            o[tp] = OffsetAndMetadata{offset, -1, "meta", scheduler_.now_ms(), std::nullopt};
        }
        auto slot = std::make_shared<std::optional<std::map<TopicPartition, ErrorCode>>>();
        coordinator_->commit_offsets(group, member, std::nullopt, generation, std::move(o),
                                     [slot](auto r) { *slot = r; });
        return slot;
    }

    // One member joins an empty group and syncs: returns its member id (generation 1).
    std::string form_group_of_one(std::optional<std::string> instance = std::nullopt) {
        auto j = join("", protocols({"range"}), instance);
        scheduler_.run_due();
        EXPECT_TRUE(j->has_value());
        auto id = (*j)->member_id;
        auto s = sync(id, (*j)->generation_id, {{id, Bytes{7}}}, instance);
        scheduler_.run_due();
        EXPECT_TRUE(s->has_value());
        return id;
    }

    std::string state() { return coordinator_->describe_group("g").state; }

    GroupConfig config_;
    FakeScheduler scheduler_;
    MemoryCoordinatorLog log_;
    std::unique_ptr<GroupCoordinator> coordinator_;
};

}  // namespace samsa::group::testing
