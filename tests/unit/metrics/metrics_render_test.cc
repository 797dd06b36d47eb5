// The registry's Prometheus text: HELP/TYPE once per family, label escaping, counters'
// _total, summaries' quantiles, collectors and their removal, and nothing counted while off.

#include "broker/metrics/metrics.h"

#include <gtest/gtest.h>

#include <string>

namespace samsa::metrics {
namespace {

size_t occurrences(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) {
        ++n;
    }
    return n;
}

class RenderTest : public ::testing::Test {
  protected:
    void SetUp() override { set_enabled(true); }
    void TearDown() override { set_enabled(false); }
    Registry registry;
};

TEST_F(RenderTest, CounterFamilyHasOneHelpAndTypeAndTotalSuffix) {
    registry.counter("kafka_x_bytesin", "Bytes in").add(5);
    registry.counter("kafka_x_bytesin", "Bytes in", {{"topic", "a"}}).add(2);
    registry.counter("kafka_x_bytesin", "Bytes in", {{"topic", "b"}}).add(3);
    const std::string text = registry.render();
    EXPECT_EQ(occurrences(text, "# HELP kafka_x_bytesin_total Bytes in\n"), 1u) << text;
    EXPECT_EQ(occurrences(text, "# TYPE kafka_x_bytesin_total counter\n"), 1u) << text;
    EXPECT_NE(text.find("kafka_x_bytesin_total 5\n"), std::string::npos) << text;
    EXPECT_NE(text.find("kafka_x_bytesin_total{topic=\"a\"} 2\n"), std::string::npos) << text;
    EXPECT_NE(text.find("kafka_x_bytesin_total{topic=\"b\"} 3\n"), std::string::npos) << text;
    // HELP/TYPE come before the family's first sample.
    EXPECT_LT(text.find("# TYPE kafka_x_bytesin_total"), text.find("kafka_x_bytesin_total 5"));
}

TEST_F(RenderTest, SameNameAndLabelsGiveTheSameCounter) {
    auto& a = registry.counter("c", "h", {{"k", "v"}});
    auto& b = registry.counter("c", "h", {{"k", "v"}});
    EXPECT_EQ(&a, &b);
    EXPECT_NE(&a, &registry.counter("c", "h", {{"k", "w"}}));
}

TEST_F(RenderTest, LabelValuesAreEscaped) {
    registry.counter("c", "h", {{"topic", "a\"b\\c\nd"}}).add();
    EXPECT_NE(registry.render().find("c_total{topic=\"a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos)
        << registry.render();
}

TEST_F(RenderTest, DisabledCountersAndHistogramsStayZero) {
    auto& c = registry.counter("c", "h");
    auto& h = registry.histogram("t", "h");
    set_enabled(false);
    c.add(7);
    h.observe_us(1000);
    EXPECT_EQ(c.value(), 0u);
    EXPECT_EQ(h.snapshot().count, 0u);
    set_enabled(true);
    c.add(7);
    EXPECT_EQ(c.value(), 7u);
}

TEST_F(RenderTest, HistogramRendersAsSummaryWithKafkasQuantiles) {
    auto& h = registry.histogram("kafka_t_totaltimems", "Time", {{"request", "Produce"}});
    h.observe_us(1500);  // 1.5 ms: bucket with upper bound 2.56 ms
    const std::string text = registry.render();
    EXPECT_EQ(occurrences(text, "# TYPE kafka_t_totaltimems summary\n"), 1u) << text;
    for (const char* q : {"0.5", "0.75", "0.95", "0.98", "0.99", "0.999"}) {
        EXPECT_NE(text.find(std::string("kafka_t_totaltimems{request=\"Produce\",quantile=\"") + q +
                            "\"} 2.56\n"),
                  std::string::npos)
            << q << "\n"
            << text;
    }
    EXPECT_NE(text.find("kafka_t_totaltimems_sum{request=\"Produce\"} 1.5\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("kafka_t_totaltimems_count{request=\"Produce\"} 1\n"), std::string::npos)
        << text;
}

TEST_F(RenderTest, GaugesAreReadAtScrapeTime) {
    double v = 1;
    registry.gauge("g", "h", {}, [&] { return v; });
    EXPECT_NE(registry.render().find("g 1\n"), std::string::npos);
    v = 2.5;
    EXPECT_NE(registry.render().find("g 2.5\n"), std::string::npos);
}

TEST_F(RenderTest, CollectorSamplesShareFamiliesAndGoWithTheirHandle) {
    auto collect = [](SampleSink& sink) {
        sink.sample("lag", "Lag", Type::gauge, {{"partition", "0"}}, 3);
        sink.sample("lag", "Lag", Type::gauge, {{"partition", "1"}}, 4);
    };
    {
        CollectorHandle handle = registry.add_collector(collect);
        const std::string text = registry.render();
        EXPECT_EQ(occurrences(text, "# HELP lag Lag\n"), 1u) << text;
        EXPECT_NE(text.find("lag{partition=\"0\"} 3\n"), std::string::npos) << text;
        EXPECT_NE(text.find("lag{partition=\"1\"} 4\n"), std::string::npos) << text;
        // Moving the handle keeps the collector.
        CollectorHandle moved = std::move(handle);
        EXPECT_NE(registry.render().find("lag{partition=\"0\"} 3\n"), std::string::npos);
    }
    EXPECT_EQ(registry.render().find("lag"), std::string::npos) << registry.render();
}

TEST_F(RenderTest, AssigningAHandleRemovesTheCollectorItHeld) {
    CollectorHandle handle = registry.add_collector(
        [](SampleSink& sink) { sink.sample("first", "h", Type::gauge, {}, 1); });
    handle = registry.add_collector(
        [](SampleSink& sink) { sink.sample("second", "h", Type::gauge, {}, 2); });
    const std::string text = registry.render();
    EXPECT_EQ(text.find("first"), std::string::npos) << text;
    EXPECT_NE(text.find("second 2\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace samsa::metrics
