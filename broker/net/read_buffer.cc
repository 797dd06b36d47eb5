#include "broker/net/read_buffer.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace samsa::net {

namespace {

// Large blocks free for reuse on this thread. A network thread serves many connections that
// each need a large block only while they read in bulk; recycling them here avoids a 64 KiB
// malloc/free pair per burst. Bounded, so a burst of bulk connections does not pin memory.
constexpr size_t kMaxCachedBlocks = 32;
thread_local std::vector<std::unique_ptr<uint8_t[]>> cached_blocks;

std::unique_ptr<uint8_t[]> take_block() {
    if (cached_blocks.empty()) {
        return std::unique_ptr<uint8_t[]>(new uint8_t[ReadBuffer::kLargeBytes]);
    }
    auto block = std::move(cached_blocks.back());
    cached_blocks.pop_back();
    return block;
}

void give_block(std::unique_ptr<uint8_t[]> block) {
    if (cached_blocks.size() < kMaxCachedBlocks) {
        cached_blocks.push_back(std::move(block));
    }
}

}  // namespace

ReadBuffer::~ReadBuffer() {
    if (large_) {
        give_block(std::move(large_));
    }
}

void ReadBuffer::consume(size_t n) {
    begin_ += std::min(n, end_ - begin_);
    if (begin_ == end_) {
        begin_ = end_ = 0;
    }
}

std::span<uint8_t> ReadBuffer::prepare(size_t wanted) {
    wanted = std::clamp<size_t>(wanted, 1, kLargeBytes);
    if (capacity() - end_ < wanted) {
        compact();
    }
    if (!large_ && (capacity() - end_ < wanted || last_read_filled_)) {
        grow();
    }
    return {block() + end_, capacity() - end_};
}

void ReadBuffer::commit(size_t n) {
    last_read_filled_ = end_ + n == capacity();
    end_ += n;
}

void ReadBuffer::shrink_if_empty() {
    if (large_ && begin_ == end_) {
        give_block(std::move(large_));
        begin_ = end_ = 0;
        last_read_filled_ = false;
    }
}

void ReadBuffer::compact() {
    if (begin_ == 0) {
        return;
    }
    std::memmove(block(), block() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
}

void ReadBuffer::grow() {
    auto block = take_block();
    std::memcpy(block.get(), small_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    large_ = std::move(block);
}

}  // namespace samsa::net
