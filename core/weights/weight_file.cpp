#include "core/weights/weight_file.h"

#include "core/util/atomic_file.h"
#include "core/util/json_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

namespace qnn {

namespace {

constexpr const char* kMagic = "QNNW-WEIGHTS";

bool littleEndianHost()
{
    const uint32_t one = 1;
    unsigned char b = 0;
    std::memcpy(&b, &one, 1);
    return b == 1;
}

void appendFloats(std::string& out, const std::vector<float>& values)
{
    const size_t at = out.size();
    out.resize(at + values.size() * 4);
    if (littleEndianHost()) {
        std::memcpy(&out[at], values.data(), values.size() * 4);
        return;
    }
    for (size_t i = 0; i < values.size(); ++i) {
        uint32_t u;
        std::memcpy(&u, &values[i], 4);
        for (int k = 0; k < 4; ++k)
            out[at + i * 4 + k] = static_cast<char>((u >> (8 * k)) & 0xFF);
    }
}

void readFloats(const char* bytes, size_t count, std::vector<float>& out)
{
    out.resize(count);
    if (count == 0)
        return; // out.data() may be null, and memcpy from or to null is undefined even for 0 bytes
    if (littleEndianHost()) {
        std::memcpy(out.data(), bytes, count * 4);
        return;
    }
    for (size_t i = 0; i < count; ++i) {
        uint32_t u = 0;
        for (int k = 0; k < 4; ++k)
            u |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i * 4 + k])) << (8 * k);
        std::memcpy(&out[i], &u, 4);
    }
}

} // namespace

int64_t WeightTensor::elementCount() const
{
    int64_t n = 1;
    for (int64_t d : shape)
        n *= d;
    return n;
}

const WeightTensor* NodeWeights::find(const std::string& name) const
{
    for (const WeightTensor& t : tensors)
        if (t.name == name)
            return &t;
    return nullptr;
}

const NodeWeights* WeightFile::find(NodeId node) const
{
    auto it = nodes.find(node);
    return it == nodes.end() ? nullptr : &it->second;
}

bool writeWeightFile(const std::string& path, const WeightFile& file, std::string& error)
{
    nlohmann::json header;
    header["format"] = "qnn-workbench-weights";
    header["version"] = kWeightFileVersion;
    header["epoch"] = file.epoch;
    header["tag"] = file.tag;
    nlohmann::json nodes = nlohmann::json::array();
    std::string data;
    int64_t offset = 0;
    for (const auto& [id, n] : file.nodes) {
        nlohmann::json jn;
        jn["id"] = id;
        jn["name"] = n.nodeName;
        jn["kind"] = n.kind;
        jn["scalars"] = nlohmann::json::object();
        for (const auto& [k, v] : n.scalars)
            jn["scalars"][k] = v;
        nlohmann::json tensors = nlohmann::json::array();
        for (const WeightTensor& t : n.tensors) {
            if (t.elementCount() != static_cast<int64_t>(t.values.size())) {
                error = "cannot write " + path + ": tensor " + n.nodeName + "." + t.name + " has " +
                        std::to_string(t.values.size()) + " values but its shape holds " +
                        std::to_string(t.elementCount());
                return false;
            }
            tensors.push_back({{"name", t.name}, {"shape", t.shape}, {"offset", offset}});
            offset += static_cast<int64_t>(t.values.size());
            appendFloats(data, t.values);
        }
        jn["tensors"] = std::move(tensors);
        nodes.push_back(std::move(jn));
    }
    header["nodes"] = std::move(nodes);
    header["value_count"] = offset;
    std::string bytes = std::string(kMagic) + " " + std::to_string(kWeightFileVersion) + "\n";
    bytes += header.dump();
    bytes += "\n";
    bytes += data;
    return writeFileAtomic(path, bytes, error);
}

namespace {

// Reads from fd until `bytes` holds `want` bytes or the file ends.
bool readUpTo(int fd, std::string& bytes, size_t want, const std::string& path, std::string& error)
{
    size_t at = bytes.size();
    bytes.resize(want);
    while (at < want) {
        const ssize_t n = ::read(fd, &bytes[at], want - at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            error = "cannot read " + path + ": " + std::strerror(errno);
            return false;
        }
        if (n == 0)
            break;
        at += size_t(n);
    }
    bytes.resize(at);
    return true;
}

struct FdCloser {
    int fd;
    ~FdCloser()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

// The two text lines come first; the data's size must then match what the header announces.
constexpr size_t kMaxHeaderBytes = size_t(64) << 20;

} // namespace

bool readWeightFile(const std::string& path, WeightFile& out, std::string& error)
{
    int fd = -1;
    uint64_t fileSize = 0;
    if (!openRegularFile(path, fd, fileSize, error))
        return false;
    FdCloser closer{fd};
    std::string bytes;
    // Only the header is read before it is checked: a huge file without a newline is refused, not loaded.
    if (!readUpTo(fd, bytes, size_t(std::min<uint64_t>(fileSize, kMaxHeaderBytes)), path, error))
        return false;
    const std::string bad = path + ": not a weight file of QNN Workbench";
    const size_t firstEnd = bytes.find('\n');
    if (firstEnd == std::string::npos || bytes.compare(0, std::strlen(kMagic) + 1, std::string(kMagic) + " ") != 0) {
        error = bad + " (it does not start with \"" + kMagic + "\")";
        return false;
    }
    int version = 0;
    try {
        version = std::stoi(bytes.substr(std::strlen(kMagic) + 1, firstEnd - std::strlen(kMagic) - 1));
    } catch (const std::exception&) {
        error = bad + " (no version number on the first line)";
        return false;
    }
    if (version > kWeightFileVersion) {
        error = path + ": weight file version " + std::to_string(version) +
                " is newer than this program reads (version " + std::to_string(kWeightFileVersion) +
                "); update QNN Workbench";
        return false;
    }
    if (version < 1) {
        error = bad + " (version " + std::to_string(version) + ")";
        return false;
    }
    const size_t headerEnd = bytes.find('\n', firstEnd + 1);
    if (headerEnd == std::string::npos) {
        error = fileSize > kMaxHeaderBytes
                    ? bad + " (no header line ends within its first " + std::to_string(kMaxHeaderBytes >> 20) + " MB)"
                    : path + ": truncated weight file (the header line has no end)";
        return false;
    }
    nlohmann::json header;
    std::string jsonError;
    if (!parseJson(bytes.substr(firstEnd + 1, headerEnd - firstEnd - 1), header, jsonError)) {
        error = path + ": the header of the weight file is " + jsonError;
        return false;
    }
    const uint64_t dataBytes = fileSize - (headerEnd + 1);
    WeightFile file;
    try {
        file.epoch = header.at("epoch").get<int>();
        file.tag = header.at("tag").get<std::string>();
        const int64_t valueCount = header.at("value_count").get<int64_t>();
        if (valueCount < 0 || static_cast<uint64_t>(valueCount) > dataBytes / 4 ||
            static_cast<uint64_t>(valueCount) * 4 != dataBytes) {
            error = path + ": truncated or padded weight file: the header announces " + std::to_string(valueCount) +
                    " values but " + std::to_string(dataBytes) + " bytes follow it";
            return false;
        }
        // The size matches the header: now the data may be read.
        if (!readUpTo(fd, bytes, size_t(fileSize), path, error))
            return false;
        if (bytes.size() != fileSize) {
            error = path + ": the file changed while it was read";
            return false;
        }
        const char* data = bytes.data() + headerEnd + 1;
        for (const auto& jn : header.at("nodes")) {
            NodeWeights n;
            n.node = jn.at("id").get<NodeId>();
            n.nodeName = jn.at("name").get<std::string>();
            n.kind = jn.at("kind").get<std::string>();
            for (const auto& [k, v] : jn.at("scalars").items())
                n.scalars[k] = v.get<double>();
            for (const auto& jt : jn.at("tensors")) {
                WeightTensor t;
                t.name = jt.at("name").get<std::string>();
                t.shape = jt.at("shape").get<std::vector<int64_t>>();
                const int64_t offset = jt.at("offset").get<int64_t>();
                // Checked product: a shape of -1 or one whose product overflows never reaches the reader.
                int64_t count = 1;
                for (int64_t d : t.shape) {
                    if (d < 0 || (d > 0 && count > valueCount / d)) {
                        error = path + ": tensor " + n.nodeName + "." + t.name +
                                " has an impossible shape (a negative size, or more values than the file holds)";
                        return false;
                    }
                    count *= d;
                }
                if (count > valueCount || offset < 0 || offset > valueCount - count) {
                    error = path + ": tensor " + n.nodeName + "." + t.name + " lies outside the data of the file";
                    return false;
                }
                readFloats(data + offset * 4, static_cast<size_t>(count), t.values);
                n.tensors.push_back(std::move(t));
            }
            if (file.nodes.count(n.node)) {
                error = path + ": node id " + std::to_string(n.node) + " appears twice";
                return false;
            }
            file.nodes[n.node] = std::move(n);
        }
    } catch (const nlohmann::json::exception& e) {
        error = bad + " (the header lacks a field or has one of the wrong type: " + e.what() + ")";
        return false;
    }
    out = std::move(file);
    return true;
}

} // namespace qnn
