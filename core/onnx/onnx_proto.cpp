#include "core/onnx/onnx_proto.h"

#include "core/util/atomic_file.h"

#include <onnx/checker.h>

#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace qnn::onnx_io {

bool isQonnxDomain(const std::string& domain)
{
    return domain == kQonnxDomain || domain == "onnx.brevitas" || domain == "finn.custom_op.general";
}

namespace {

template <typename T>
std::vector<T> rawValues(const std::string& raw)
{
    std::vector<T> v(raw.size() / sizeof(T));
    if (!v.empty())
        std::memcpy(v.data(), raw.data(), v.size() * sizeof(T));
    return v;
}

float halfToFloat(uint16_t h)
{
    const uint32_t sign = (h & 0x8000u) << 16;
    const int exp = (h >> 10) & 0x1f;
    const uint32_t mant = h & 0x3ffu;
    float out;
    if (exp == 0) {
        out = std::ldexp(static_cast<float>(mant), -24);
    } else if (exp == 31) {
        out = mant ? NAN : INFINITY;
    } else {
        out = std::ldexp(static_cast<float>(mant | 0x400u), exp - 25);
    }
    uint32_t bits;
    std::memcpy(&bits, &out, 4);
    bits |= sign;
    std::memcpy(&out, &bits, 4);
    return out;
}

} // namespace

bool tensorFromProto(const onnx::TensorProto& p, Tensor& out, std::string& error)
{
    out = Tensor{};
    out.shape.assign(p.dims().begin(), p.dims().end());
    int64_t count = 0;
    if (!checkedSize(out.shape, count)) {
        error = "tensor '" + p.name() + "' has the dimensions " + shapeText(out.shape) +
                ", which are negative or hold more than 2^28 values";
        return false;
    }
    if (p.data_location() == onnx::TensorProto::EXTERNAL) {
        error = "tensor '" + p.name() + "' keeps its values in an external file, which is not supported";
        return false;
    }
    const bool raw = p.has_raw_data();
    switch (p.data_type()) {
    case onnx::TensorProto::FLOAT:
        out.f = raw ? rawValues<float>(p.raw_data()) : std::vector<float>(p.float_data().begin(), p.float_data().end());
        break;
    case onnx::TensorProto::DOUBLE: {
        std::vector<double> d = raw ? rawValues<double>(p.raw_data())
                                    : std::vector<double>(p.double_data().begin(), p.double_data().end());
        out.f.assign(d.begin(), d.end());
        break;
    }
    case onnx::TensorProto::FLOAT16: {
        std::vector<uint16_t> h = raw ? rawValues<uint16_t>(p.raw_data())
                                      : std::vector<uint16_t>(p.int32_data().begin(), p.int32_data().end());
        for (uint16_t v : h)
            out.f.push_back(halfToFloat(v));
        break;
    }
    case onnx::TensorProto::INT64:
        out.isInt = true;
        out.i = raw ? rawValues<int64_t>(p.raw_data()) : std::vector<int64_t>(p.int64_data().begin(), p.int64_data().end());
        break;
    case onnx::TensorProto::INT32: {
        out.isInt = true;
        std::vector<int32_t> v = raw ? rawValues<int32_t>(p.raw_data())
                                     : std::vector<int32_t>(p.int32_data().begin(), p.int32_data().end());
        out.i.assign(v.begin(), v.end());
        break;
    }
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::BOOL: {
        out.isInt = true;
        if (raw) {
            for (unsigned char c : p.raw_data())
                out.i.push_back(p.data_type() == onnx::TensorProto::INT8 ? static_cast<int8_t>(c) : c);
        } else {
            out.i.assign(p.int32_data().begin(), p.int32_data().end());
        }
        break;
    }
    default:
        error = "tensor '" + p.name() + "' has ONNX element type " + std::to_string(p.data_type()) +
                ", which is not supported (float, double, float16 and integer types are)";
        return false;
    }
    const int64_t n = out.size();
    const int64_t have = out.isInt ? static_cast<int64_t>(out.i.size()) : static_cast<int64_t>(out.f.size());
    if (n != have) {
        error = "tensor '" + p.name() + "' has shape " + shapeText(out.shape) + " (" + std::to_string(n) +
                " values) but holds " + std::to_string(have) + " values";
        return false;
    }
    return true;
}

onnx::TensorProto tensorToProto(const std::string& name, const Tensor& t)
{
    onnx::TensorProto p;
    p.set_name(name);
    for (int64_t d : t.shape)
        p.add_dims(d);
    if (t.isInt) {
        p.set_data_type(onnx::TensorProto::INT64);
        p.set_raw_data(std::string(reinterpret_cast<const char*>(t.i.data()), t.i.size() * sizeof(int64_t)));
    } else {
        p.set_data_type(onnx::TensorProto::FLOAT);
        p.set_raw_data(std::string(reinterpret_cast<const char*>(t.f.data()), t.f.size() * sizeof(float)));
    }
    return p;
}

namespace {

// Protobuf cannot parse a message of 2 GiB or more; larger files are refused before a byte is read.
constexpr int64_t kMaxModelBytes = (int64_t{1} << 31) - 1;

/** Reads a regular file of at most `limit` bytes from `offset` (`length` < 0: to the end). */
bool readRegularFile(const std::string& path, int64_t offset, int64_t length, int64_t limit, const std::string& what,
                     std::string& out, std::string& error)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        error = "cannot open " + what + " " + path + ": " + std::strerror(errno);
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        error = what + " " + path + " is not a regular file (" +
                (S_ISDIR(st.st_mode) ? "a folder" : S_ISFIFO(st.st_mode) ? "a pipe" : S_ISCHR(st.st_mode) ? "a device" : "a special file") +
                ")";
        return false;
    }
    const int64_t size = static_cast<int64_t>(st.st_size);
    if (offset < 0 || offset > size) {
        error = what + " " + path + " has " + std::to_string(size) + " bytes; the offset " + std::to_string(offset) +
                " lies outside it";
        return false;
    }
    if (length < 0)
        length = size - offset;
    if (length > size - offset) {
        error = what + " " + path + " has " + std::to_string(size) + " bytes; " + std::to_string(length) +
                " bytes from offset " + std::to_string(offset) + " do not fit in it";
        return false;
    }
    if (length > limit) {
        error = what + " " + path + " is " + std::to_string(length) + " bytes, more than the " + std::to_string(limit) +
                " this tool reads";
        return false;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in || !in.seekg(offset)) {
        error = "cannot read " + what + " " + path + ": " + std::strerror(errno);
        return false;
    }
    out.resize(static_cast<size_t>(length));
    if (length > 0 && !in.read(&out[0], length)) {
        error = "cannot read " + what + " " + path + " (it ended early)";
        return false;
    }
    return true;
}

int64_t elementBytes(int32_t type)
{
    switch (type) {
    case onnx::TensorProto::DOUBLE:
    case onnx::TensorProto::INT64: return 8;
    case onnx::TensorProto::FLOAT:
    case onnx::TensorProto::INT32: return 4;
    case onnx::TensorProto::FLOAT16: return 2;
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::BOOL: return 1;
    default: return 0;
    }
}

/** An initializer stored in a file beside the model (onnx.save_model(...,
 *  save_as_external_data=True)): its bytes become raw_data. Only plain file
 *  names under the model's folder are followed. */
bool loadExternal(onnx::TensorProto& t, const std::filesystem::path& dir, std::string& error)
{
    std::string location;
    int64_t offset = 0, length = -1;
    for (const auto& kv : t.external_data()) {
        try {
            if (kv.key() == "location")
                location = kv.value();
            else if (kv.key() == "offset")
                offset = std::stoll(kv.value());
            else if (kv.key() == "length")
                length = std::stoll(kv.value());
        } catch (const std::exception&) {
            error = "tensor '" + t.name() + "': its external data " + kv.key() + " \"" + kv.value() + "\" is not a number";
            return false;
        }
    }
    const std::filesystem::path rel(location);
    bool plain = !location.empty() && rel.is_relative() && location.find('\0') == std::string::npos;
    for (const auto& part : rel)
        plain = plain && part != ".." && part != ".";
    if (!plain) {
        error = "tensor '" + t.name() + "' keeps its values in \"" + location +
                "\"; only files inside the model's folder are read (no absolute paths, no \"..\")";
        return false;
    }
    std::error_code ec;
    if (std::filesystem::is_symlink(dir / rel, ec)) {
        error = "tensor '" + t.name() + "' keeps its values in " + (dir / rel).string() +
                ", a symbolic link; only regular files inside the model's folder are read";
        return false;
    }
    int64_t count = 0;
    const std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
    const int64_t bytes = elementBytes(t.data_type());
    if (!checkedSize(dims, count) || bytes == 0) {
        error = "tensor '" + t.name() + "' has dimensions " + shapeText(dims) + " or an element type (" +
                std::to_string(t.data_type()) + ") that cannot be read from external data";
        return false;
    }
    const int64_t expected = count * bytes;
    if (length >= 0 && length != expected) {
        error = "tensor '" + t.name() + "' of shape " + shapeText(dims) + " needs " + std::to_string(expected) +
                " bytes, but its external data says " + std::to_string(length);
        return false;
    }
    std::string raw;
    if (!readRegularFile((dir / rel).string(), offset, expected, expected, "the external data file", raw, error))
        return false;
    t.set_raw_data(std::move(raw));
    t.clear_external_data();
    t.set_data_location(onnx::TensorProto::DEFAULT);
    return true;
}

} // namespace

bool readModel(const std::string& path, onnx::ModelProto& model, std::string& error)
{
    std::string bytes;
    if (!readRegularFile(path, 0, -1, kMaxModelBytes, "the model", bytes, error))
        return false;
    if (!model.ParseFromString(bytes)) {
        error = path + " is not an ONNX model (it does not parse as an ONNX protobuf)";
        return false;
    }
    if (!model.has_graph() || model.graph().node_size() == 0 || model.ir_version() <= 0) {
        error = path + " is not an ONNX model (it holds no graph" +
                std::string(model.ir_version() <= 0 ? " and no IR version" : "") + ")";
        return false;
    }
    const std::filesystem::path dir = std::filesystem::path(path).parent_path();
    for (auto& t : *model.mutable_graph()->mutable_initializer())
        if (t.data_location() == onnx::TensorProto::EXTERNAL && !loadExternal(t, dir.empty() ? "." : dir, error)) {
            error = path + ": " + error;
            return false;
        }
    return true;
}

bool writeModel(const std::string& path, const onnx::ModelProto& model, std::string& error)
{
    std::string bytes;
    if (!model.SerializeToString(&bytes)) {
        error = "the ONNX model could not be serialised";
        return false;
    }
    return writeFileAtomic(path, bytes, error);
}

bool checkModel(const onnx::ModelProto& model, std::string& error)
{
    try {
        onnx::checker::check_model(model);
    } catch (const std::exception& e) {
        error = std::string("onnx checker: ") + e.what();
        return false;
    }
    return true;
}

namespace {

onnx::AttributeProto& addAttr(onnx::NodeProto& node, const std::string& name, onnx::AttributeProto::AttributeType type)
{
    onnx::AttributeProto& a = *node.add_attribute();
    a.set_name(name);
    a.set_type(type);
    return a;
}

} // namespace

void setAttr(onnx::NodeProto& node, const std::string& name, int64_t value)
{
    addAttr(node, name, onnx::AttributeProto::INT).set_i(value);
}

void setAttr(onnx::NodeProto& node, const std::string& name, float value)
{
    addAttr(node, name, onnx::AttributeProto::FLOAT).set_f(value);
}

void setAttr(onnx::NodeProto& node, const std::string& name, const std::string& value)
{
    addAttr(node, name, onnx::AttributeProto::STRING).set_s(value);
}

void setAttr(onnx::NodeProto& node, const std::string& name, const std::vector<int64_t>& value)
{
    onnx::AttributeProto& a = addAttr(node, name, onnx::AttributeProto::INTS);
    for (int64_t x : value)
        a.add_ints(x);
}

const onnx::AttributeProto* findAttr(const onnx::NodeProto& node, const std::string& name)
{
    for (const auto& a : node.attribute())
        if (a.name() == name)
            return &a;
    return nullptr;
}

int64_t attrInt(const onnx::NodeProto& node, const std::string& name, int64_t fallback)
{
    const auto* a = findAttr(node, name);
    return a ? a->i() : fallback;
}

float attrFloat(const onnx::NodeProto& node, const std::string& name, float fallback)
{
    const auto* a = findAttr(node, name);
    return a ? a->f() : fallback;
}

std::string attrString(const onnx::NodeProto& node, const std::string& name, const std::string& fallback)
{
    const auto* a = findAttr(node, name);
    return a ? a->s() : fallback;
}

std::vector<int64_t> attrInts(const onnx::NodeProto& node, const std::string& name)
{
    const auto* a = findAttr(node, name);
    return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : std::vector<int64_t>{};
}

std::string nodeLabel(const onnx::NodeProto& node)
{
    if (!node.name().empty())
        return "node '" + node.name() + "' (" + node.op_type() + ")";
    return "the " + node.op_type() + " node" +
           (node.output_size() ? " that writes '" + node.output(0) + "'" : std::string());
}

} // namespace qnn::onnx_io
