// What `samsa-admin configs` prints for topics and brokers, in Kafka 2.8's ConfigCommand words
// (describeResourceConfig, alterConfig). Pure functions: the unit tests check them.

#include "tools/admin/configs_options.h"

namespace samsa::tools {

std::string config_source_name(int8_t source) {
    switch (source) {
        case 1:
            return "DYNAMIC_TOPIC_CONFIG";
        case 2:
            return "DYNAMIC_BROKER_CONFIG";
        case 3:
            return "DYNAMIC_DEFAULT_BROKER_CONFIG";
        case 4:
            return "STATIC_BROKER_CONFIG";
        case 5:
            return "DEFAULT_CONFIG";
        case 6:
            return "DYNAMIC_BROKER_LOGGER_CONFIG";
        default:
            return "UNKNOWN";
    }
}

std::string config_entry_line(const ConfigEntryView& entry) {
    // Java string interpolation prints a null value as "null".
    auto text = [](const std::optional<std::string>& v) { return v ? *v : std::string("null"); };
    std::string synonyms;
    for (const auto& s : entry.synonyms) {
        synonyms += (synonyms.empty() ? "" : ", ") + config_source_name(s.source) + ":" + s.name +
                    "=" + text(s.value);
    }
    return "  " + entry.name + "=" + text(entry.value) +
           " sensitive=" + (entry.sensitive ? "true" : "false") + " synonyms={" + synonyms + "}";
}

std::string describe_header(const std::string& entity_type, const std::optional<std::string>& name,
                            bool all) {
    if (!name || name->empty()) {
        return "Default configs for " + entity_type + " in the cluster are:";
    }
    // ConfigCommand drops the type's plural "s": topics -> topic, brokers -> broker.
    return std::string(all ? "All" : "Dynamic") + " configs for " +
           entity_type.substr(0, entity_type.size() - 1) + " " + *name + " are:";
}

std::string completed_line(const std::string& entity_type, const std::optional<std::string>& name) {
    if (!name || name->empty()) {
        return "Completed updating default config for " + entity_type + " in the cluster.";
    }
    return "Completed updating config for " + entity_type.substr(0, entity_type.size() - 1) + " " +
           *name + ".";
}

}  // namespace samsa::tools
