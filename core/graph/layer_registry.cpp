#include "core/graph/layer_registry.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <sstream>

namespace qnn {

namespace {

AttrSpec requiredAttr(AttrSpec a)
{
    a.required = true;
    return a;
}

AttrSpec noteWhenAbsent(AttrSpec a, std::string why)
{
    a.absentNote = std::move(why);
    return a;
}

AttrSpec intAttr(std::string name, int64_t def, double lo, double hi, std::string doc)
{
    AttrSpec a;
    a.name = std::move(name);
    a.type = AttrType::Int;
    a.defaultValue = def;
    a.min = lo;
    a.max = hi;
    a.doc = std::move(doc);
    return a;
}

AttrSpec floatAttr(std::string name, double def, double lo, double hi, std::string doc)
{
    AttrSpec a = intAttr(std::move(name), 0, lo, hi, std::move(doc));
    a.type = AttrType::Float;
    a.defaultValue = def;
    return a;
}

AttrSpec boolAttr(std::string name, bool def, std::string doc)
{
    AttrSpec a;
    a.name = std::move(name);
    a.type = AttrType::Bool;
    a.defaultValue = def;
    a.doc = std::move(doc);
    return a;
}

AttrSpec enumAttr(std::string name, std::string def, std::vector<std::string> choices, std::string doc)
{
    AttrSpec a;
    a.name = std::move(name);
    a.type = AttrType::Enum;
    a.defaultValue = std::move(def);
    a.choices = std::move(choices);
    a.doc = std::move(doc);
    return a;
}

// PyTorch's layers have a bias by default; BNN-PYNQ's, before a BatchNorm, have none.
AttrSpec biasAttr()
{
    return noteWhenAbsent(boolAttr("bias", true, "Add a learned bias (usually off when BatchNorm follows)."),
                          "PyTorch's layers add one, the BNN-PYNQ networks' layers before a BatchNorm do not");
}

std::string shapeWord(const TensorType& t) { return shapeToString(t.shape); }

bool isFlat(const TensorType& t) { return t.shape.size() == 1; }
bool isImage(const TensorType& t) { return t.shape.size() == 3; }

// Output size of a sliding window; <= 0 when the window does not fit.
int64_t windowOut(int64_t in, int64_t kernel, int64_t stride, int64_t pad)
{
    const int64_t span = in + 2 * pad - kernel;
    return span < 0 ? 0 : span / stride + 1;
}

InferResult inferWindow(const Node& n, const TensorType& in, int64_t channels, bool keepBits)
{
    const int64_t k = n.attrInt("kernel");
    const int64_t s = n.attrInt("stride");
    const int64_t p = n.kind == LayerKind::Conv2D ? n.attrInt("padding") : 0;
    if (!isImage(in))
    {
        InferResult r = InferResult::failure(layerKindName(n.kind) + " needs a C×H×W input but gets " + shapeWord(in));
        r.needsImage = true;
        return r;
    }
    const int64_t oh = windowOut(in.shape[1], k, s, p);
    const int64_t ow = windowOut(in.shape[2], k, s, p);
    if (oh <= 0 || ow <= 0) {
        std::ostringstream msg;
        msg << "kernel " << k << "×" << k << " does not fit the " << shapeWord(in) << " input";
        if (p > 0)
            msg << " with padding " << p;
        return InferResult::failure(msg.str());
    }
    TensorType out;
    out.shape = {channels, oh, ow};
    if (keepBits) {
        out.bits = in.bits;
        out.isSigned = in.isSigned;
    }
    return InferResult::success(out);
}

// Keeps weight and MAC counts far from int64 overflow in the cost figures.
bool tooManyWeights(int64_t fanIn, int64_t fanOut)
{
    constexpr int64_t limit = int64_t(1) << 40;
    return fanIn > 0 && fanOut > limit / fanIn;
}

TensorType passThrough(const TensorType& in) { return in; }

LayerSpec inputSpec()
{
    LayerSpec s;
    s.kind = LayerKind::Input;
    s.name = "Input";
    s.category = "Inputs";
    s.doc = "Network input: a flat vector or a C×H×W image; its activation bits say how pixels are fed "
            "(1 = binarized, 8 = bytes, 32 = float).";
    s.inputs = 0;
    AttrSpec shape;
    shape.name = "shape";
    shape.type = AttrType::IntList;
    shape.defaultValue = std::vector<int64_t>{784};
    shape.min = 1;
    shape.max = 1 << 16;
    shape.listLengths = {1, 3};
    shape.doc = "Flat size (e.g. 784) or channels, height, width (e.g. 3, 32, 32).";
    shape.required = true;
    AttrSpec narrow = boolAttr("narrow", true,
                               "Signed codes ±(2^(n-1)-1) of 1/(2^(n-1)-1). Off: the fixed point of [-1, 1), "
                               "codes -2^(n-1) … 2^(n-1)-1 of 2^-(n-1) (Brevitas' narrow_range=False input "
                               "quantizer, BNN-PYNQ's ap_fixed<8,1>).");
    narrow.writtenWhenDefault = false;
    s.attrs = {shape, narrow};
    s.hasActivationBits = true;
    s.infer = [](const Node& n, const std::vector<TensorType>&) {
        TensorType t;
        t.shape = n.attrInts("shape");
        t.bits = n.quant.actBits;
        return InferResult::success(t);
    };
    return s;
}

LayerSpec denseSpec()
{
    LayerSpec s;
    s.kind = LayerKind::Dense;
    s.name = "Dense";
    s.category = "Layers";
    s.doc = "Fully connected layer (a matrix–vector unit on the FPGA).";
    s.attrs = {requiredAttr(intAttr("units", 64, 1, 65536, "Number of output neurons.")),
               biasAttr()};
    s.hasWeights = true;
    s.infer = [](const Node& n, const std::vector<TensorType>& in) {
        if (!isFlat(in[0]))
            return InferResult::failure("Dense needs a flat input but gets " + shapeWord(in[0]) +
                                        "; insert a Flatten before it");
        if (tooManyWeights(shapeSize(in[0].shape), n.attrInt("units")))
            return InferResult::failure("a Dense of " + std::to_string(n.attrInt("units")) + " units on " +
                                        shapeWord(in[0]) + " inputs would have more than 2^40 weights");
        TensorType t;
        t.shape = {n.attrInt("units")};
        return InferResult::success(t);
    };
    return s;
}

LayerSpec convSpec()
{
    LayerSpec s;
    s.kind = LayerKind::Conv2D;
    s.name = "Conv2D";
    s.category = "Layers";
    s.doc = "2-D convolution over a C×H×W input (sliding window + matrix–vector unit on the FPGA).";
    s.attrs = {requiredAttr(intAttr("filters", 64, 1, 4096, "Number of output channels.")),
               requiredAttr(intAttr("kernel", 3, 1, 15, "Square kernel size.")),
               intAttr("stride", 1, 1, 8, "Step of the window."),
               intAttr("padding", 0, 0, 7, "Zero padding on each side (0 = valid)."),
               biasAttr()};
    s.hasWeights = true;
    s.infer = [](const Node& n, const std::vector<TensorType>& in) {
        if (isImage(in[0]) && tooManyWeights(in[0].shape[0] * n.attrInt("kernel") * n.attrInt("kernel"),
                                             n.attrInt("filters") * in[0].shape[1] * in[0].shape[2]))
            return InferResult::failure("this convolution on a " + shapeWord(in[0]) +
                                        " input would need more than 2^40 multiply-accumulates per frame");
        return inferWindow(n, in[0], n.attrInt("filters"), false);
    };
    return s;
}

// MaxPool and AvgPool share their attributes and inference.
LayerSpec poolSpec(LayerKind kind)
{
    LayerSpec s;
    s.kind = kind;
    s.name = kind == LayerKind::MaxPool ? "MaxPool" : "AvgPool";
    s.category = "Pooling";
    s.doc = kind == LayerKind::MaxPool ? "Largest value of each window, per channel."
                                       : "Mean of each window, per channel.";
    s.attrs = {requiredAttr(intAttr("kernel", 2, 1, 16, "Square window size.")),
               requiredAttr(intAttr("stride", 2, 1, 16, "Step of the window."))};
    if (kind == LayerKind::AvgPool) {
        // Brevitas' TruncAvgPool2d (QONNX AveragePool → Mul k² → Trunc):
        // the window's sum in steps of the input's scale, shifted right.
        AttrSpec scale = floatAttr("trunc_scale", 0.0, 0.0, 1e6,
                                   "0: the exact mean. Else the input's quantization step s: the output is "
                                   "s · floor(round(sum of the window / s) / 2^trunc_bits), as Brevitas' "
                                   "truncating average pool computes it.");
        AttrSpec bits = intAttr("trunc_bits", 0, 0, 16,
                                "Bits the window's sum is shifted right by (with trunc_scale; 2·log2(kernel) "
                                "gives the floored mean).");
        scale.writtenWhenDefault = false;
        bits.writtenWhenDefault = false;
        s.attrs.push_back(scale);
        s.attrs.push_back(bits);
    }
    s.infer = [kind](const Node& n, const std::vector<TensorType>& in) {
        if (!isImage(in[0]))
            return inferWindow(n, in[0], 0, false);
        return inferWindow(n, in[0], in[0].shape[0], kind == LayerKind::MaxPool);
    };
    return s;
}

LayerSpec batchNormSpec()
{
    LayerSpec s;
    s.kind = LayerKind::BatchNorm;
    s.name = "BatchNorm";
    s.category = "Layers";
    s.doc = "Batch normalization per channel (folded into integer thresholds on the FPGA).";
    s.attrs = {floatAttr("eps", 1e-5, 1e-10, 1.0, "Added to the variance for stability."),
               floatAttr("momentum", 0.1, 0.0, 1.0, "Weight of a new batch in the running statistics.")};
    s.infer = [](const Node&, const std::vector<TensorType>& in) {
        TensorType t;
        t.shape = in[0].shape;
        return InferResult::success(t);
    };
    return s;
}

LayerSpec activationSpec()
{
    LayerSpec s;
    s.kind = LayerKind::Activation;
    s.name = "Activation";
    s.category = "Quantization";
    s.doc = "Non-linearity, quantized to the node's activation bits (sign = binary, 1 bit).";
    s.attrs = {requiredAttr(enumAttr("function", "hardtanh", {"identity", "relu", "hardtanh", "sign"},
                                     "identity, relu, hardtanh (clip to [-1,1]) or sign (±1)."))};
    s.hasActivationBits = true;
    s.infer = [](const Node& n, const std::vector<TensorType>& in) {
        TensorType t;
        t.shape = in[0].shape;
        const std::string fn = n.attrString("function");
        t.bits = fn == "sign" ? 1 : n.quant.actBits;
        t.isSigned = fn != "relu";
        return InferResult::success(t);
    };
    return s;
}

LayerSpec quantActSpec()
{
    LayerSpec s;
    s.kind = LayerKind::QuantAct;
    s.name = "QuantAct";
    s.category = "Quantization";
    s.doc = "Uniform quantizer to the node's activation bits over a fixed range.";
    s.defaultQuant.actBits = 8;
    // A lost range would clip at 1.0 and a lost sign drop every negative
    // value: neither default is one a reader of the file could guess.
    s.attrs = {requiredAttr(boolAttr("signed", true, "Levels span [-range, range] when on, [0, range] when off.")),
               requiredAttr(
                   floatAttr("range", 1.0, 1e-6, 1e6, "Largest magnitude represented; values beyond are clipped.")),
               noteWhenAbsent(boolAttr("narrow", true,
                                       "Signed levels are symmetric, ±(2^(n-1)-1) steps, when on; off adds the level "
                                       "-2^(n-1) (two's complement, Brevitas' default for activations)."),
                              "files written before the option existed meant true, but Brevitas' default for "
                              "activations is false")};
    s.hasActivationBits = true;
    s.infer = [](const Node& n, const std::vector<TensorType>& in) {
        TensorType t;
        t.shape = in[0].shape;
        t.bits = n.quant.actBits;
        t.isSigned = n.attrBool("signed");
        return InferResult::success(t);
    };
    return s;
}

LayerSpec dropoutSpec()
{
    LayerSpec s;
    s.kind = LayerKind::Dropout;
    s.name = "Dropout";
    s.category = "Layers";
    s.doc = "Zeroes a random fraction of values while training; nothing at inference.";
    s.attrs = {noteWhenAbsent(floatAttr("p", 0.2, 0.0, 0.99, "Probability of dropping each value."),
                              "PyTorch's Dropout drops half (0.5)")};
    s.infer = [](const Node&, const std::vector<TensorType>& in) { return InferResult::success(passThrough(in[0])); };
    return s;
}

LayerSpec flattenSpec()
{
    LayerSpec s;
    s.kind = LayerKind::Flatten;
    s.name = "Flatten";
    s.category = "Layers";
    s.doc = "Turns C×H×W into a flat vector (channel-major).";
    s.infer = [](const Node&, const std::vector<TensorType>& in) {
        TensorType t = in[0];
        t.shape = {shapeSize(in[0].shape)};
        return InferResult::success(t);
    };
    return s;
}

LayerSpec addSpec()
{
    LayerSpec s;
    s.kind = LayerKind::Add;
    s.name = "Add";
    s.category = "Merge";
    s.doc = "Element-wise sum of two tensors of the same shape (residual connections).";
    s.inputs = 2;
    s.infer = [](const Node&, const std::vector<TensorType>& in) {
        if (in[0].shape != in[1].shape)
            return InferResult::failure("Add needs inputs of the same shape, but gets " + shapeWord(in[0]) +
                                        " and " + shapeWord(in[1]));
        TensorType t;
        t.shape = in[0].shape;
        return InferResult::success(t);
    };
    return s;
}

LayerSpec concatSpec()
{
    LayerSpec s;
    s.kind = LayerKind::Concat;
    s.name = "Concat";
    s.category = "Merge";
    s.doc = "Joins its inputs along the channel axis (or end to end when flat).";
    s.inputs = -1;
    s.inputCountAttr = "inputs";
    s.attrs = {intAttr("inputs", 2, 2, 8, "Number of input ports.")};
    s.infer = [](const Node&, const std::vector<TensorType>& in) {
        TensorType t = in[0];
        for (size_t i = 1; i < in.size(); ++i) {
            const bool sameRank = in[i].shape.size() == in[0].shape.size();
            const bool sameRest = sameRank && std::equal(in[i].shape.begin() + 1, in[i].shape.end(),
                                                         in[0].shape.begin() + 1);
            if (!sameRest)
                return InferResult::failure("Concat needs inputs that differ only in channels, but gets " +
                                            shapeWord(in[0]) + " and " + shapeWord(in[i]));
            t.shape[0] += in[i].shape[0];
            if (in[i].bits != t.bits || in[i].isSigned != t.isSigned) {
                t.bits = std::max(t.bits, in[i].bits);
                t.isSigned = t.isSigned || in[i].isSigned;
            }
        }
        return InferResult::success(t);
    };
    return s;
}

LayerSpec outputSpec()
{
    LayerSpec s;
    s.kind = LayerKind::Output;
    s.name = "Output";
    s.category = "Outputs";
    s.doc = "Class scores: one value per class; the largest one is the prediction.";
    s.outputs = 0;
    s.attrs = {requiredAttr(intAttr("classes", 10, 2, 100000, "Number of classes."))};
    s.infer = [](const Node& n, const std::vector<TensorType>& in) {
        const int64_t classes = n.attrInt("classes");
        if (!isFlat(in[0]) || in[0].shape[0] != classes)
            return InferResult::failure("Output expects " + std::to_string(classes) +
                                        " values (one per class) but gets " + shapeWord(in[0]));
        return InferResult::success(in[0]);
    };
    return s;
}

// The registry's order is the palette's and the project files' kind order.
std::vector<LayerSpec> buildSpecs()
{
    return {inputSpec(),
            denseSpec(),
            convSpec(),
            poolSpec(LayerKind::MaxPool),
            poolSpec(LayerKind::AvgPool),
            batchNormSpec(),
            activationSpec(),
            quantActSpec(),
            dropoutSpec(),
            flattenSpec(),
            addSpec(),
            concatSpec(),
            outputSpec()};
}

} // namespace

const AttrSpec* LayerSpec::attr(const std::string& attrName) const
{
    for (const AttrSpec& a : attrs)
        if (a.name == attrName)
            return &a;
    return nullptr;
}

int LayerSpec::inputCount(const Node& node) const
{
    if (inputs >= 0)
        return inputs;
    // A loaded file may hold any number here; validation reports it, and the
    // port count stays within the declared range so that nothing allocates a million ports.
    const AttrSpec* a = attr(inputCountAttr);
    const int64_t n = node.attrInt(inputCountAttr);
    return static_cast<int>(std::clamp<int64_t>(n, static_cast<int64_t>(a->min), static_cast<int64_t>(a->max)));
}

namespace {

std::string number(double v)
{
    std::ostringstream s;
    s << v;
    return s.str();
}

} // namespace

std::string attributeProblem(const AttrSpec& a, const AttrValue& v)
{
    const std::string range = " (allowed " + number(a.min) + " to " + number(a.max) + ")";
    auto outOfRange = [&](double x) { return x < a.min || x > a.max || std::isnan(x); };
    switch (a.type) {
    case AttrType::Int:
        if (!std::holds_alternative<int64_t>(v))
            return a.name + " must be an integer";
        if (outOfRange(static_cast<double>(std::get<int64_t>(v))))
            return a.name + " is " + attrValueToString(v) + ", out of range" + range;
        return {};
    case AttrType::Float:
        if (!std::holds_alternative<double>(v))
            return a.name + " must be a number";
        if (outOfRange(std::get<double>(v)))
            return a.name + " is " + attrValueToString(v) + ", out of range" + range;
        return {};
    case AttrType::Bool:
        return std::holds_alternative<bool>(v) ? std::string() : a.name + " must be true or false";
    case AttrType::Enum: {
        const auto* s = std::get_if<std::string>(&v);
        if (s && std::find(a.choices.begin(), a.choices.end(), *s) != a.choices.end())
            return {};
        std::string options;
        for (const auto& c : a.choices)
            options += (options.empty() ? "" : ", ") + c;
        return s ? a.name + " is '" + *s + "'; choose one of " + options : a.name + " must be one of " + options;
    }
    case AttrType::IntList: {
        const auto* list = std::get_if<std::vector<int64_t>>(&v);
        if (!list)
            return a.name + " must be a list of integers";
        if (!a.listLengths.empty() &&
            std::find(a.listLengths.begin(), a.listLengths.end(), list->size()) == a.listLengths.end()) {
            if (a.listLengths == std::vector<size_t>{1, 3})
                return a.name + " has " + std::to_string(list->size()) +
                       " entries; give a flat size (1 entry) or channels, height, width (3 entries)";
            std::string lengths;
            for (size_t n : a.listLengths)
                lengths += (lengths.empty() ? "" : " or ") + std::to_string(n);
            return a.name + " has " + std::to_string(list->size()) + " entries; give " + lengths;
        }
        for (int64_t x : *list)
            if (outOfRange(static_cast<double>(x)))
                return a.name + " contains " + std::to_string(x) + ", out of range" + range;
        return {};
    }
    }
    return {};
}

const std::vector<LayerSpec>& LayerRegistry::all()
{
    static const std::vector<LayerSpec> specs = buildSpecs();
    return specs;
}

const LayerSpec& LayerRegistry::spec(LayerKind kind)
{
    const auto& specs = all();
    for (const LayerSpec& s : specs)
        if (s.kind == kind)
            return s;
    assert(false && "every LayerKind has a spec");
    return specs.front();
}

const std::vector<std::string>& LayerRegistry::categories()
{
    static const std::vector<std::string> groups{"Inputs", "Layers", "Quantization", "Pooling", "Merge", "Outputs"};
    return groups;
}

Node LayerRegistry::makeNode(LayerKind kind, NodeId id, const std::string& name)
{
    const LayerSpec& s = spec(kind);
    Node n;
    n.id = id;
    n.kind = kind;
    n.name = name;
    n.quant = s.defaultQuant;
    for (const AttrSpec& a : s.attrs)
        n.attrs[a.name] = a.defaultValue;
    return n;
}

} // namespace qnn
