#include "broker/protocol/records.h"

#include <unistd.h>

namespace samsa::protocol {

bool Records::materialize(std::vector<uint8_t>& out) const {
    if (in_memory()) {
        out.assign(bytes_.begin(), bytes_.end());
        return true;
    }
    out.resize(static_cast<size_t>(size_bytes()));
    size_t at = 0;
    for (const auto& s : slices_) {
        size_t done = 0;
        while (done < static_cast<size_t>(s.size)) {
            ssize_t n = ::pread(s.file->fd(), out.data() + at + done, s.size - done,
                                static_cast<off_t>(s.position + done));
            if (n <= 0) {
                return false;
            }
            done += static_cast<size_t>(n);
        }
        at += done;
    }
    return true;
}

}  // namespace samsa::protocol
