#include "core/onnx/onnx_proto.h"

#include "core/util/atomic_file.h"

#include <onnx/checker.h>

#include <cmath>
#include <cstring>

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

bool readModel(const std::string& path, onnx::ModelProto& model, std::string& error)
{
    std::string bytes;
    if (!readFile(path, bytes, error))
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
