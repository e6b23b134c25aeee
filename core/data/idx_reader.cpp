#include "core/data/idx_reader.h"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#ifndef QNN_NO_ZLIB
#include <zlib.h>
#else
#include <fstream>
#include <iterator>
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

bool readMaybeGzipped(const std::string& path, std::string& out, std::string& error)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        error = "cannot open " + path + ": " + std::strerror(errno);
        return false;
    }
#ifdef QNN_NO_ZLIB
    // A board build of qnn-run (no zlib for the cross target) reads plain files.
    std::ifstream in(path, std::ios::binary);
    out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
        error = "cannot read " + path;
        return false;
    }
    if (out.size() >= 2 && uint8_t(out[0]) == 0x1f && uint8_t(out[1]) == 0x8b) {
        error = path + " is gzip-compressed, and this build reads only plain files (built without zlib): gunzip it first";
        return false;
    }
    return true;
#else
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) {
        error = "cannot open " + path + ": " + std::strerror(errno);
        return false;
    }
    gzbuffer(f, 1 << 20);
    out.clear();
    out.reserve(static_cast<size_t>(st.st_size) * 2);
    std::string chunk(1 << 20, '\0');
    for (;;) {
        const int n = gzread(f, chunk.data(), static_cast<unsigned>(chunk.size()));
        if (n < 0) {
            int code = 0;
            const char* msg = gzerror(f, &code);
            error = path + ": not a readable gzip file (" + std::string(msg ? msg : "zlib error") + ")";
            gzclose(f);
            return false;
        }
        if (n == 0)
            break;
        out.append(chunk.data(), static_cast<size_t>(n));
    }
    int code = 0;
    const char* msg = gzerror(f, &code);
    // A truncated stream ends with Z_BUF_ERROR rather than a failed read.
    if (code != Z_OK && code != Z_STREAM_END) {
        error = path + ": not a readable gzip file (" + std::string(msg ? msg : "zlib error") + ")";
        gzclose(f);
        return false;
    }
    gzclose(f);
    return true;
#endif
}

bool readIdxImages(const std::string& path, ImageSet& out, std::string& error)
{
    std::string bytes;
    if (!readMaybeGzipped(path, bytes, error))
        return false;
    if (!checkMagic(path, bytes, 2051, "image", 16, error))
        return false;
    const uint64_t count = bigEndian32(bytes, 4);
    const uint64_t rows = bigEndian32(bytes, 8);
    const uint64_t cols = bigEndian32(bytes, 12);
    if (rows == 0 || cols == 0 || rows > 4096 || cols > 4096) {
        error = path + ": IDX image size " + std::to_string(rows) + "×" + std::to_string(cols) +
                " is not a plausible image size";
        return false;
    }
    const uint64_t want = 16 + count * rows * cols;
    if (bytes.size() != want) {
        error = path + ": " + std::to_string(bytes.size()) + " bytes (uncompressed), but the header promises " +
                std::to_string(count) + " images of " + std::to_string(rows) + "×" + std::to_string(cols) + " (" +
                std::to_string(want) + " bytes)";
        return false;
    }
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
    if (!readMaybeGzipped(path, bytes, error))
        return false;
    if (!checkMagic(path, bytes, 2049, "label", 8, error))
        return false;
    const uint64_t count = bigEndian32(bytes, 4);
    if (bytes.size() != 8 + count) {
        error = path + ": " + std::to_string(bytes.size()) + " bytes (uncompressed), but the header promises " +
                std::to_string(count) + " labels (" + std::to_string(8 + count) + " bytes)";
        return false;
    }
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
