#include "broker/protocol/compression.h"

#include <algorithm>
#include <cstring>
#include <lz4frame.h>
#include <memory>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

namespace samsa::protocol {
namespace {

std::error_code corrupt() {
    return std::make_error_code(std::errc::illegal_byte_sequence);
}
std::error_code too_large() {
    return std::make_error_code(std::errc::value_too_large);
}

// ---- gzip ---------------------------------------------------------------------------------

result<std::vector<uint8_t>> gunzip(std::span<const uint8_t> in, size_t max_size) {
    z_stream z{};
    // 15 + 32: a zlib or gzip header, detected automatically.
    if (inflateInit2(&z, 15 + 32) != Z_OK) {
        return std::make_error_code(std::errc::not_enough_memory);
    }
    std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&z, inflateEnd);
    std::vector<uint8_t> out(std::max<size_t>(in.size() * 4, 1024));
    z.next_in = const_cast<Bytef*>(in.data());
    z.avail_in = static_cast<uInt>(in.size());
    size_t produced = 0;
    for (;;) {
        if (produced == out.size()) {
            if (out.size() >= max_size) {
                return too_large();
            }
            out.resize(std::min(out.size() * 2, max_size));
        }
        z.next_out = out.data() + produced;
        z.avail_out = static_cast<uInt>(out.size() - produced);
        int rc = inflate(&z, Z_NO_FLUSH);
        produced = out.size() - z.avail_out;
        if (rc == Z_STREAM_END) {
            break;
        }
        if (rc != Z_OK && !(rc == Z_BUF_ERROR && z.avail_out == 0)) {
            return corrupt();
        }
        if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
            return corrupt();  // the stream ends without its trailer
        }
    }
    out.resize(produced);
    return out;
}

result<std::vector<uint8_t>> gzip(std::span<const uint8_t> in) {
    z_stream z{};
    // 15 + 16: a gzip header and trailer, as java.util.zip.GZIPOutputStream writes.
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
        return std::make_error_code(std::errc::not_enough_memory);
    }
    std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&z, deflateEnd);
    std::vector<uint8_t> out(deflateBound(&z, static_cast<uLong>(in.size())));
    z.next_in = const_cast<Bytef*>(in.data());
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
        return corrupt();
    }
    out.resize(out.size() - z.avail_out);
    return out;
}

// ---- snappy -------------------------------------------------------------------------------

constexpr uint8_t kXerialMagic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr size_t kXerialHeader = 16;  // magic, version, compatible version
constexpr size_t kXerialBlock = 32 * 1024;

result<void> unsnappy_block(std::span<const uint8_t> block, std::vector<uint8_t>& out,
                            size_t max_size) {
    const char* p = reinterpret_cast<const char*>(block.data());
    size_t n = 0;
    if (!snappy::GetUncompressedLength(p, block.size(), &n)) {
        return corrupt();
    }
    if (n > max_size - out.size()) {
        return too_large();
    }
    // The length is the sender's claim: a few bytes may claim a gigabyte. Check that the
    // block's elements really produce it before allocating (snappy expands at most ~20 times,
    // so a genuine block's output is bounded by its size; found by fuzz_batch_validator).
    if (!snappy::IsValidCompressedBuffer(p, block.size())) {
        return corrupt();
    }
    size_t at = out.size();
    out.resize(at + n);
    if (!snappy::RawUncompress(p, block.size(), reinterpret_cast<char*>(out.data() + at))) {
        return corrupt();
    }
    return success();
}

result<std::vector<uint8_t>> unsnappy(std::span<const uint8_t> in, size_t max_size) {
    std::vector<uint8_t> out;
    if (in.size() < kXerialHeader || std::memcmp(in.data(), kXerialMagic, 8) != 0) {
        SAMSA_TRY(unsnappy_block(in, out, max_size));
        return out;
    }
    for (size_t pos = kXerialHeader; pos < in.size();) {
        if (in.size() - pos < 4) {
            return corrupt();
        }
        auto len = static_cast<uint32_t>(load_be32(in.data() + pos));
        pos += 4;
        if (len > in.size() - pos) {
            return corrupt();
        }
        SAMSA_TRY(unsnappy_block(in.subspan(pos, len), out, max_size));
        pos += len;
    }
    return out;
}

result<std::vector<uint8_t>> snappy_xerial(std::span<const uint8_t> in) {
    std::vector<uint8_t> out(kXerialHeader);
    std::memcpy(out.data(), kXerialMagic, 8);
    store_be32(out.data() + 8, 1);
    store_be32(out.data() + 12, 1);
    for (size_t pos = 0; pos < in.size(); pos += kXerialBlock) {
        size_t n = std::min(kXerialBlock, in.size() - pos);
        size_t at = out.size();
        out.resize(at + 4 + snappy::MaxCompressedLength(n));
        size_t written = 0;
        snappy::RawCompress(reinterpret_cast<const char*>(in.data() + pos), n,
                            reinterpret_cast<char*>(out.data() + at + 4), &written);
        store_be32(out.data() + at, static_cast<int32_t>(written));
        out.resize(at + 4 + written);
    }
    return out;
}

// ---- lz4 ----------------------------------------------------------------------------------

result<std::vector<uint8_t>> unlz4(std::span<const uint8_t> in, size_t max_size) {
    LZ4F_dctx* ctx = nullptr;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&ctx, LZ4F_VERSION))) {
        return std::make_error_code(std::errc::not_enough_memory);
    }
    std::unique_ptr<LZ4F_dctx, LZ4F_errorCode_t (*)(LZ4F_dctx*)> guard(
        ctx, LZ4F_freeDecompressionContext);
    std::vector<uint8_t> out(std::max<size_t>(in.size() * 4, 1024));
    size_t produced = 0;
    size_t consumed = 0;
    size_t hint = 1;
    while (consumed < in.size() && hint != 0) {
        if (produced == out.size()) {
            if (out.size() >= max_size) {
                return too_large();
            }
            out.resize(std::min(out.size() * 2, max_size));
        }
        size_t dst = out.size() - produced;
        size_t src = in.size() - consumed;
        hint =
            LZ4F_decompress(ctx, out.data() + produced, &dst, in.data() + consumed, &src, nullptr);
        if (LZ4F_isError(hint)) {
            return corrupt();
        }
        produced += dst;
        consumed += src;
        if (src == 0 && dst == 0 && produced < out.size()) {
            return corrupt();  // no progress
        }
    }
    if (hint != 0) {
        return corrupt();  // the frame is cut short
    }
    out.resize(produced);
    return out;
}

result<std::vector<uint8_t>> lz4(std::span<const uint8_t> in) {
    LZ4F_preferences_t prefs{};
    prefs.frameInfo.blockSizeID = LZ4F_max64KB;
    prefs.frameInfo.blockMode = LZ4F_blockIndependent;
    std::vector<uint8_t> out(LZ4F_compressFrameBound(in.size(), &prefs));
    size_t n = LZ4F_compressFrame(out.data(), out.size(), in.data(), in.size(), &prefs);
    if (LZ4F_isError(n)) {
        return corrupt();
    }
    out.resize(n);
    return out;
}

// ---- zstd ---------------------------------------------------------------------------------

result<std::vector<uint8_t>> unzstd(std::span<const uint8_t> in, size_t max_size) {
    ZSTD_DStream* ctx = ZSTD_createDStream();
    if (ctx == nullptr) {
        return std::make_error_code(std::errc::not_enough_memory);
    }
    std::unique_ptr<ZSTD_DStream, size_t (*)(ZSTD_DStream*)> guard(ctx, ZSTD_freeDStream);
    std::vector<uint8_t> out(std::max<size_t>(in.size() * 4, 1024));
    ZSTD_inBuffer src{in.data(), in.size(), 0};
    size_t produced = 0;
    size_t rc = 1;
    while (rc != 0) {
        if (produced == out.size()) {
            if (out.size() >= max_size) {
                return too_large();
            }
            out.resize(std::min(out.size() * 2, max_size));
        }
        ZSTD_outBuffer dst{out.data(), out.size(), produced};
        rc = ZSTD_decompressStream(ctx, &dst, &src);
        if (ZSTD_isError(rc)) {
            return corrupt();
        }
        bool progress = dst.pos != produced;
        produced = dst.pos;
        if (rc != 0 && src.pos == src.size && !progress && produced < out.size()) {
            return corrupt();  // input ended inside the frame
        }
    }
    out.resize(produced);
    return out;
}

result<std::vector<uint8_t>> zstd(std::span<const uint8_t> in) {
    std::vector<uint8_t> out(ZSTD_compressBound(in.size()));
    size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), ZSTD_CLEVEL_DEFAULT);
    if (ZSTD_isError(n)) {
        return corrupt();
    }
    out.resize(n);
    return out;
}

}  // namespace

result<std::vector<uint8_t>> decompress(CompressionType codec, std::span<const uint8_t> in,
                                        size_t max_size) {
    switch (codec) {
        case CompressionType::none:
            if (in.size() > max_size) {
                return too_large();
            }
            return std::vector<uint8_t>(in.begin(), in.end());
        case CompressionType::gzip:
            return gunzip(in, max_size);
        case CompressionType::snappy:
            return unsnappy(in, max_size);
        case CompressionType::lz4:
            return unlz4(in, max_size);
        case CompressionType::zstd:
            return unzstd(in, max_size);
    }
    return std::make_error_code(std::errc::not_supported);
}

result<std::vector<uint8_t>> compress(CompressionType codec, std::span<const uint8_t> in) {
    switch (codec) {
        case CompressionType::none:
            return std::vector<uint8_t>(in.begin(), in.end());
        case CompressionType::gzip:
            return gzip(in);
        case CompressionType::snappy:
            return snappy_xerial(in);
        case CompressionType::lz4:
            return lz4(in);
        case CompressionType::zstd:
            return zstd(in);
    }
    return std::make_error_code(std::errc::not_supported);
}

result<std::vector<uint8_t>> decompress_records(const RecordBatchView& batch, size_t max_size) {
    return decompress(batch.compression(), batch.records_bytes(), max_size);
}

result<std::vector<uint8_t>> compress_batch(std::span<const uint8_t> uncompressed_batch,
                                            CompressionType codec) {
    RecordBatchView in(uncompressed_batch);
    SAMSA_TRY(auto body, compress(codec, in.records_bytes()));
    std::vector<uint8_t> out(uncompressed_batch.begin(),
                             uncompressed_batch.begin() + kRecordsOffset);
    out.insert(out.end(), body.begin(), body.end());
    MutableRecordBatchView view(out);
    store_be32(out.data() + kBatchLengthOffset, static_cast<int32_t>(out.size()) - kLogOverhead);
    view.set_attributes(static_cast<int16_t>((in.attributes() & ~kCompressionCodecMask) |
                                             static_cast<int16_t>(codec)));
    view.update_crc();
    return out;
}

}  // namespace samsa::protocol
