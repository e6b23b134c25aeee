#include "core/data/idx_reader.h"

#include <algorithm>
#include <cerrno>
#include <functional>
#include <memory>
#include <cstring>
#include <sys/stat.h>
#ifndef QNN_NO_ZLIB
#include <zlib.h>
#else
#include <cstdio>
#endif

namespace qnn {

namespace {

uint32_t bigEndian32(const std::string& b, size_t at)
{
    return (uint32_t(uint8_t(b[at])) << 24) | (uint32_t(uint8_t(b[at + 1])) << 16) |
           (uint32_t(uint8_t(b[at + 2])) << 8) | uint32_t(uint8_t(b[at + 3]));
}

bool checkMagic(const std::string& path, const std::string& bytes, uint32_t want, const char* what,
                size_t headerBytes, std::string& error)
{
    if (bytes.size() < headerBytes) {
        error = path + ": too short for an IDX " + what + " file (" + std::to_string(bytes.size()) +
                " bytes, the header alone is " + std::to_string(headerBytes) + ")";
        return false;
    }
    const uint32_t magic = bigEndian32(bytes, 0);
    if (magic != want) {
        error = path + ": not an IDX " + what + " file (magic number " + std::to_string(magic) + ", expected " +
                std::to_string(want) + ")";
        return false;
    }
    return true;
}

} // namespace

#ifdef QNN_NO_ZLIB
// A board build of qnn-run has no zlib for its cross target. These stand-ins
// read plain files through stdio with zlib's names, so that the one reader
// below serves both builds; a gzip file is refused with a sentence.
struct gzFile_s {
    FILE* file;
};
using gzFile = gzFile_s*;
constexpr int Z_OK = 0;
constexpr int Z_STREAM_END = 1;
static gzFile gzopen(const char* path, const char* mode)
{
    FILE* f = std::fopen(path, mode);
    return f ? new gzFile_s{f} : nullptr;
}
static int gzread(gzFile f, void* into, unsigned bytes)
{
    const size_t n = std::fread(into, 1, bytes, f->file);
    return std::ferror(f->file) ? -1 : int(n);
}
static int gzclose(gzFile f)
{
    std::fclose(f->file);
    delete f;
    return 0;
}
static const char* gzerror(gzFile f, int* code)
{
    *code = std::ferror(f->file) ? -1 : Z_OK;
    return *code ? "read error" : "";
}
static int gzdirect(gzFile) { return 1; }
#endif

namespace {

// The largest IDX payload read (4 GiB): the full MNIST training images are
// 47 MB. A gzip stream may expand about 1,032-fold at most (deflate's limit).
constexpr uint64_t kMaxIdxBytes = 4ull << 30;
constexpr uint64_t kMaxDeflateRatio = 1032;

struct GzCloser {
    void operator()(gzFile_s* f) const { gzclose(f); }
};

// Up to `bytes` into `into`; returns how many were read, -1 on a zlib error.
int64_t gzReadUpTo(gzFile f, char* into, uint64_t bytes)
{
    uint64_t done = 0;
    while (done < bytes) {
        const int n = gzread(f, into + done, static_cast<unsigned>(std::min<uint64_t>(bytes - done, 1u << 30)));
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        done += static_cast<uint64_t>(n);
    }
    return static_cast<int64_t>(done);
}

std::string gzipError(const std::string& path, gzFile f)
{
    int code = 0;
    const char* msg = gzerror(f, &code);
    return path + ": not a readable gzip file (" + std::string(msg ? msg : "zlib error") + ")";
}

// Reads an IDX file (gzip or raw) whose header says how many payload bytes
// follow: the header is read first and its geometry checked against the
// file's size before anything is allocated, and never more than the header
// promises is decompressed (a gzip bomb stops there). `payload` returns the
// promised size, or sets `error` and returns false.
bool readIdx(const std::string& path, uint32_t magic, const char* what, size_t headerBytes,
             const std::function<bool(const std::string& header, uint64_t& payload, std::string& promise,
                                      std::string& error)>& promised,
             std::string& bytes, std::string& error)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        error = "cannot open " + path + ": " + std::strerror(errno);
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        error = path + ": not a regular file (an IDX file is needed)";
        return false;
    }
    std::unique_ptr<gzFile_s, GzCloser> f(gzopen(path.c_str(), "rb"));
    if (!f) {
        error = "cannot open " + path + ": " + std::strerror(errno);
        return false;
    }
    std::string header(headerBytes, '\0');
    const int64_t got = gzReadUpTo(f.get(), header.data(), headerBytes);
    if (got < 0) {
        error = gzipError(path, f.get());
        return false;
    }
    header.resize(static_cast<size_t>(got));
#ifdef QNN_NO_ZLIB
    if (header.size() >= 2 && uint8_t(header[0]) == 0x1f && uint8_t(header[1]) == 0x8b) {
        error = path + " is gzip-compressed, and this build reads only plain files (built without zlib): gunzip it first";
        return false;
    }
#endif
    if (!checkMagic(path, header, magic, what, headerBytes, error))
        return false;
    uint64_t payload = 0;
    std::string promise;
    if (!promised(header, payload, promise, error))
        return false;
    const uint64_t fileBytes = static_cast<uint64_t>(st.st_size);
    const bool raw = gzdirect(f.get()) != 0;
    const uint64_t most = raw ? fileBytes : fileBytes * kMaxDeflateRatio + (1u << 20);
    if (raw && headerBytes + payload != fileBytes && payload <= kMaxIdxBytes) {
        error = path + ": " + std::to_string(fileBytes) + " bytes (uncompressed), but the header promises " + promise;
        return false;
    }
    if (payload > kMaxIdxBytes || headerBytes + payload > most) {
        error = path + ": the header promises " + std::to_string(headerBytes + payload) +
                " bytes (uncompressed), more than a " + std::to_string(fileBytes) + "-byte " +
                (raw ? "file holds" : "gzip file can expand to") +
                (payload > kMaxIdxBytes ? " or the 4 GiB an IDX file may have" : "");
        return false;
    }
    bytes = header;
    bytes.resize(static_cast<size_t>(headerBytes + payload + 1));
    const int64_t body = gzReadUpTo(f.get(), bytes.data() + headerBytes, payload + 1);
    if (body < 0) {
        error = gzipError(path, f.get());
        return false;
    }
    int code = 0;
    gzerror(f.get(), &code);
    // A truncated stream ends with Z_BUF_ERROR rather than a failed read.
    if (code != Z_OK && code != Z_STREAM_END) {
        error = gzipError(path, f.get());
        return false;
    }
    const uint64_t total = headerBytes + static_cast<uint64_t>(body);
    if (static_cast<uint64_t>(body) != payload) {
        const bool more = static_cast<uint64_t>(body) > payload;
        error = path + ": " + (more ? "more than " : "") + std::to_string(more ? total - 1 : total) +
                " bytes (uncompressed), but the header promises " + promise;
        return false;
    }
    bytes.resize(static_cast<size_t>(total));
    return true;
}

} // namespace

bool readIdxImages(const std::string& path, ImageSet& out, std::string& error)
{
    std::string bytes;
    uint64_t rows = 0, cols = 0;
    auto promised = [&](const std::string& h, uint64_t& payload, std::string& promise, std::string& why) {
        const uint64_t count = bigEndian32(h, 4);
        rows = bigEndian32(h, 8);
        cols = bigEndian32(h, 12);
        if (rows == 0 || cols == 0 || rows > 4096 || cols > 4096) {
            why = path + ": IDX image size " + std::to_string(rows) + "×" + std::to_string(cols) +
                  " is not a plausible image size";
            return false;
        }
        payload = count * rows * cols; // below 2^56: no overflow
        promise = std::to_string(count) + " images of " + std::to_string(rows) + "×" + std::to_string(cols) + " (" +
              std::to_string(16 + payload) + " bytes)";
        return true;
    };
    if (!readIdx(path, 2051, "image", 16, promised, bytes, error))
        return false;
    out = ImageSet{};
    out.channels = 1;
    out.height = static_cast<int>(rows);
    out.width = static_cast<int>(cols);
    out.pixels.assign(reinterpret_cast<const uint8_t*>(bytes.data()) + 16,
                      reinterpret_cast<const uint8_t*>(bytes.data()) + bytes.size());
    return true;
}

bool readIdxLabels(const std::string& path, std::vector<int32_t>& out, std::string& error)
{
    std::string bytes;
    auto promised = [&](const std::string& h, uint64_t& payload, std::string& promise, std::string&) {
        payload = bigEndian32(h, 4);
        promise = std::to_string(payload) + " labels (" + std::to_string(8 + payload) + " bytes)";
        return true;
    };
    if (!readIdx(path, 2049, "label", 8, promised, bytes, error))
        return false;
    out.assign(reinterpret_cast<const uint8_t*>(bytes.data()) + 8,
               reinterpret_cast<const uint8_t*>(bytes.data()) + bytes.size());
    return true;
}

bool readIdxPair(const std::string& imagesPath, const std::string& labelsPath, int classes, ImageSet& out,
                 std::string& error)
{
    ImageSet set;
    if (!readIdxImages(imagesPath, set, error))
        return false;
    if (!readIdxLabels(labelsPath, set.labels, error))
        return false;
    const size_t images = set.pixels.size() / set.imageBytes();
    if (set.labels.size() != images) {
        error = labelsPath + ": holds " + std::to_string(set.labels.size()) + " labels, but " + imagesPath +
                " holds " + std::to_string(images) + " images";
        return false;
    }
    for (size_t i = 0; i < set.labels.size(); ++i) {
        if (set.labels[i] >= classes) {
            error = labelsPath + ": label " + std::to_string(set.labels[i]) + " at index " + std::to_string(i) +
                    " is outside 0.." + std::to_string(classes - 1);
            return false;
        }
    }
    set.classes = classes;
    out = std::move(set);
    return true;
}

} // namespace qnn
