#include "broker/console/console_json.h"

#include "broker/console/console_assets.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace samsa::console {
namespace {

namespace json = boost::json;

ClusterView sample_view() {
    ClusterView v;
    v.cluster_id = "c-1";
    v.controller_id = 2;
    v.served_by = 1;
    v.generated_at_ms = 1700000000000;
    v.brokers = {
        BrokerView{1, "h1", 9092, std::string("r1"), {"PLAINTEXT://h1:9092"}, 1699999990000},
        BrokerView{2, "h2", 9093, std::nullopt, {}, std::nullopt}};
    TopicView t{"orders", false, 0, {}};
    t.partitions = {
        PartitionView{0, 1, {1, 2}, {1, 2}, {}, 100, 10},
        PartitionView{1, 2, {2, 1}, {2}, {}, 50, 5},
        PartitionView{2, -1, {3}, {}, {3}, std::nullopt, std::nullopt},
    };
    v.topics = {t};
    GroupView g;
    g.group_id = "readers";
    g.state = "Stable";
    g.protocol = "range";
    g.coordinator = 1;
    g.members = {GroupMemberView{"m-1", "client", "/10.0.0.1", {{"orders", 0}, {"orders", 1}}}};
    g.offsets = {GroupOffsetView{"orders", 0, 4, 10}, GroupOffsetView{"orders", 1, 5, 5},
                 GroupOffsetView{"orders", 2, 7, std::nullopt}};
    v.groups = {g};
    v.warnings = {"ListGroups: broker 3 at h3:9094: Connection refused"};
    return v;
}

TEST(PartitionStatus, OfflineUnderReplicatedOk) {
    EXPECT_EQ(partition_status(PartitionView{0, -1, {1}, {}, {}, {}, {}}), "offline");
    EXPECT_EQ(partition_status(PartitionView{0, 1, {1, 2}, {1}, {}, {}, {}}), "under-replicated");
    EXPECT_EQ(partition_status(PartitionView{0, 1, {1, 2}, {2, 1}, {}, {}, {}}), "ok");
    // No leader wins over a short ISR.
    EXPECT_EQ(partition_status(PartitionView{0, -1, {1, 2}, {1}, {}, {}, {}}), "offline");
}

TEST(ClusterJson, BrokersControllerAndWarnings) {
    const auto doc = json::parse(cluster_json(sample_view())).as_object();
    EXPECT_EQ(doc.at("clusterId"), "c-1");
    EXPECT_EQ(doc.at("controller"), 2);
    EXPECT_EQ(doc.at("servedBy"), 1);
    EXPECT_EQ(doc.at("generatedAt"), 1700000000000);
    const auto& brokers = doc.at("brokers").as_array();
    ASSERT_EQ(brokers.size(), 2u);
    EXPECT_EQ(json::serialize(brokers[0]),
              R"({"id":1,"host":"h1","port":9092,"rack":"r1","endpoints":["PLAINTEXT://h1:9092"],)"
              R"("controller":false,"upSince":1699999990000})");
    EXPECT_EQ(json::serialize(brokers[1]),
              R"({"id":2,"host":"h2","port":9093,"rack":null,"endpoints":[],)"
              R"("controller":true,"upSince":null})");
    EXPECT_EQ(doc.at("warnings").as_array().size(), 1u);
}

TEST(TopicsJson, PartitionsWithStatusSizesAndCounts) {
    const auto doc = json::parse(topics_json(sample_view())).as_object();
    const auto& topic = doc.at("topics").as_array().at(0).as_object();
    EXPECT_EQ(topic.at("name"), "orders");
    EXPECT_EQ(topic.at("internal"), false);
    EXPECT_EQ(topic.at("underReplicated"), 1);
    EXPECT_EQ(topic.at("offline"), 1);
    EXPECT_EQ(topic.at("size"), 150);  // unknown sizes count as nothing
    const auto& parts = topic.at("partitions").as_array();
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_EQ(json::serialize(parts[0]),
              R"({"partition":0,"leader":1,"replicas":[1,2],"isr":[1,2],"offlineReplicas":[],)"
              R"("status":"ok","size":100,"endOffset":10})");
    EXPECT_EQ(parts[1].at("status"), "under-replicated");
    EXPECT_EQ(json::serialize(parts[2]),
              R"({"partition":2,"leader":-1,"replicas":[3],"isr":[],"offlineReplicas":[3],)"
              R"("status":"offline","size":null,"endOffset":null})");
}

TEST(GroupsJson, LagPerPartitionAndTotal) {
    const auto doc = json::parse(groups_json(sample_view())).as_object();
    const auto& group = doc.at("groups").as_array().at(0).as_object();
    EXPECT_EQ(group.at("group"), "readers");
    EXPECT_EQ(group.at("state"), "Stable");
    EXPECT_EQ(group.at("coordinator"), 1);
    EXPECT_TRUE(group.at("error").is_null());
    EXPECT_EQ(json::serialize(group.at("members")),
              R"([{"memberId":"m-1","clientId":"client","host":"/10.0.0.1",)"
              R"("assignment":["orders-0","orders-1"]}])");
    const auto& offsets = group.at("offsets").as_array();
    ASSERT_EQ(offsets.size(), 3u);
    EXPECT_EQ(offsets[0].at("lag"), 6);
    EXPECT_EQ(offsets[1].at("lag"), 0);
    // No end offset (no leader): the lag is unknown, not counted.
    EXPECT_TRUE(offsets[2].at("lag").is_null());
    EXPECT_EQ(group.at("totalLag"), 6);
}

TEST(GroupsJson, CommittedPastTheEndIsNoNegativeLag) {
    ClusterView v;
    GroupView g;
    g.group_id = "g";
    g.offsets = {GroupOffsetView{"t", 0, 12, 10}};
    v.groups = {g};
    const auto doc = json::parse(groups_json(v)).as_object();
    EXPECT_EQ(doc.at("groups").as_array()[0].at("offsets").as_array()[0].at("lag"), 0);
}

TEST(StateJson, TheThreePartsTogether) {
    const auto view = sample_view();
    const auto doc = json::parse(state_json(view)).as_object();
    EXPECT_EQ(json::serialize(doc.at("cluster")), cluster_json(view));
    EXPECT_EQ(json::serialize(json::object{{"topics", doc.at("topics")}}), topics_json(view));
    EXPECT_EQ(json::serialize(json::object{{"groups", doc.at("groups")}}), groups_json(view));
}

TEST(StateJson, NamesAreEscaped) {
    ClusterView v;
    v.topics = {TopicView{"a\"b</script>", false, 0, {}}};
    const std::string text = topics_json(v);
    EXPECT_EQ(json::parse(text).at("topics").as_array()[0].at("name"), "a\"b</script>");
    EXPECT_NE(text.find(R"(a\"b)"), std::string::npos);
}

TEST(ConsoleAssets, ThePageItsScriptAndStyleAreEmbedded) {
    const Asset* html = find_asset("console.html");
    ASSERT_NE(html, nullptr);
    EXPECT_EQ(html->content_type, "text/html; charset=utf-8");
    EXPECT_NE(html->body.find("<!DOCTYPE html>"), std::string_view::npos);
    EXPECT_NE(html->body.find("/console/console.js"), std::string_view::npos);
    EXPECT_NE(html->body.find("name=\"viewport\""), std::string_view::npos);
    const Asset* js = find_asset("console.js");
    ASSERT_NE(js, nullptr);
    EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
    EXPECT_NE(js->body.find("/api/state"), std::string_view::npos);
    ASSERT_NE(find_asset("console.css"), nullptr);
    EXPECT_EQ(find_asset("nothing.js"), nullptr);
    EXPECT_EQ(find_asset("../console.html"), nullptr);
}

}  // namespace
}  // namespace samsa::console
