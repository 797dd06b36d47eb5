#pragma once
// ReadBuffer: the bytes a connection has received and not handled yet.
//
// Reads are coalesced: one recv takes whatever the socket holds, up to the free space here, so
// a small request costs one recv and requests pipelined by a client share one. The buffer
// starts at a small block stored inline (2 KiB: a small request fits, and 10,000 idle
// connections cost 20 MB); when a read fills it or a frame needs more room, it borrows a
// 64 KiB block from its thread's cache and gives it back once every byte is consumed.
// Frames larger than the big block are read straight into their own FrameBuffer by the
// Connection, never through here.
//
// Not thread-safe: owned by one Connection and used on its network thread only.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace samsa::net {

class ReadBuffer {
  public:
    static constexpr size_t kSmallBytes = 2048;
    static constexpr size_t kLargeBytes = 65536;

    ReadBuffer() = default;
    ~ReadBuffer();
    ReadBuffer(const ReadBuffer&) = delete;
    ReadBuffer& operator=(const ReadBuffer&) = delete;

    // Bytes received and not consumed, oldest first.
    std::span<const uint8_t> data() const { return {block() + begin_, end_ - begin_}; }
    void consume(size_t n);

    // Space to receive into, at least min(`wanted`, kLargeBytes) bytes: compacts the pending
    // bytes to the front and moves to the large block when needed (or when the last read
    // filled the buffer, which says the peer is sending in bulk).
    std::span<uint8_t> prepare(size_t wanted);
    // `n` bytes of what prepare() returned were received.
    void commit(size_t n);

    // Returns the large block to the thread's cache if nothing is pending.
    void shrink_if_empty();

    size_t capacity() const { return large_ ? kLargeBytes : kSmallBytes; }

  private:
    uint8_t* block() { return large_ ? large_.get() : small_.data(); }
    const uint8_t* block() const { return large_ ? large_.get() : small_.data(); }
    void compact();
    void grow();

    std::array<uint8_t, kSmallBytes> small_;
    std::unique_ptr<uint8_t[]> large_;
    size_t begin_ = 0;
    size_t end_ = 0;
    bool last_read_filled_ = false;
};

}  // namespace samsa::net
