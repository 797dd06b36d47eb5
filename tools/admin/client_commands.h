#pragma once
// The subcommands built on the small producer and consumer (client_producer.h,
// client_consumer.h): Kafka's console and perf tools.

#include "tools/admin/command.h"

#include <cstdint>
#include <optional>
#include <string>

namespace samsa::admin {

// `console-producer`: kafka-console-producer.sh (console_producer_command.cc).
int run_console_producer(const tools::Args& args);
// `console-consumer`: kafka-console-consumer.sh (console_consumer_command.cc).
int run_console_consumer(const tools::Args& args);
// `producer-perf-test`: kafka-producer-perf-test.sh (producer_perf_command.cc).
int run_producer_perf_test(const tools::Args& args);
// `consumer-perf-test`: kafka-consumer-perf-test.sh (consumer_perf_command.cc).
int run_consumer_perf_test(const tools::Args& args);

// The console consumer's --offset: "earliest" (-2), "latest" (-1) or a non-negative offset;
// nullopt for anything else.
std::optional<int64_t> console_consumer_offset(const std::string& text);

}  // namespace samsa::admin
