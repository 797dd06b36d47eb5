#include "broker/log/errc.h"

#include <string>

namespace samsa::log {
namespace {

class LogCategory final : public std::error_category {
  public:
    const char* name() const noexcept override { return "samsa.log"; }
    std::string message(int ev) const override {
        switch (static_cast<Errc>(ev)) {
            case Errc::success:
                return "success";
            case Errc::corrupt_message:
                return "corrupt message (bad CRC or truncated batch)";
            case Errc::message_too_large:
                return "record batch larger than max.message.bytes";
            case Errc::record_list_too_large:
                return "record batch larger than segment.bytes";
            case Errc::invalid_record:
                return "invalid record";
            case Errc::invalid_timestamp:
                return "invalid timestamp";
            case Errc::unsupported_for_message_format:
                return "unsupported message format";
            case Errc::offset_out_of_range:
                return "offset out of range";
            case Errc::unexpected_append_offset:
                return "unexpected append offset";
            case Errc::storage_error:
                return "storage error";
            case Errc::invalid_config:
                return "invalid topic config";
            case Errc::log_dir_locked:
                return "log directory is locked by another process";
            case Errc::inconsistent_broker_metadata:
                return "inconsistent meta.properties";
            case Errc::corrupt_checkpoint:
                return "malformed checkpoint file";
            case Errc::log_closed:
                return "log is closed";
            case Errc::would_block:
                return "append would block";
            case Errc::cleaning_aborted:
                return "cleaning aborted: the log changed";
            case Errc::out_of_order_sequence:
                return "out of order sequence number";
            case Errc::invalid_producer_epoch:
                return "producer epoch is older than the last seen";
        }
        return "unknown log error " + std::to_string(ev);
    }
};

}  // namespace

const std::error_category& log_category() {
    static const LogCategory category;
    return category;
}

}  // namespace samsa::log
