#include "core/onnx/qonnx_import.h"

#include "core/graph/graph_analysis.h"
#include "core/graph/layer_registry.h"
#include "core/onnx/onnx_graph_order.h"
#include "core/onnx/onnx_ops.h"
#include "core/quant/quantization.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <set>

namespace qnn {

using onnx_io::Tensor;
using onnx_io::shapeText;

namespace {

struct ImportError {
    std::string message;
};

/** A constant that went through a quantizer: weights behind Quant/BipolarQuant. */
struct QuantInfo {
    bool bipolar = false;
    int bits = 32;
    float scale = 1.0f;
    bool scalarScale = true;
    /** Every scale value (one, or one per output channel of weights). */
    Tensor scales;
    /** A signed Quant with narrow = 0: the extra level -2^(bits-1) exists. */
    bool wide = false;
    float zeropt = 0.0f;
    std::string rounding = "ROUND";
    std::string node;
    /** The quantizer's input (latent weights), transformed like the value. */
    Tensor raw;
    /** The scale of each value, transformed like the value (per-channel quantizers). */
    Tensor elemScale;
};

/** What an ONNX value is while the graph is mapped. */
struct Value {
    enum Kind { Const, QConst, Dyn } kind = Const;
    /** Const: the value. QConst: the dequantized value. */
    Tensor t;
    QuantInfo q;
    /** Dyn: our node producing it, and its shape without the batch dimension. */
    NodeId node = kInvalidNode;
    Shape shape;
    /** Dyn: the file's value is mul[c] * node output + add[c] per channel
     *  (images) or per feature (flat); empty = identity. */
    std::vector<double> mul, add;
    /** Dyn: the graph input itself, before any layer took it. */
    bool rawInput = false;
    /** Name for a BatchNorm if the pending affine map becomes one. */
    std::string affineName;

    bool hasAffine() const { return !mul.empty(); }
};

// The float a file holds, as the shortest decimal that reads back as the same float (1e-4, not 9.99999975e-05).
double shortFloat(float f)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.7g", static_cast<double>(f));
    const double d = std::strtod(buf, nullptr);
    return static_cast<float>(d) == f ? d : static_cast<double>(f);
}

bool near(double a, double b, double rel = 1e-6) { return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b)) + 1e-12; }

std::string sanitize(const std::string& s)
{
    std::string out;
    for (char c : s)
        out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    size_t b = out.find_first_not_of('_');
    if (b == std::string::npos)
        return {};
    out = out.substr(b);
    while (!out.empty() && out.back() == '_')
        out.pop_back();
    return out;
}

class Importer
{
public:
    Importer(const onnx::ModelProto& model, QonnxImport& out) : m_model(model), m_out(out) {}

    void run()
    {
        const onnx::GraphProto& g = m_model.graph();
        onnx_io::GraphLayout layout;
        std::string error;
        if (!onnx_io::layoutGraph(g, layout, error))
            throw ImportError{error};
        for (const auto& t : g.initializer()) {
            Value v;
            if (!onnx_io::tensorFromProto(t, v.t, error))
                throw ImportError{"initializer " + error};
            m_values[t.name()] = std::move(v);
        }
        addInput(*layout.input);
        for (const onnx::NodeProto* n : layout.order)
            mapNode(*n);
        addOutput(g.output(0).name());
        check();
    }

private:
    // ---- graph building ----

    NodeId addNode(LayerKind kind, const std::string& wanted, const std::vector<NodeId>& inputs)
    {
        std::string stem = sanitize(wanted);
        if (stem.empty() || std::isdigit(static_cast<unsigned char>(stem[0])))
            stem = layerKindName(kind) + stem;
        const std::string name = m_out.graph.findByName(stem) == kInvalidNode ? stem : m_out.graph.uniqueName(stem);
        const NodeId id = m_out.graph.addNode(kind, name);
        Node* n = m_out.graph.node(id);
        n->pos = {40.0 + 200.0 * m_count, m_count % 2 ? 160.0 : 80.0};
        ++m_count;
        for (size_t k = 0; k < inputs.size(); ++k)
            m_out.graph.connect(Edge{inputs[k], 0, id, static_cast<int>(k)});
        return id;
    }

    NodeWeights& weightsOf(NodeId id)
    {
        NodeWeights& w = m_out.weights.nodes[id];
        const Node* n = m_out.graph.node(id);
        w.node = id;
        w.nodeName = n->name;
        w.kind = layerKindName(n->kind);
        return w;
    }

    static void putTensor(NodeWeights& w, const std::string& name, std::vector<int64_t> shape, std::vector<float> values)
    {
        for (auto& t : w.tensors)
            if (t.name == name) {
                t.shape = std::move(shape);
                t.values = std::move(values);
                return;
            }
        w.tensors.push_back(WeightTensor{name, std::move(shape), std::move(values)});
    }

    // ---- values ----

    [[noreturn]] static void fail(const onnx::NodeProto& n, const std::string& why)
    {
        throw ImportError{onnx_io::nodeLabel(n) + ": " + why};
    }
    /** "node 'x' (Foo) is ...": a sentence about what the node is. */
    [[noreturn]] static void failIs(const onnx::NodeProto& n, const std::string& what)
    {
        throw ImportError{onnx_io::nodeLabel(n) + " is " + what};
    }

    Value& value(const onnx::NodeProto& n, int k)
    {
        if (k >= n.input_size() || n.input(k).empty())
            fail(n, "input " + std::to_string(k + 1) + " is missing");
        auto it = m_values.find(n.input(k));
        if (it == m_values.end())
            fail(n, "its input '" + n.input(k) + "' has no value (a missing initializer?)");
        return it->second;
    }

    void setOutput(const onnx::NodeProto& n, Value v)
    {
        if (n.output_size() == 0)
            return;
        m_values[n.output(0)] = std::move(v);
    }

    Value dyn(NodeId node)
    {
        Value v;
        v.kind = Value::Dyn;
        v.node = node;
        v.shape = m_out.graph.node(node)->kind == LayerKind::Input ? m_out.graph.node(node)->attrInts("shape")
                                                                   : shapeOf(node);
        return v;
    }

    Shape shapeOf(NodeId node)
    {
        const GraphAnalysis a = analyzeGraph(m_out.graph);
        const TensorType* t = a.outputType(node);
        if (!t) {
            const Node* n = m_out.graph.node(node);
            std::string why = "its shape cannot be inferred";
            for (const Diagnostic& d : a.diagnosticsFor(node))
                why = d.message;
            throw ImportError{"the layer " + n->name + " (" + layerKindName(n->kind) + ") made from the file is invalid: " + why};
        }
        return t->shape;
    }

    static std::vector<int64_t> fullShape(const Value& v)
    {
        std::vector<int64_t> s{1};
        s.insert(s.end(), v.shape.begin(), v.shape.end());
        return s;
    }

    /** The constant as one value per channel of `v` (images) or per feature (flat). */
    std::vector<double> perChannel(const onnx::NodeProto& n, const Value& v, const Tensor& c)
    {
        Tensor b;
        const std::vector<int64_t> full = fullShape(v);
        if (!onnx_io::broadcastTo(c, full, b))
            fail(n, "its constant of shape " + shapeText(c.shape) + " does not broadcast to the tensor " + shapeText(full));
        const int64_t channels = v.shape.empty() ? 1 : v.shape[0];
        const int64_t inner = channels ? b.size() / channels : 0;
        std::vector<double> out(static_cast<size_t>(channels));
        for (int64_t ch = 0; ch < channels; ++ch) {
            out[ch] = b.f[ch * inner];
            for (int64_t q = 1; q < inner; ++q)
                if (b.f[ch * inner + q] != b.f[ch * inner])
                    fail(n, "its constant varies within a channel; the workbench can scale and shift whole channels only");
        }
        return out;
    }

    const Tensor& constant(const onnx::NodeProto& n, int k)
    {
        Value& v = value(n, k);
        if (v.kind == Value::Dyn)
            fail(n, "input " + std::to_string(k + 1) + " ('" + n.input(k) + "') must be a constant here");
        return v.t;
    }

    /** Turns the pending affine map of a value into a layer (a bias or a
     *  BatchNorm) and returns the node that now produces the value. */
    NodeId materialize(const std::string& key)
    {
        Value& v = m_values.at(key);
        v.rawInput = false;
        if (!v.hasAffine())
            return v.node;
        bool identity = true;
        for (size_t c = 0; c < v.mul.size(); ++c)
            identity = identity && near(v.mul[c], 1.0, 1e-7) && std::fabs(v.add[c]) < 1e-7;
        if (identity) {
            v.mul.clear();
            v.add.clear();
            return v.node;
        }
        Node* producer = m_out.graph.node(v.node);
        bool pureShift = true;
        for (double m : v.mul)
            pureShift = pureShift && m == 1.0;
        const bool canBias = pureShift && (producer->kind == LayerKind::Dense || producer->kind == LayerKind::Conv2D) &&
                             !producer->attrBool("bias") && m_out.graph.outEdges(v.node).empty();
        if (canBias) {
            producer->attrs["bias"] = true;
            NodeWeights& w = weightsOf(v.node);
            std::vector<float> b(v.add.begin(), v.add.end());
            putTensor(w, "bias", {static_cast<int64_t>(b.size())}, b);
            m_out.notes.push_back("the constant added after " + producer->name + " is its bias");
        } else {
            const NodeId bn = addNode(LayerKind::BatchNorm, v.affineName.empty() ? "scale_shift" : v.affineName, {v.node});
            Node* node = m_out.graph.node(bn);
            // eps at its smallest: var + eps rounds to exactly 1 in float, so the layer is a*x + b.
            node->attrs["eps"] = 1e-10;
            NodeWeights& w = weightsOf(bn);
            w.scalars["eps"] = 1e-10;
            const int64_t c = static_cast<int64_t>(v.mul.size());
            putTensor(w, "weight", {c}, std::vector<float>(v.mul.begin(), v.mul.end()));
            putTensor(w, "bias", {c}, std::vector<float>(v.add.begin(), v.add.end()));
            putTensor(w, "running_mean", {c}, std::vector<float>(static_cast<size_t>(c), 0.0f));
            putTensor(w, "running_var", {c}, std::vector<float>(static_cast<size_t>(c), 1.0f));
            m_out.notes.push_back("element-wise arithmetic on constants became the BatchNorm " + node->name);
            v.node = bn;
        }
        v.mul.clear();
        v.add.clear();
        return v.node;
    }

    NodeId dynInput(const onnx::NodeProto& n, int k)
    {
        Value& v = value(n, k);
        if (v.kind != Value::Dyn)
            fail(n, "input " + std::to_string(k + 1) + " is a constant where the workbench needs the data flowing through the network");
        return materialize(n.input(k));
    }

    // ---- the input and the output ----

    void addInput(const onnx::ValueInfoProto& in)
    {
        std::vector<int64_t> s = onnx_io::inputShape(in);
        if (s.size() != 2 && s.size() != 4)
            throw ImportError{"the graph input '" + in.name() + "' has shape " + shapeText(s) +
                              "; the workbench takes N×features or N×C×H×W"};
        int64_t values = 1;
        for (size_t k = 1; k < s.size(); ++k) {
            if (s[k] <= 0)
                throw ImportError{"the graph input '" + in.name() + "' has an unknown dimension " + std::to_string(k)};
            values = s[k] > (int64_t{1} << 26) / values ? (int64_t{1} << 27) : values * s[k];
        }
        if (values > (int64_t{1} << 26))
            throw ImportError{"the graph input '" + in.name() + "' has shape " + shapeText(s) +
                              ", more than 2^26 values per image"};
        const NodeId id = addNode(LayerKind::Input, in.name().empty() ? "input" : in.name(), {});
        Node* node = m_out.graph.node(id);
        node->attrs["shape"] = std::vector<int64_t>(s.begin() + 1, s.end());
        node->quant.actBits = 32;
        m_inputNode = id;
        Value v = dyn(id);
        // The Input node receives x = 2u - 1 (u = pixels / 255, what the file takes): u = 0.5x + 0.5.
        const int64_t ch = v.shape[0];
        v.mul.assign(static_cast<size_t>(ch), 0.5);
        v.add.assign(static_cast<size_t>(ch), 0.5);
        v.rawInput = true;
        v.affineName = "input_scaling";
        m_values[in.name()] = std::move(v);
        const int64_t size = shapeSize(node->attrInts("shape"));
        m_out.dataset = size == 784 ? "mnist" : size == 3072 ? "cifar10" : std::string();
    }

    void addOutput(const std::string& name)
    {
        auto it = m_values.find(name);
        if (it == m_values.end() || it->second.kind != Value::Dyn)
            throw ImportError{"the graph output '" + name + "' does not depend on the input"};
        const NodeId from = materialize(name);
        const Value& v = it->second;
        if (v.shape.size() != 1 || v.shape[0] < 2)
            throw ImportError{"the graph output '" + name + "' has shape " + shapeText(fullShape(v)) +
                              "; the workbench's Output takes N×classes with at least 2 classes"};
        const NodeId out = addNode(LayerKind::Output, name, {from});
        m_out.graph.node(out)->attrs["classes"] = v.shape[0];
    }

    void check()
    {
        const GraphAnalysis a = analyzeGraph(m_out.graph);
        for (const Diagnostic& d : a.diagnostics)
            if (d.severity == Severity::Error) {
                const Node* n = m_out.graph.node(d.node);
                throw ImportError{"the imported graph is invalid at " + (n ? n->name : std::string("?")) + ": " + d.message};
            }
    }

    // ---- quantizers ----

    QuantInfo quantInfo(const onnx::NodeProto& n)
    {
        QuantInfo q;
        q.node = n.name();
        const bool bipolar = n.op_type() == "BipolarQuant";
        const Tensor& scale = constant(n, 1);
        if (scale.size() < 1)
            fail(n, "its scale is empty");
        for (int64_t k = 0; k < scale.size(); ++k)
            if (!std::isfinite(scale.at(k)) || !(scale.at(k) > 0))
                fail(n, "its scale " + std::to_string(scale.at(k)) + " is not a positive finite number");
        q.scalarScale = scale.size() == 1;
        q.scale = static_cast<float>(scale.at(0));
        q.scales = Tensor::ofFloats(scale.shape, scale.floats());
        if (bipolar) {
            q.bipolar = true;
            q.bits = 1;
            return q;
        }
        const Tensor& zeropt = constant(n, 2);
        const Tensor& bits = constant(n, 3);
        q.wide = onnx_io::attrInt(n, "signed", 1) != 0 && onnx_io::attrInt(n, "narrow", 0) == 0;
        for (int64_t k = 0; k < zeropt.size(); ++k)
            if (zeropt.at(k) != 0.0)
                fail(n, "its zero point is " + std::to_string(zeropt.at(k)) +
                            "; the workbench's quantizers are symmetric around 0 (zero point 0)");
        if (bits.size() != 1)
            fail(n, "its bit width must be a single value");
        const double b = bits.at(0);
        if (b != std::floor(b) || b < 1 || (b > 8 && b != 32))
            fail(n, "its bit width " + std::to_string(b) + " is outside 1–8 and 32");
        q.bits = static_cast<int>(b);
        q.rounding = onnx_io::attrString(n, "rounding_mode", "ROUND");
        if (q.rounding != "ROUND")
            fail(n, "rounding_mode " + q.rounding + " is not supported; the workbench rounds half to even (ROUND)");
        if (!isAllowedBitWidth(q.bits))
            fail(n, "its bit width " + std::to_string(q.bits) + " is not one the workbench has (1 to 8 or 32)");
        if (q.bits == 32)
            fail(n, "a 32-bit Quant still rounds to a grid of its scale; the workbench has no such quantizer");
        if (q.bits == 1)
            fail(n, "a 1-bit Quant has the levels {-1, 0} or {0, 1} times its scale; the workbench's 1 bit is bipolar "
                    "(use BipolarQuant)");
        return q;
    }

    /** The levels of an activation quantizer, or a sentence why the workbench has none like it. */
    QuantLevels activationLevelsOf(const onnx::NodeProto& n, const QuantInfo& q)
    {
        if (!q.scalarScale)
            fail(n, "its scale has one value per channel; the workbench quantizes activations with one scale per tensor");
        if (!(q.scale > 0))
            fail(n, "its scale " + std::to_string(q.scale) + " is not positive");
        if (q.bipolar)
            return activationLevels(1, true, q.scale);
        const bool isSigned = onnx_io::attrInt(n, "signed", 1) != 0;
        const bool narrow = onnx_io::attrInt(n, "narrow", 0) != 0;
        if (!isSigned && narrow)
            fail(n, "an unsigned Quant with narrow = 1 leaves out the top level; the workbench's unsigned activations "
                    "use 0 … 2^bits - 1 (narrow = 0)");
        const double maxLevel = isSigned ? (1 << (q.bits - 1)) - 1 : (1 << q.bits) - 1;
        const double range = static_cast<double>(q.scale) * maxLevel;
        // narrow = 0: the QuantAct's two's-complement levels, -2^(n-1) … 2^(n-1)-1.
        QuantLevels l = activationLevels(q.bits, isSigned, range, !isSigned || narrow);
        if (static_cast<float>(l.scale) != q.scale)
            fail(n, "its scale cannot be represented exactly by a range of the workbench's quantizer");
        if (range < 1e-6 || range > 1e6)
            fail(n, "its range " + std::to_string(range) + " is outside 1e-6 … 1e6");
        return l;
    }

    void mapQuantOnData(const onnx::NodeProto& n)
    {
        const QuantInfo q = quantInfo(n);
        const QuantLevels l = activationLevelsOf(n, q);
        const std::string key = n.input(0);
        Value& v = m_values.at(key);
        bool identity = true;
        for (size_t c = 0; c < v.mul.size(); ++c)
            identity = identity && near(v.mul[c], 1.0) && std::fabs(v.add[c]) < 1e-6;
        const bool symmetric = l.minLevel == -l.maxLevel;
        // A signed narrow = 0 quantizer of step 2^-(n-1) is the Input's fixed-point encoding (narrow off).
        const QuantLevels inputL = inputLevels(l.bits, symmetric);
        const bool asInput = v.rawInput && identity && l.isSigned == inputL.isSigned &&
                             l.minLevel == inputL.minLevel && l.maxLevel == inputL.maxLevel &&
                             static_cast<float>(inputL.scale) == static_cast<float>(l.scale);
        if (asInput) {
            v.mul.clear();
            v.add.clear();
            v.rawInput = false;
            m_out.graph.node(m_inputNode)->quant.actBits = l.bits;
            if (!symmetric)
                m_out.graph.node(m_inputNode)->attrs["narrow"] = false;
            m_out.notes.push_back("the pixel scaling and " + onnx_io::nodeLabel(n) + " are the Input's " +
                                  std::to_string(l.bits) + "-bit encoding" +
                                  (symmetric ? "" : " (narrow off: codes -" + std::to_string(-l.minLevel) + " … " +
                                                        std::to_string(l.maxLevel) + ")"));
            Value out = v;
            setOutput(n, out);
            return;
        }
        const NodeId from = materialize(key);
        const std::string name = n.name().empty() ? n.op_type() : n.name();
        NodeId id;
        if (l.isBipolar() && l.scale == 1.0) {
            id = addNode(LayerKind::Activation, name, {from});
            m_out.graph.node(id)->attrs["function"] = std::string("sign");
            m_out.graph.node(id)->quant.actBits = 1;
        } else if (!l.isBipolar() && (symmetric || !l.isSigned) && static_cast<float>(l.scale) ==
                                         static_cast<float>(activationFunctionLevels(l.isSigned ? "hardtanh" : "relu", l.bits).scale)) {
            id = addNode(LayerKind::Activation, name, {from});
            m_out.graph.node(id)->attrs["function"] = std::string(l.isSigned ? "hardtanh" : "relu");
            m_out.graph.node(id)->quant.actBits = l.bits;
        } else {
            id = addNode(LayerKind::QuantAct, name, {from});
            Node* node = m_out.graph.node(id);
            node->attrs["signed"] = l.isSigned;
            node->attrs["range"] = l.isBipolar() ? l.scale : l.maxValue();
            node->quant.actBits = l.bits;
            if (l.isSigned && !symmetric)
                node->attrs["narrow"] = false;
        }
        setOutput(n, dyn(id));
    }

    void mapQuant(const onnx::NodeProto& n)
    {
        Value& x = value(n, 0);
        if (x.kind == Value::Dyn)
            return mapQuantOnData(n);
        QuantInfo q = quantInfo(n);
        q.raw = x.kind == Value::QConst ? x.q.raw : x.t;
        if (x.kind == Value::QConst)
            fail(n, "it quantizes weights that are already quantized by " + x.q.node);
        if (!onnx_io::broadcastTo(q.scales, x.t.shape, q.elemScale))
            fail(n, "its scale of shape " + shapeText(q.scales.shape) + " does not broadcast to the weights' " +
                        shapeText(x.t.shape));
        std::vector<Tensor> outs;
        std::vector<const Tensor*> args;
        for (int k = 0; k < n.input_size(); ++k)
            args.push_back(n.input(k).empty() ? nullptr : &constant(n, k));
        std::string error;
        if (!onnx_io::runOp(n, args, outs, error))
            throw ImportError{error};
        Value v;
        v.kind = Value::QConst;
        v.t = std::move(outs[0]);
        v.q = q;
        setOutput(n, std::move(v));
    }

    /** Weights for a Dense/Conv2D: bits and the latent values our quantizer
     *  turns into exactly the file's weights. `outScales` are the factors the
     *  layer's outputs must be multiplied by, one per output channel (empty:
     *  none): bipolar weights of scale s ≠ 1, and per-channel scales, whose
     *  integer codes become the weights. `channelOf` maps a weight's index to
     *  its output channel. */
    std::vector<float> weightValues(const onnx::NodeProto& n, const Value& w, int& bits, std::vector<double>& outScales,
                                    int64_t channels, const std::function<int64_t(int64_t)>& channelOf)
    {
        outScales.clear();
        if (w.kind == Value::Const) {
            bits = 32;
            return w.t.floats();
        }
        const QuantInfo& q = w.q;
        bits = q.bits;
        const std::vector<float> deq = w.t.floats();
        if (!q.scalarScale) {
            // One scale per output channel: the codes are the weights, the scales follow the layer.
            const std::vector<float> es = q.elemScale.floats();
            if (es.size() != deq.size())
                fail(n, "the scales of " + q.node + " do not follow its weights through the reshaping before this node");
            outScales.assign(static_cast<size_t>(channels), 0.0);
            for (size_t k = 0; k < deq.size(); ++k) {
                double& sc = outScales[static_cast<size_t>(channelOf(static_cast<int64_t>(k)))];
                if (sc == 0.0)
                    sc = es[k];
                else if (sc != es[k])
                    fail(n, "its weights are quantized by " + q.node +
                                " with scales that vary within an output channel; the workbench scales each output "
                                "channel as a whole");
            }
            std::vector<float> codes(deq.size());
            for (size_t k = 0; k < deq.size(); ++k)
                codes[k] = static_cast<float>(deq[k] / outScales[static_cast<size_t>(channelOf(static_cast<int64_t>(k)))]);
            if (q.bipolar) {
                for (float& c : codes)
                    c = c >= 0 ? 1.0f : -1.0f;
                return codes;
            }
            return integerCodes(n, q, codes, bits);
        }
        if (q.bipolar) {
            if (q.scale != 1.0f)
                outScales.assign(static_cast<size_t>(channels), q.scale);
            std::vector<float> latent(deq.size());
            for (size_t k = 0; k < deq.size(); ++k)
                latent[k] = deq[k] >= 0 ? 1.0f : -1.0f;
            // The latent weights themselves when they are in BinaryNet's [-1, 1].
            const std::vector<float> raw = q.raw.floats();
            bool rawFits = raw.size() == deq.size();
            for (size_t k = 0; rawFits && k < raw.size(); ++k)
                rawFits = std::fabs(raw[k]) <= 1.0f && (raw[k] >= 0) == (deq[k] >= 0);
            return rawFits ? raw : latent;
        }
        std::vector<float> codes(deq.size());
        for (size_t k = 0; k < deq.size(); ++k)
            codes[k] = static_cast<float>(deq[k] / q.scale);
        integerCodes(n, q, codes, bits);
        // Our quantizer applied to the latent weights must give the file's weights.
        const std::vector<float> raw = q.raw.floats();
        for (const std::vector<float>* cand : {&raw, &deq}) {
            if (cand->size() != deq.size())
                continue;
            const QuantLevels l = weightLevelsOf(bits, cand->data(), cand->size());
            bool same = true;
            for (size_t k = 0; same && k < deq.size(); ++k)
                same = near(quantizeValue((*cand)[k], l), deq[k], 1e-6);
            if (same)
                return *cand;
        }
        fail(n, "its weights quantized by " + q.node + " cannot be reproduced by the workbench's weight quantizer");
    }

    /** The file's weight codes as values the workbench's n-bit quantizer keeps
     *  exactly: integers within ±(2^(bits-1)-1), the largest magnitude at the top
     *  level (so that the quantizer's step is 1). A signed narrow = 0 quantizer
     *  imports when no weight uses its extra level -2^(bits-1). */
    std::vector<float> integerCodes(const onnx::NodeProto& n, const QuantInfo& q, std::vector<float> codes, int bits)
    {
        const int64_t maxLevel = (int64_t{1} << (bits - 1)) - 1;
        double top = 0;
        for (float& c : codes) {
            if (std::fabs(c - std::nearbyint(c)) > 1e-3 || std::fabs(c) > maxLevel + 1e-3)
                fail(n, "its weights quantized by " + q.node + " use the code " + std::to_string(std::nearbyint(c)) +
                            ", outside the symmetric range ±" + std::to_string(maxLevel) + " of " + std::to_string(bits) +
                            "-bit weights" + (q.wide ? " (a signed Quant with narrow = 0 imports only while no weight "
                                                       "uses the extra level -" + std::to_string(maxLevel + 1) + ")"
                                                     : std::string()));
            c = static_cast<float>(std::nearbyint(c));
            top = std::max(top, static_cast<double>(std::fabs(c)));
        }
        if (top != 0 && std::nearbyint(top) != maxLevel)
            fail(n, "its " + std::to_string(bits) + "-bit weights (quantized by " + q.node + ") reach only ±" +
                        std::to_string(static_cast<int>(std::nearbyint(top))) + " of ±" + std::to_string(maxLevel) +
                        "; the workbench's n-bit weights are scaled so that the largest one is the top level");
        if (q.wide)
            m_out.notes.push_back(q.node + " is a signed Quant with narrow = 0; no weight uses its extra level -" +
                                  std::to_string(maxLevel + 1) + ", so the workbench's symmetric " +
                                  std::to_string(bits) + "-bit weights hold the same values");
        return codes;
    }

    // ---- layers ----

    void mapDense(const onnx::NodeProto& n, const Value& w, bool transposed, const Value* bias)
    {
        const NodeId from = dynInput(n, 0);
        const Value& x = m_values.at(n.input(0));
        if (x.shape.size() != 1)
            fail(n, "multiplies a " + shapeText(fullShape(x)) + " tensor; a Dense layer takes N×features (flatten first)");
        if (w.t.shape.size() != 2)
            fail(n, "its weights have shape " + shapeText(w.t.shape) + "; a 2-D matrix is needed");
        const int64_t fanIn = x.shape[0];
        const int64_t rows = w.t.shape[0], cols = w.t.shape[1];
        const int64_t units = transposed ? rows : cols;
        if ((transposed ? cols : rows) != fanIn)
            fail(n, "its weights of shape " + shapeText(w.t.shape) + " do not fit " + std::to_string(fanIn) + " inputs");
        int bits = 32;
        std::vector<double> outScales;
        std::vector<float> values = weightValues(n, w, bits, outScales, units, [&](int64_t k) {
            return transposed ? k / fanIn : k % units;
        });
        std::vector<float> ours(values.size());
        for (int64_t o = 0; o < units; ++o)
            for (int64_t i = 0; i < fanIn; ++i)
                ours[o * fanIn + i] = transposed ? values[o * fanIn + i] : values[i * units + o];
        const NodeId id = addNode(LayerKind::Dense, n.name().empty() ? "dense" : n.name(), {from});
        Node* node = m_out.graph.node(id);
        node->attrs["units"] = units;
        node->attrs["bias"] = false;
        node->quant.weightBits = bits;
        putTensor(weightsOf(id), "weight", {units, fanIn}, ours);
        Value out = dyn(id);
        applyScaleAndBias(n, out, outScales, bias);
        setOutput(n, std::move(out));
    }

    void applyScaleAndBias(const onnx::NodeProto& n, Value& out, const std::vector<double>& outScales, const Value* bias)
    {
        const size_t c = static_cast<size_t>(out.shape[0]);
        if (outScales.empty() && !bias)
            return;
        out.mul = outScales.empty() ? std::vector<double>(c, 1.0) : outScales;
        out.add.assign(c, 0.0);
        out.affineName = (n.name().empty() ? n.op_type() : n.name()) + "_scale_bias";
        if (bias) {
            const std::vector<double> b = perChannel(n, out, bias->t);
            for (size_t k = 0; k < c; ++k)
                out.add[k] = b[k];
        }
    }

    void mapGemm(const onnx::NodeProto& n)
    {
        if (onnx_io::attrInt(n, "transA", 0) != 0)
            fail(n, "transA = 1 is not supported (the data must be the left operand)");
        if (onnx_io::attrFloat(n, "alpha", 1.0f) != 1.0f || onnx_io::attrFloat(n, "beta", 1.0f) != 1.0f)
            fail(n, "alpha and beta other than 1 are not supported");
        const Value w = value(n, 1);
        if (w.kind == Value::Dyn)
            fail(n, "its weights depend on the input; the workbench needs constant weights");
        const Value* bias = n.input_size() > 2 && !n.input(2).empty() ? &value(n, 2) : nullptr;
        if (bias && bias->kind == Value::Dyn)
            fail(n, "its bias depends on the input");
        Value b = bias ? *bias : Value{};
        mapDense(n, w, onnx_io::attrInt(n, "transB", 0) != 0, bias ? &b : nullptr);
    }

    void mapConv(const onnx::NodeProto& n)
    {
        const NodeId from = dynInput(n, 0);
        const Value& x = m_values.at(n.input(0));
        const Value w = value(n, 1);
        if (w.kind == Value::Dyn)
            fail(n, "its weights depend on the input; the workbench needs constant weights");
        if (x.shape.size() != 3 || w.t.shape.size() != 4)
            fail(n, "only 2-D convolutions of N×C×H×W tensors are supported");
        if (onnx_io::attrInt(n, "group", 1) != 1)
            fail(n, "grouped convolutions (group " + std::to_string(onnx_io::attrInt(n, "group", 1)) +
                        ") have no layer kind in the workbench");
        for (int64_t d : onnx_io::attrInts(n, "dilations"))
            if (d != 1)
                fail(n, "dilated convolutions have no layer kind in the workbench");
        const std::string autoPad = onnx_io::attrString(n, "auto_pad", "NOTSET");
        if (autoPad != "NOTSET" && autoPad != "VALID")
            fail(n, "auto_pad " + autoPad + " is not supported; write explicit pads");
        const int64_t f = w.t.shape[0], k = w.t.shape[2];
        if (w.t.shape[3] != k)
            fail(n, "its kernel is " + std::to_string(k) + "×" + std::to_string(w.t.shape[3]) + "; the workbench's kernels are square");
        if (w.t.shape[1] != x.shape[0])
            fail(n, "its weights of shape " + shapeText(w.t.shape) + " do not fit " + std::to_string(x.shape[0]) + " input channels");
        std::vector<int64_t> strides = onnx_io::attrInts(n, "strides");
        std::vector<int64_t> pads = onnx_io::attrInts(n, "pads");
        const int64_t s = strides.empty() ? 1 : strides[0];
        const int64_t p = pads.empty() ? 0 : pads[0];
        for (int64_t v : strides)
            if (v != s)
                fail(n, "its strides differ between height and width");
        for (int64_t v : pads)
            if (v != p)
                fail(n, "its padding differs between sides; the workbench pads all sides alike");
        const std::vector<int64_t> ks = onnx_io::attrInts(n, "kernel_shape");
        if (!ks.empty() && ks != std::vector<int64_t>{k, w.t.shape[3]})
            fail(n, "its kernel_shape does not match its weights of shape " + shapeText(w.t.shape));
        if (k < 1 || s < 1 || p < 0 || k > 15 || s > 8 || p > 7)
            fail(n, "kernel " + std::to_string(k) + ", stride " + std::to_string(s) + ", padding " + std::to_string(p) +
                        " exceed the Conv2D layer's limits (15, 8, 7)");
        int bits = 32;
        std::vector<double> outScales;
        const int64_t perFilter = w.t.size() / std::max<int64_t>(1, f);
        std::vector<float> values = weightValues(n, w, bits, outScales, f, [&](int64_t i) { return i / perFilter; });
        const NodeId id = addNode(LayerKind::Conv2D, n.name().empty() ? "conv" : n.name(), {from});
        Node* node = m_out.graph.node(id);
        node->attrs["filters"] = f;
        node->attrs["kernel"] = k;
        node->attrs["stride"] = s;
        node->attrs["padding"] = p;
        node->attrs["bias"] = false;
        node->quant.weightBits = bits;
        putTensor(weightsOf(id), "weight", w.t.shape, values);
        Value out = dyn(id);
        Value b;
        const bool hasBias = n.input_size() > 2 && !n.input(2).empty();
        if (hasBias) {
            b = value(n, 2);
            if (b.kind == Value::Dyn)
                fail(n, "its bias depends on the input");
            // Reshaped to one value per filter below: a bias of any other size would be read past its end.
            if (b.t.size() != f)
                fail(n, "its bias has " + std::to_string(b.t.size()) + " values for " + std::to_string(f) + " filters");
            Tensor t = b.t;
            t.shape = {1, f, 1, 1};
            b.t = t;
        }
        applyScaleAndBias(n, out, outScales, hasBias ? &b : nullptr);
        setOutput(n, std::move(out));
    }

    void mapBatchNorm(const onnx::NodeProto& n)
    {
        // A pending per-channel map m*x + a in front (per-channel weight
        // scales, a bias) goes into this BatchNorm rather than a second one:
        // gamma*(m*x + a - mean)/sd = (gamma*m)*(x - (mean - a)/m)/sd.
        std::vector<double> preMul, preAdd;
        {
            Value& in = value(n, 0);
            // (A pure shift stays the layer's bias, as materialize() makes it.)
            bool foldable = in.kind == Value::Dyn && in.hasAffine() && !in.rawInput, pureShift = true;
            for (double m : in.mul) {
                foldable = foldable && m != 0.0 && std::isfinite(m);
                pureShift = pureShift && m == 1.0;
            }
            foldable = foldable && !pureShift;
            if (foldable) {
                preMul = in.mul;
                preAdd = in.add;
                in.mul.clear();
                in.add.clear();
            }
        }
        const NodeId from = dynInput(n, 0);
        const Value& x = m_values.at(n.input(0));
        const int64_t c = x.shape[0];
        const double eps = onnx_io::attrFloat(n, "epsilon", 1e-5f);
        if (eps < 1e-10 || eps > 1.0)
            fail(n, "epsilon " + std::to_string(eps) + " is outside the BatchNorm layer's 1e-10 … 1");
        const NodeId id = addNode(LayerKind::BatchNorm, n.name().empty() ? "batchnorm" : n.name(), {from});
        m_out.graph.node(id)->attrs["eps"] = shortFloat(static_cast<float>(eps));
        NodeWeights& w = weightsOf(id);
        w.scalars["eps"] = shortFloat(static_cast<float>(eps));
        const char* names[] = {"weight", "bias", "running_mean", "running_var"};
        for (int k = 0; k < 4; ++k) {
            const Tensor& t = constant(n, k + 1);
            if (t.size() != c)
                fail(n, "parameter " + std::to_string(k + 2) + " has " + std::to_string(t.size()) + " values for " +
                            std::to_string(c) + " channels");
            std::vector<float> values = t.floats();
            for (size_t ch = 0; ch < preMul.size() && ch < values.size(); ++ch) {
                if (k == 0)
                    values[ch] = static_cast<float>(values[ch] * preMul[ch]);
                if (k == 2)
                    values[ch] = static_cast<float>((values[ch] - preAdd[ch]) / preMul[ch]);
            }
            putTensor(w, names[k], {c}, values);
        }
        if (!preMul.empty())
            m_out.notes.push_back("the per-channel scale and shift in front of " + onnx_io::nodeLabel(n) +
                                  " went into its parameters");
        setOutput(n, dyn(id));
    }

    void mapPool(const onnx::NodeProto& n)
    {
        const NodeId from = dynInput(n, 0);
        const Value& x = m_values.at(n.input(0));
        if (x.shape.size() != 3)
            fail(n, "pools a " + shapeText(fullShape(x)) + " tensor; the workbench pools N×C×H×W");
        const std::vector<int64_t> ks = onnx_io::attrInts(n, "kernel_shape");
        std::vector<int64_t> st = onnx_io::attrInts(n, "strides");
        if (ks.size() != 2 || ks[0] != ks[1])
            fail(n, "its window is not square");
        if (st.empty())
            st = {1, 1};
        if (st.size() != 2 || st[0] != st[1])
            fail(n, "its strides differ between height and width");
        for (int64_t p : onnx_io::attrInts(n, "pads"))
            if (p != 0)
                fail(n, "padded pooling has no layer kind in the workbench");
        for (int64_t d : onnx_io::attrInts(n, "dilations"))
            if (d != 1)
                fail(n, "dilated pooling (dilations " + std::to_string(d) + ") has no layer kind in the workbench");
        const std::string autoPad = onnx_io::attrString(n, "auto_pad", "NOTSET");
        if (autoPad != "NOTSET" && autoPad != "VALID")
            fail(n, "auto_pad " + autoPad + " is not supported; write explicit pads");
        if (n.op_type() == "MaxPool" && n.output_size() > 1)
            fail(n, "its second output (the indices) has no layer kind in the workbench");
        if (onnx_io::attrInt(n, "ceil_mode", 0) != 0)
            fail(n, "ceil_mode = 1 has no layer kind in the workbench");
        if (ks[0] < 1 || st[0] < 1 || ks[0] > 16 || st[0] > 16)
            fail(n, "window " + std::to_string(ks[0]) + " or stride " + std::to_string(st[0]) + " exceed the limit of 16");
        const bool isMax = n.op_type() == "MaxPool";
        const NodeId id = addNode(isMax ? LayerKind::MaxPool : LayerKind::AvgPool, n.name().empty() ? n.op_type() : n.name(), {from});
        m_out.graph.node(id)->attrs["kernel"] = ks[0];
        m_out.graph.node(id)->attrs["stride"] = st[0];
        setOutput(n, dyn(id));
    }

    void mapFlatten(const onnx::NodeProto& n, const std::vector<int64_t>& target)
    {
        Value& x = value(n, 0);
        const std::vector<int64_t> full = fullShape(x);
        if (target == full) {
            setOutput(n, x);
            return;
        }
        const int64_t size = shapeSize(x.shape);
        if (target != std::vector<int64_t>{1, size})
            fail(n, "reshapes " + shapeText(full) + " into " + shapeText(target) +
                        "; the workbench's layers keep N×C×H×W or flatten to N×features");
        if (x.shape.size() == 1) {
            setOutput(n, x);
            return;
        }
        // A pending per-channel affine map commutes with flattening: it goes
        // on per feature, so that the pixel scaling can still become the Input's encoding.
        Value out = x;
        const NodeId id = addNode(LayerKind::Flatten, n.name().empty() ? "flatten" : n.name(), {x.node});
        const Value flat = dyn(id);
        out.node = id;
        out.shape = flat.shape;
        if (x.hasAffine()) {
            const int64_t inner = size / x.shape[0];
            out.mul.clear();
            out.add.clear();
            for (int64_t c = 0; c < x.shape[0]; ++c)
                for (int64_t q = 0; q < inner; ++q) {
                    out.mul.push_back(x.mul[c]);
                    out.add.push_back(x.add[c]);
                }
        }
        setOutput(n, std::move(out));
    }

    void mapAffine(const onnx::NodeProto& n, int dynIndex)
    {
        const int constIndex = 1 - dynIndex;
        const Tensor& c = constant(n, constIndex);
        Value v = value(n, dynIndex);
        if (v.kind != Value::Dyn)
            fail(n, "input " + std::to_string(dynIndex + 1) + " must be the data flowing through the network");
        const std::vector<double> k = perChannel(n, v, c);
        if (!v.hasAffine() || v.affineName.empty())
            v.affineName = n.name().empty() ? n.op_type() : n.name();
        if (!v.hasAffine()) {
            v.mul.assign(k.size(), 1.0);
            v.add.assign(k.size(), 0.0);
        }
        const std::string& op = n.op_type();
        for (size_t ch = 0; ch < k.size(); ++ch) {
            if (op == "Mul") {
                v.mul[ch] *= k[ch];
                v.add[ch] *= k[ch];
            } else if (op == "Div") {
                if (dynIndex != 0)
                    fail(n, "divides a constant by the data; the workbench has no reciprocal layer");
                if (k[ch] == 0)
                    fail(n, "divides by zero");
                v.mul[ch] /= k[ch];
                v.add[ch] /= k[ch];
            } else if (op == "Add") {
                v.add[ch] += k[ch];
            } else if (dynIndex == 0) { // x - c
                v.add[ch] -= k[ch];
            } else { // c - x
                v.mul[ch] = -v.mul[ch];
                v.add[ch] = k[ch] - v.add[ch];
            }
        }
        setOutput(n, std::move(v));
    }

    /** Brevitas' TruncAvgPool2d: AveragePool, Mul by the window's k², Trunc;
     *  the pool keeps the sum's step and shift (AvgPool's trunc_scale, trunc_bits). */
    void mapTrunc(const onnx::NodeProto& n)
    {
        const Value x = value(n, 0);
        Node* pool = x.kind == Value::Dyn ? m_out.graph.node(x.node) : nullptr;
        if (!pool || pool->kind != LayerKind::AvgPool || pool->attrFloat("trunc_scale") > 0)
            fail(n, "truncates what is not an average pool; the workbench truncates only after one, as Brevitas' "
                    "TruncAvgPool2d exports it (AveragePool, Mul by the window's size, Trunc)");
        const int64_t k = pool->attrInt("kernel");
        bool timesWindow = x.hasAffine();
        for (size_t c = 0; c < x.mul.size(); ++c)
            timesWindow = timesWindow && near(x.mul[c], double(k * k)) && x.add[c] == 0.0;
        if (!timesWindow)
            fail(n, "its input is not " + pool->name + "'s mean times the window's " + std::to_string(k * k) +
                        " elements (the window's sum, as Brevitas' TruncAvgPool2d multiplies before Trunc)");
        auto scalar = [&](int index, const char* what) {
            if (n.input_size() <= index || n.input(index).empty())
                fail(n, std::string("it has no ") + what);
            const Tensor& t = constant(n, index);
            if (t.size() != 1)
                fail(n, std::string("its ") + what + " has " + std::to_string(t.size()) +
                            " values; the workbench's truncating pool takes one");
            return t.at(0);
        };
        const double scale = scalar(1, "scale");
        const double zeropt = scalar(2, "zero point");
        const double inBits = scalar(3, "input bit width");
        const double outBits = scalar(4, "output bit width");
        if (!(scale > 0) || !std::isfinite(scale) || scale > 1e6)
            fail(n, "its scale " + std::to_string(scale) + " is not a positive number up to 1e6");
        if (zeropt != 0)
            fail(n, "its zero point is " + std::to_string(zeropt) + "; the workbench's truncating pool has none (0)");
        if (inBits != std::floor(inBits) || outBits != std::floor(outBits) || outBits < 1 || inBits < outBits ||
            inBits - outBits > 16)
            fail(n, "it truncates " + std::to_string(inBits) + " to " + std::to_string(outBits) +
                        " bits; the workbench drops 0 to 16 whole bits");
        const std::string rounding = onnx_io::attrString(n, "rounding_mode", "FLOOR");
        if (rounding != "FLOOR" && rounding != "floor")
            fail(n, "it rounds with " + rounding + "; the workbench's truncating pool floors, as Brevitas' does");
        pool->attrs["trunc_scale"] = static_cast<double>(static_cast<float>(scale));
        pool->attrs["trunc_bits"] = static_cast<int64_t>(inBits - outBits);
        m_out.notes.push_back(onnx_io::nodeLabel(n) + " and the Mul before it are " + pool->name +
                              "'s truncation (" + std::to_string(int64_t(inBits - outBits)) + " bits)");
        setOutput(n, dyn(x.node));
    }

    /** A node whose inputs are all constants (initializers, Constant nodes,
     *  shapes known from the graph's input) runs in the interpreter now;
     *  weights behind a quantizer keep what the quantizer said. */
    void foldConstantNode(const onnx::NodeProto& n, bool anyQ)
    {
        static const std::set<std::string> shapeOps{"Transpose", "Reshape", "Identity", "Flatten", "Squeeze",
                                                    "Unsqueeze", "Dropout"};
        const std::string& op = n.op_type();
        std::vector<const Tensor*> args;
        for (int k = 0; k < n.input_size(); ++k)
            args.push_back(n.input(k).empty() ? nullptr : &value(n, k).t);
        std::vector<Tensor> outs;
        std::string error;
        if (!onnx_io::runOp(n, args, outs, error))
            throw ImportError{error};
        Value v;
        if (outs.empty())
            fail(n, "gives no output");
        v.t = std::move(outs[0]);
        if (anyQ && value(n, 0).kind == Value::QConst && shapeOps.count(op)) {
            const Value& first = value(n, 0);
            v.kind = Value::QConst;
            v.q = first.q;
            args[0] = &first.q.raw;
            if (onnx_io::runOp(n, args, outs, error))
                v.q.raw = std::move(outs[0]);
            args[0] = &first.q.elemScale;
            if (onnx_io::runOp(n, args, outs, error))
                v.q.elemScale = std::move(outs[0]);
        }
        setOutput(n, std::move(v));
    }

    void mapPassThrough(const onnx::NodeProto& n) { setOutput(n, value(n, 0)); }

    void mapArithmetic(const onnx::NodeProto& n)
    {
        const std::string& op = n.op_type();
        if (n.input_size() != 2)
            fail(n, "has " + std::to_string(n.input_size()) + " inputs; " + op + " takes two");
        const bool d0 = value(n, 0).kind == Value::Dyn, d1 = value(n, 1).kind == Value::Dyn;
        if (d0 && d1) {
            if (op != "Add")
                fail(n, "combines two tensors that both depend on the input; the workbench has no layer kind for " + op);
            const NodeId a = dynInput(n, 0), b = dynInput(n, 1);
            return setOutput(n, dyn(addNode(LayerKind::Add, n.name().empty() ? "add" : n.name(), {a, b})));
        }
        mapAffine(n, d0 ? 0 : 1);
    }

    void mapMatMul(const onnx::NodeProto& n)
    {
        const Value w = value(n, 1);
        if (w.kind == Value::Dyn)
            fail(n, "multiplies two tensors that both depend on the input; the workbench needs constant weights");
        mapDense(n, w, false, nullptr);
    }

    void mapClipOrRelu(const onnx::NodeProto& n)
    {
        float lo = 0.0f, hi = std::numeric_limits<float>::infinity();
        if (n.op_type() == "Clip") {
            lo = onnx_io::attrFloat(n, "min", -std::numeric_limits<float>::infinity());
            hi = onnx_io::attrFloat(n, "max", std::numeric_limits<float>::infinity());
            if (n.input_size() > 1 && !n.input(1).empty())
                lo = static_cast<float>(constant(n, 1).at(0));
            if (n.input_size() > 2 && !n.input(2).empty())
                hi = static_cast<float>(constant(n, 2).at(0));
        }
        std::string fn;
        if (lo == 0.0f && std::isinf(hi))
            fn = "relu";
        else if (lo == -1.0f && hi == 1.0f)
            fn = "hardtanh";
        else
            fail(n, "clips to [" + std::to_string(lo) + ", " + std::to_string(hi) +
                        "]; the workbench has ReLU ([0, ∞)) and HardTanh ([-1, 1])");
        const NodeId from = dynInput(n, 0);
        const NodeId id = addNode(LayerKind::Activation, n.name().empty() ? fn : n.name(), {from});
        m_out.graph.node(id)->attrs["function"] = fn;
        m_out.graph.node(id)->quant.actBits = 32;
        setOutput(n, dyn(id));
    }

    void mapFlattenOp(const onnx::NodeProto& n)
    {
        if (onnx_io::attrInt(n, "axis", 1) != 1)
            fail(n, "flattens at axis " + std::to_string(onnx_io::attrInt(n, "axis", 1)) + "; the workbench flattens at axis 1");
        const Value& x = value(n, 0);
        mapFlatten(n, {1, shapeSize(x.shape)});
    }

    void mapReshape(const onnx::NodeProto& n)
    {
        // The target shape, as ONNX computes it for this input (0 and -1 resolved).
        const Value& x = value(n, 0);
        const Tensor& spec = constant(n, 1);
        std::vector<Tensor> outs;
        Tensor shaped = Tensor::ofFloats(fullShape(x), std::vector<float>(static_cast<size_t>(shapeSize(x.shape)), 0.0f));
        std::string error;
        if (!onnx_io::runOp(n, {&shaped, &spec}, outs, error))
            throw ImportError{error};
        mapFlatten(n, outs[0].shape);
    }

    void mapConcat(const onnx::NodeProto& n)
    {
        if (onnx_io::attrInt(n, "axis", 0) != 1)
            fail(n, "joins along axis " + std::to_string(onnx_io::attrInt(n, "axis", 0)) + "; the workbench joins channels (axis 1)");
        std::vector<NodeId> ins;
        for (int k = 0; k < n.input_size(); ++k)
            ins.push_back(dynInput(n, k));
        if (ins.size() < 2 || ins.size() > 8)
            fail(n, "joins " + std::to_string(ins.size()) + " tensors; the Concat layer takes 2 to 8");
        const NodeId id = addNode(LayerKind::Concat, n.name().empty() ? "concat" : n.name(), ins);
        m_out.graph.node(id)->attrs["inputs"] = static_cast<int64_t>(ins.size());
        setOutput(n, dyn(id));
    }

    void mapSoftmax(const onnx::NodeProto& n)
    {
        const auto& outs = m_model.graph().output();
        if (n.output_size() == 1 && outs.size() == 1 && outs[0].name() == n.output(0)) {
            m_out.notes.push_back("the final " + onnx_io::nodeLabel(n) +
                                  " was left out: it changes no prediction, and the Output's scores are taken before it");
            return setOutput(n, value(n, 0));
        }
        fail(n, "a " + n.op_type() + " inside the network has no layer kind in the workbench");
    }

    void refuseSign(const onnx::NodeProto& n)
    {
        fail(n, "ONNX's Sign maps 0 to 0; the workbench's sign maps 0 to +1 (use BipolarQuant)");
    }

    using Handler = void (Importer::*)(const onnx::NodeProto&);

    /** The handler of each operator on data that depends on the input. */
    static const std::map<std::string, Handler>& handlers()
    {
        static const std::map<std::string, Handler> table{
            {"Identity", &Importer::mapPassThrough},   {"Dropout", &Importer::mapPassThrough},
            {"Mul", &Importer::mapArithmetic},         {"Add", &Importer::mapArithmetic},
            {"Sub", &Importer::mapArithmetic},         {"Div", &Importer::mapArithmetic},
            {"MatMul", &Importer::mapMatMul},          {"Gemm", &Importer::mapGemm},
            {"Conv", &Importer::mapConv},              {"BatchNormalization", &Importer::mapBatchNorm},
            {"MaxPool", &Importer::mapPool},           {"AveragePool", &Importer::mapPool},
            {"Relu", &Importer::mapClipOrRelu},        {"Clip", &Importer::mapClipOrRelu},
            {"Flatten", &Importer::mapFlattenOp},      {"Reshape", &Importer::mapReshape},
            {"Concat", &Importer::mapConcat},          {"Softmax", &Importer::mapSoftmax},
            {"LogSoftmax", &Importer::mapSoftmax},     {"Trunc", &Importer::mapTrunc},
            {"Sign", &Importer::refuseSign}};
        return table;
    }

    void mapNode(const onnx::NodeProto& n)
    {
        const std::string& op = n.op_type();
        const bool qonnx = onnx_io::isQonnxDomain(n.domain());
        if (!n.domain().empty() && n.domain() != "ai.onnx" && !qonnx)
            failIs(n, "an operator of the unknown domain '" + n.domain() + "'; the workbench reads ONNX and QONNX "
                    "(qonnx.custom_op.general, onnx.brevitas)");
        if (qonnx && op != "Quant" && op != "IntQuant" && op != "BipolarQuant" && op != "Trunc")
            failIs(n, "an unknown custom operator of the domain '" + n.domain() + "'");
        bool anyDyn = false, anyQ = false;
        for (int k = 0; k < n.input_size(); ++k) {
            if (n.input(k).empty())
                continue;
            const Value& v = value(n, k);
            anyDyn = anyDyn || v.kind == Value::Dyn;
            anyQ = anyQ || v.kind == Value::QConst;
        }
        if (qonnx && op != "Trunc")
            return mapQuant(n);
        // The shape of the data is known from the graph's input: a constant.
        if (op == "Shape" && value(n, 0).kind == Value::Dyn) {
            const Value& x = value(n, 0);
            Value v;
            v.t = Tensor::ofInts({static_cast<int64_t>(x.shape.size() + 1)}, fullShape(x));
            return setOutput(n, std::move(v));
        }
        if (!anyDyn)
            return foldConstantNode(n, anyQ);
        const auto handler = handlers().find(op);
        if (handler == handlers().end())
            fail(n, "the workbench has no layer kind for " + op);
        (this->*handler->second)(n);
    }

    const onnx::ModelProto& m_model;
    QonnxImport& m_out;
    std::map<std::string, Value> m_values;
    NodeId m_inputNode = kInvalidNode;
    int m_count = 0;
};

} // namespace

bool importQonnx(const std::string& path, QonnxImport& out, std::string& error)
{
    onnx::ModelProto model;
    if (!onnx_io::readModel(path, model, error))
        return false;
    QonnxImport result;
    result.weights.epoch = 1;
    result.weights.tag = "best";
    try {
        Importer(model, result).run();
    } catch (const ImportError& e) {
        error = path + ": " + e.message;
        return false;
    } catch (const std::exception& e) {
        // A file malformed in a way no check above foresaw still gets a sentence.
        error = path + ": the file cannot be imported (" + e.what() + ")";
        return false;
    }
    out = std::move(result);
    return true;
}

} // namespace qnn
