// Torch modules built from a Graph, and the quantizers they use.
#include "core/train/detail/graph_model.h"

#include "core/train/detail/kernels.h"
#include "core/train/detail/xnor_dense.h"

#include "core/graph/kind_table.h"
#include "core/graph/layer_registry.h"
#include "core/train/layer_builders.h"
#include "core/graph/node_name.h"

#include <cctype>
#include <cmath>
#include <functional>
#include <set>

namespace qnn::detail {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

namespace {

bool fastPath(const Tensor& t)
{
    return t.device().is_cpu() && t.scalar_type() == torch::kFloat && t.is_contiguous();
}

// Multiplies the gradient by a 0/1 mask; on the CPU in one pass instead of a
// dtype promotion plus a multiply.
Tensor maskGradient(const Tensor& grad, const Tensor& mask)
{
    if (fastPath(grad) && mask.device().is_cpu() && mask.is_contiguous()) {
        Tensor out = torch::empty_like(grad);
        const float* g = grad.data_ptr<float>();
        const bool* m = mask.data_ptr<bool>();
        float* o = out.data_ptr<float>();
        const int64_t n = grad.numel();
        at::parallel_for(0, n, 1 << 16, [&](int64_t begin, int64_t end) {
            maskedCopy(g + begin, m + begin, o + begin, end - begin);
        });
        return out;
    }
    return grad * mask.to(grad.scalar_type());
}

struct SignSte : public torch::autograd::Function<SignSte> {
    static Tensor forward(AutogradContext* ctx, const Tensor& x, double scale)
    {
        const bool needMask = x.requires_grad();
        if (fastPath(x)) {
            Tensor out = torch::empty_like(x);
            Tensor mask = needMask ? torch::empty(x.sizes(), x.options().dtype(torch::kBool)) : Tensor();
            const float* in = x.data_ptr<float>();
            float* o = out.data_ptr<float>();
            bool* m = needMask ? mask.data_ptr<bool>() : nullptr;
            const float s = static_cast<float>(scale);
            const int64_t n = x.numel();
            at::parallel_for(0, n, 1 << 16, [&](int64_t begin, int64_t end) {
                signForward(in + begin, o + begin, m ? m + begin : nullptr, end - begin, s);
            });
            if (needMask)
                ctx->save_for_backward({mask});
            return out;
        }
        if (needMask)
            ctx->save_for_backward({x.abs() <= 1});
        return torch::where(x >= 0, torch::full({}, scale, x.options()), torch::full({}, -scale, x.options()));
    }
    static tensor_list backward(AutogradContext* ctx, tensor_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        return {maskGradient(grads[0].contiguous(), saved[0]), Tensor()};
    }
};

struct WeightSignSte : public torch::autograd::Function<WeightSignSte> {
    static Tensor forward(AutogradContext*, const Tensor& w)
    {
        if (fastPath(w)) {
            Tensor out = torch::empty_like(w);
            const float* in = w.data_ptr<float>();
            float* o = out.data_ptr<float>();
            const int64_t n = w.numel();
            at::parallel_for(0, n, 1 << 16, [&](int64_t begin, int64_t end) {
                signForward(in + begin, o + begin, nullptr, end - begin, 1.0f);
            });
            return out;
        }
        return torch::where(w >= 0, torch::ones({}, w.options()), -torch::ones({}, w.options()));
    }
    static tensor_list backward(AutogradContext*, tensor_list grads) { return {grads[0]}; }
};

struct UniformSte : public torch::autograd::Function<UniformSte> {
    static Tensor forward(AutogradContext* ctx, const Tensor& x, double scale, double lo, double hi)
    {
        if (x.requires_grad())
            ctx->save_for_backward({(x >= lo * scale).logical_and_(x <= hi * scale)});
        // torch::round rounds half to even, like qnn::roundHalfEven.
        return torch::round(x / scale).clamp_(lo, hi).mul_(scale);
    }
    static tensor_list backward(AutogradContext* ctx, tensor_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        return {maskGradient(grads[0].contiguous(), saved[0]), Tensor(), Tensor(), Tensor()};
    }
};

// ---- one module per layer kind ----

class InputLayer : public LayerImpl
{
public:
    InputLayer(int bits, bool narrow) : m_bits(bits), m_narrow(narrow) {}
    Tensor forward(const std::vector<Tensor>& in) override
    {
        if (m_bits == 1)
            return binaryActivation(in[0]);
        if (m_bits < 32)
            return uniformQuantize(in[0], inputLevels(m_bits, m_narrow));
        return in[0];
    }

private:
    int m_bits;
    bool m_narrow;
};

class DenseLayer : public LayerImpl
{
public:
    DenseLayer(int64_t inFeatures, int64_t units, bool bias, int bits)
        : m_bits(bits), m_xnor(bits == 1 && !bias && xnorForwardEnabled())
    {
        weight = register_parameter("weight", torch::empty({units, inFeatures}));
        // PyTorch's nn.Linear initialisation, so that FP32 graphs train as users expect.
        torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
        if (bias) {
            const double bound = 1.0 / std::sqrt(static_cast<double>(inFeatures));
            this->bias = register_parameter("bias", torch::empty({units}).uniform_(-bound, bound));
        }
    }
    Tensor forward(const std::vector<Tensor>& in) override
    {
        const Tensor w = quantizeWeight(weight, m_bits);
        // Binary weights and (checked there) a binary input: the exact integer product.
        if (m_xnor)
            if (Tensor y = xnorLinear(in[0], w); y.defined())
                return y;
        return torch::nn::functional::linear(in[0], w, bias);
    }
    void setXnorForward(bool on) { m_xnor = on && m_bits == 1 && !bias.defined(); }
    Tensor weight, bias;

private:
    int m_bits;
    bool m_xnor;
};

class ConvLayer : public LayerImpl
{
public:
    ConvLayer(int64_t inChannels, const Node& n) : m_bits(n.quant.weightBits)
    {
        const int64_t k = n.attrInt("kernel");
        m_stride = n.attrInt("stride");
        m_padding = n.attrInt("padding");
        weight = register_parameter("weight", torch::empty({n.attrInt("filters"), inChannels, k, k}));
        torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
        if (n.attrBool("bias")) {
            const double bound = 1.0 / std::sqrt(static_cast<double>(inChannels * k * k));
            bias = register_parameter("bias", torch::empty({n.attrInt("filters")}).uniform_(-bound, bound));
        }
    }
    Tensor forward(const std::vector<Tensor>& in) override
    {
        return torch::conv2d(in[0], quantizeWeight(weight, m_bits), bias, {m_stride, m_stride},
                             {m_padding, m_padding});
    }
    Tensor weight, bias;

private:
    int m_bits;
    int64_t m_stride = 1, m_padding = 0;
};

class PoolLayer : public LayerImpl
{
public:
    PoolLayer(bool max, int64_t kernel, int64_t stride, double truncScale = 0, int64_t truncBits = 0)
        : m_max(max), m_kernel(kernel), m_stride(stride), m_truncScale(truncScale), m_truncBits(truncBits)
    {
    }
    Tensor forward(const std::vector<Tensor>& in) override
    {
        if (m_max)
            return torch::max_pool2d(in[0], {m_kernel, m_kernel}, {m_stride, m_stride});
        Tensor mean = torch::avg_pool2d(in[0], {m_kernel, m_kernel}, {m_stride, m_stride});
        if (m_truncScale <= 0)
            return mean;
        // Brevitas' truncating pool, in the order QONNX's Trunc computes it (float32):
        // the sum, its integer in steps of s, shifted right, floored, back to real.
        const float s = static_cast<float>(m_truncScale);
        const float shift = static_cast<float>(std::ldexp(1.0, int(m_truncBits)));
        Tensor sum = mean * static_cast<float>(m_kernel * m_kernel);
        Tensor q = torch::floor(torch::round(sum / s) / shift) * s;
        // Straight through for training: the gradient of sum / 2^bits.
        Tensor through = sum / shift;
        return through + (q - through).detach();
    }

private:
    bool m_max;
    int64_t m_kernel, m_stride;
    double m_truncScale;
    int64_t m_truncBits;
};

class BatchNormLayer : public LayerImpl
{
public:
    BatchNormLayer(int64_t features, double eps, double momentum) : m_eps(eps), m_momentum(momentum)
    {
        weight = register_parameter("weight", torch::ones({features}));
        bias = register_parameter("bias", torch::zeros({features}));
        runningMean = register_buffer("running_mean", torch::zeros({features}));
        runningVar = register_buffer("running_var", torch::ones({features}));
    }
    Tensor forward(const std::vector<Tensor>& in) override
    {
        return torch::batch_norm(in[0], weight, bias, runningMean, runningVar, is_training(), m_momentum, m_eps,
                                 false);
    }
    Tensor weight, bias, runningMean, runningVar;

private:
    double m_eps, m_momentum;
};

class ActivationLayer : public LayerImpl
{
public:
    ActivationLayer(std::string function, int bits) : m_function(std::move(function)), m_bits(bits) {}
    Tensor forward(const std::vector<Tensor>& in) override
    {
        const Tensor& x = in[0];
        if (m_function == "sign" || m_bits == 1)
            return binaryActivation(x);
        Tensor y = x;
        if (m_function == "relu")
            y = torch::relu(x);
        else if (m_function == "hardtanh")
            y = torch::hardtanh(x);
        if (m_bits >= 32)
            return y;
        return uniformQuantize(y, activationFunctionLevels(m_function, m_bits));
    }

private:
    std::string m_function;
    int m_bits;
};

class QuantActLayer : public LayerImpl
{
public:
    QuantActLayer(int bits, bool isSigned, double range, bool narrow)
        : m_levels(activationLevels(bits, isSigned, range, narrow))
    {
    }
    Tensor forward(const std::vector<Tensor>& in) override
    {
        if (m_levels.isFloat())
            return in[0];
        if (m_levels.isBipolar())
            return binaryActivation(in[0], m_levels.scale);
        return uniformQuantize(in[0], m_levels);
    }

private:
    QuantLevels m_levels;
};

class DropoutLayer : public LayerImpl
{
public:
    explicit DropoutLayer(double p) : m_p(p) {}
    Tensor forward(const std::vector<Tensor>& in) override { return torch::dropout(in[0], m_p, is_training()); }

private:
    double m_p;
};

class FlattenLayer : public LayerImpl
{
public:
    Tensor forward(const std::vector<Tensor>& in) override { return in[0].flatten(1); }
};

class AddLayer : public LayerImpl
{
public:
    Tensor forward(const std::vector<Tensor>& in) override { return in[0] + in[1]; }
};

class ConcatLayer : public LayerImpl
{
public:
    Tensor forward(const std::vector<Tensor>& in) override { return torch::cat(in, 1); }
};

class OutputLayer : public LayerImpl
{
public:
    Tensor forward(const std::vector<Tensor>& in) override { return in[0]; }
};

using LayerBuilder = std::function<std::shared_ptr<LayerImpl>(const Node& n, const Shape& in)>;

// One entry per layer kind; tst_layer_kinds checks it covers the registry.
const KindTable<LayerBuilder>& layerBuilders()
{
    static const KindTable<LayerBuilder> table(
        "the torch builder",
        {
            {LayerKind::Input,
             [](const Node& n, const Shape&) {
                 return std::make_shared<InputLayer>(n.quant.actBits, n.attrBoolOr("narrow", true));
             }},
            {LayerKind::Dense,
             [](const Node& n, const Shape& in) {
                 return std::make_shared<DenseLayer>(in[0], n.attrInt("units"), n.attrBool("bias"), n.quant.weightBits);
             }},
            {LayerKind::Conv2D, [](const Node& n, const Shape& in) { return std::make_shared<ConvLayer>(in[0], n); }},
            {LayerKind::MaxPool,
             [](const Node& n, const Shape&) {
                 return std::make_shared<PoolLayer>(true, n.attrInt("kernel"), n.attrInt("stride"));
             }},
            {LayerKind::AvgPool,
             [](const Node& n, const Shape&) {
                 return std::make_shared<PoolLayer>(false, n.attrInt("kernel"), n.attrInt("stride"),
                                                    n.attrFloat("trunc_scale"), n.attrInt("trunc_bits"));
             }},
            {LayerKind::BatchNorm,
             [](const Node& n, const Shape& in) {
                 return std::make_shared<BatchNormLayer>(in[0], n.attrFloat("eps"), n.attrFloat("momentum"));
             }},
            {LayerKind::Activation,
             [](const Node& n, const Shape&) {
                 return std::make_shared<ActivationLayer>(n.attrString("function"), n.quant.actBits);
             }},
            {LayerKind::QuantAct,
             [](const Node& n, const Shape&) {
                 return std::make_shared<QuantActLayer>(n.quant.actBits, n.attrBool("signed"), n.attrFloat("range"),
                                                        n.attrBool("narrow"));
             }},
            {LayerKind::Dropout, [](const Node& n, const Shape&) { return std::make_shared<DropoutLayer>(n.attrFloat("p")); }},
            {LayerKind::Flatten, [](const Node&, const Shape&) { return std::make_shared<FlattenLayer>(); }},
            {LayerKind::Add, [](const Node&, const Shape&) { return std::make_shared<AddLayer>(); }},
            {LayerKind::Concat, [](const Node&, const Shape&) { return std::make_shared<ConcatLayer>(); }},
            {LayerKind::Output, [](const Node&, const Shape&) { return std::make_shared<OutputLayer>(); }},
        });
    return table;
}

// buildGraphModel has refused the kinds the table does not build.
std::shared_ptr<LayerImpl> makeLayer(const Node& n, const std::vector<TensorType>& inputs)
{
    const Shape in = inputs.empty() ? Shape{} : inputs[0].shape;
    return (*layerBuilders().handler(n.kind))(n, in);
}

} // namespace

Tensor binaryActivation(const Tensor& x, double scale) { return SignSte::apply(x, scale); }

Tensor binaryWeight(const Tensor& w) { return WeightSignSte::apply(w); }

Tensor uniformQuantize(const Tensor& x, const QuantLevels& levels)
{
    if (levels.isFloat())
        return x;
    if (levels.isBipolar())
        return binaryActivation(x, levels.scale);
    return UniformSte::apply(x, levels.scale, static_cast<double>(levels.minLevel),
                             static_cast<double>(levels.maxLevel));
}

Tensor quantizeWeight(const Tensor& w, int bits)
{
    if (bits >= 32)
        return w;
    if (bits == 1)
        return binaryWeight(w);
    // Per-tensor scale from the largest latent weight: the levels then cover the weights that exist.
    const double range = w.detach().abs().max().item<double>();
    return uniformQuantize(w, weightLevels(bits, range));
}

GraphModelImpl::GraphModelImpl(const Graph& graph, const GraphAnalysis& analysis)
{
    m_order = analysis.order;
    std::map<NodeId, size_t> stepOf;
    const std::map<NodeId, std::string> names = moduleNames(graph, m_order);
    for (NodeId id : m_order) {
        const Node& n = *graph.node(id);
        auto inTypes = analysis.inputTypes.count(id) ? analysis.inputTypes.at(id) : std::vector<TensorType>{};
        Step step;
        step.id = id;
        step.layer = makeLayer(n, inTypes);
        std::vector<Edge> in = graph.inEdges(id);
        std::sort(in.begin(), in.end(), [](const Edge& a, const Edge& b) { return a.toPort < b.toPort; });
        for (const Edge& e : in)
            step.inputs.push_back(stepOf.at(e.fromNode));
        register_module(names.at(id), step.layer);
        if (n.kind == LayerKind::Input) {
            m_inputShape = n.attrInts("shape");
            m_inputActBits = n.quant.actBits;
        }
        if (n.kind == LayerKind::Output)
            m_outputStep = m_steps.size();
        if ((n.kind == LayerKind::Dense || n.kind == LayerKind::Conv2D) && n.quant.weightBits < 32) {
            if (auto* d = dynamic_cast<DenseLayer*>(step.layer.get()))
                m_clipped.push_back(d->weight);
            if (auto* c = dynamic_cast<ConvLayer*>(step.layer.get()))
                m_clipped.push_back(c->weight);
        }
        stepOf[id] = m_steps.size();
        m_steps.push_back(std::move(step));
    }
}

std::shared_ptr<LayerImpl> GraphModelImpl::layerOf(NodeId id) const
{
    for (const Step& s : m_steps)
        if (s.id == id)
            return s.layer;
    return nullptr;
}

void GraphModelImpl::setXnorForward(bool on)
{
    for (const Step& s : m_steps)
        if (auto* d = dynamic_cast<DenseLayer*>(s.layer.get()))
            d->setXnorForward(on);
}

std::vector<Tensor> GraphModelImpl::forwardAll(const Tensor& input) { return run(input, true); }

Tensor GraphModelImpl::forward(const Tensor& input) { return run(input, false)[m_outputStep]; }

std::vector<Tensor> GraphModelImpl::run(const Tensor& input, bool keepAll)
{
    std::vector<int64_t> shape{input.size(0)};
    shape.insert(shape.end(), m_inputShape.begin(), m_inputShape.end());
    const Tensor x = input.reshape(shape);
    std::vector<Tensor> values(m_steps.size());
    std::vector<Tensor> args;
    // Count remaining uses so that activations autograd does not need are freed early.
    std::vector<int> uses(m_steps.size(), 0);
    for (const Step& s : m_steps)
        for (size_t from : s.inputs)
            ++uses[from];
    for (size_t i = 0; i < m_steps.size(); ++i) {
        args.clear();
        if (m_steps[i].inputs.empty())
            args.push_back(x);
        for (size_t from : m_steps[i].inputs)
            args.push_back(values[from]);
        values[i] = m_steps[i].layer->forward(args);
        if (keepAll)
            continue;
        for (size_t from : m_steps[i].inputs)
            if (--uses[from] == 0 && from != m_outputStep)
                values[from] = Tensor();
    }
    return values;
}

bool buildGraphModel(const Graph& graph, GraphModel& out, std::string& error)
{
    const GraphAnalysis analysis = analyzeGraph(graph);
    if (analysis.hasErrors()) {
        for (const Diagnostic& d : analysis.diagnostics) {
            if (d.severity != Severity::Error)
                continue;
            // The message names its layer already ("'fc': …").
            error = "the graph cannot be trained: it has " + std::to_string(analysis.errorCount()) +
                    (analysis.errorCount() == 1 ? " error" : " errors") + "; first: " + d.message;
            return false;
        }
    }
    int inputs = 0, outputs = 0;
    for (const auto& [id, n] : graph.nodes()) {
        inputs += n.kind == LayerKind::Input;
        outputs += n.kind == LayerKind::Output;
    }
    if (inputs != 1 || outputs != 1) {
        error = "the graph cannot be trained: it needs exactly one Input and one Output node (it has " +
                std::to_string(inputs) + " and " + std::to_string(outputs) + ")";
        return false;
    }
    for (const auto& [id, n] : graph.nodes())
        if (!layerBuilders().handler(n.kind)) {
            error = "the graph cannot be trained: " + n.name + ": " + layerBuilders().refusal(n.kind);
            return false;
        }
    if (analysis.order.size() != graph.size()) {
        error = "the graph cannot be trained: some nodes are not connected in a way that can be ordered";
        return false;
    }
    out = GraphModel(graph, analysis);
    return true;
}

} // namespace qnn::detail

namespace qnn {

const KindCoverage& torchBuilderKinds() { return detail::layerBuilders(); }

} // namespace qnn
