// Small value helpers of the graph model: names, labels, attribute access.
#include "core/graph/diagnostic.h"
#include "core/graph/layer_registry.h"

#include <iomanip>
#include <sstream>

namespace qnn {

namespace {

const AttrValue* defaultOf(LayerKind kind, const std::string& key)
{
    const AttrSpec* a = LayerRegistry::spec(kind).attr(key);
    return a ? &a->defaultValue : nullptr;
}

template <typename T>
T attrOr(const Node& n, const std::string& key, T fallback)
{
    auto it = n.attrs.find(key);
    if (it != n.attrs.end()) {
        if (auto v = std::get_if<T>(&it->second))
            return *v;
    }
    if (const AttrValue* d = defaultOf(n.kind, key))
        if (auto v = std::get_if<T>(d))
            return *v;
    return fallback;
}

} // namespace

// The registry is the one declaration of a kind: its name and its order live there.
const std::vector<LayerKind>& allLayerKinds()
{
    static const std::vector<LayerKind> kinds = [] {
        std::vector<LayerKind> out;
        for (const LayerSpec& s : LayerRegistry::all())
            out.push_back(s.kind);
        return out;
    }();
    return kinds;
}

std::string layerKindName(LayerKind kind) { return LayerRegistry::spec(kind).name; }

std::optional<LayerKind> layerKindFromName(const std::string& name)
{
    for (LayerKind k : allLayerKinds())
        if (layerKindName(k) == name)
            return k;
    return std::nullopt;
}

int64_t shapeSize(const Shape& shape)
{
    int64_t n = 1;
    for (int64_t d : shape)
        n *= d;
    return shape.empty() ? 0 : n;
}

std::string shapeToString(const Shape& shape)
{
    std::string s;
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i)
            s += "×";
        s += std::to_string(shape[i]);
    }
    return s.empty() ? "?" : s;
}

std::string elementTypeName(const TensorType& type)
{
    if (type.bits >= 32)
        return "float";
    if (type.bits == 1)
        return "bipolar";
    return (type.isSigned ? "int" : "uint") + std::to_string(type.bits);
}

std::string tensorTypeToString(const TensorType& type)
{
    return shapeToString(type.shape) + " · " + elementTypeName(type);
}

std::string precisionLabel(int weightBits, int actBits)
{
    if (weightBits >= 32 && actBits >= 32)
        return "FP32";
    auto part = [](int bits) { return bits >= 32 ? std::string("32") : std::to_string(bits); };
    return "W" + part(weightBits) + "A" + part(actBits);
}

std::string attrValueToString(const AttrValue& value)
{
    struct Visitor {
        std::string operator()(int64_t v) const { return std::to_string(v); }
        std::string operator()(double v) const
        {
            std::ostringstream s;
            s << std::setprecision(6) << v;
            return s.str();
        }
        std::string operator()(bool v) const { return v ? "true" : "false"; }
        std::string operator()(const std::string& v) const { return v; }
        std::string operator()(const std::vector<int64_t>& v) const { return shapeToString(v); }
    };
    return std::visit(Visitor{}, value);
}

int64_t Node::attrInt(const std::string& key) const { return attrOr<int64_t>(*this, key, 0); }
double Node::attrFloat(const std::string& key) const { return attrOr<double>(*this, key, 0.0); }
bool Node::attrBool(const std::string& key) const { return attrOr<bool>(*this, key, false); }
bool Node::attrBoolOr(const std::string& key, bool fallback) const { return attrOr<bool>(*this, key, fallback); }
std::string Node::attrString(const std::string& key) const { return attrOr<std::string>(*this, key, {}); }
std::vector<int64_t> Node::attrInts(const std::string& key) const
{
    return attrOr<std::vector<int64_t>>(*this, key, {});
}

std::string severityName(Severity severity)
{
    switch (severity) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Info: return "info";
    }
    return "?";
}

std::string categoryName(DiagnosticCategory category)
{
    switch (category) {
    case DiagnosticCategory::Structure: return "structure";
    case DiagnosticCategory::Shape: return "shape";
    case DiagnosticCategory::Quantization: return "quantization";
    case DiagnosticCategory::Attribute: return "attribute";
    case DiagnosticCategory::HardwareFit: return "hardware-fit";
    case DiagnosticCategory::OverlayCompatibility: return "overlay-compatibility";
    }
    return "?";
}

} // namespace qnn
