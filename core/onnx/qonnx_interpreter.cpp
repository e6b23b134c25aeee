#include "core/onnx/qonnx_interpreter.h"

#include "core/onnx/onnx_graph_order.h"
#include "core/onnx/onnx_ops.h"

#include <map>

namespace qnn {

using onnx_io::Tensor;

struct QonnxInterpreter::Impl {
    onnx::ModelProto model;
    onnx_io::GraphLayout layout;
    std::map<std::string, Tensor> constants;
    /** The nodes that depend on the input; the others were folded into `constants` on loading. */
    std::vector<const onnx::NodeProto*> dynamic;
    std::vector<int64_t> inputShape;
    int64_t inputSize = 0;
};

QonnxInterpreter::QonnxInterpreter() : m_impl(std::make_unique<Impl>()) {}
QonnxInterpreter::~QonnxInterpreter() = default;

bool QonnxInterpreter::load(const std::string& path, std::string& error)
{
    auto d = std::make_unique<Impl>();
    if (!onnx_io::readModel(path, d->model, error))
        return false;
    const onnx::GraphProto& g = d->model.graph();
    if (!onnx_io::layoutGraph(g, d->layout, error)) {
        error = path + ": " + error;
        return false;
    }
    for (const auto& t : g.initializer()) {
        Tensor v;
        if (!onnx_io::tensorFromProto(t, v, error)) {
            error = path + ": " + error;
            return false;
        }
        d->constants[t.name()] = std::move(v);
    }
    for (const onnx::NodeProto* n : d->layout.order)
        if (!onnx_io::isSupportedOp(*n)) {
            error = path + ": " + onnx_io::nodeLabel(*n) + " is an operator " +
                    (n->domain().empty() ? std::string("of ONNX") : "of the domain '" + n->domain() + "'") +
                    " that eval-onnx cannot run";
            return false;
        }
    // Weight quantizers and shape arithmetic run once here, not once per image.
    for (const onnx::NodeProto* n : d->layout.order) {
        std::vector<const Tensor*> args;
        bool constant = true;
        for (const auto& in : n->input()) {
            auto c = d->constants.find(in);
            constant = constant && (in.empty() || c != d->constants.end());
            args.push_back(in.empty() || c == d->constants.end() ? nullptr : &c->second);
        }
        std::vector<Tensor> outs;
        if (!constant || n->op_type() == "Shape") {
            d->dynamic.push_back(n);
            continue;
        }
        if (!onnx_io::runOp(*n, args, outs, error)) {
            error = path + ": " + error;
            return false;
        }
        for (int k = 0; k < n->output_size() && k < static_cast<int>(outs.size()); ++k)
            d->constants[n->output(k)] = std::move(outs[k]);
    }
    d->inputShape = onnx_io::inputShape(*d->layout.input);
    if (d->inputShape.size() < 2) {
        error = path + ": the input '" + d->layout.input->name() + "' has shape " + onnx_io::shapeText(d->inputShape) +
                "; a batch dimension and the image's dimensions are needed";
        return false;
    }
    d->inputShape[0] = 1;
    d->inputSize = 1;
    for (size_t k = 1; k < d->inputShape.size(); ++k) {
        if (d->inputShape[k] <= 0) {
            error = path + ": the input '" + d->layout.input->name() + "' has an unknown dimension " + std::to_string(k);
            return false;
        }
        if (d->inputShape[k] > (int64_t{1} << 26) / d->inputSize) {
            error = path + ": the input '" + d->layout.input->name() + "' has more than 2^26 values per image";
            return false;
        }
        d->inputSize *= d->inputShape[k];
    }
    m_impl = std::move(d);
    return true;
}

const std::vector<int64_t>& QonnxInterpreter::inputShape() const { return m_impl->inputShape; }

int64_t QonnxInterpreter::inputSize() const { return m_impl->inputSize; }

bool QonnxInterpreter::run(const float* input, std::vector<float>& output, std::string& error) const
{
    const Impl& d = *m_impl;
    std::map<std::string, Tensor> values;
    values[d.layout.input->name()] = Tensor::ofFloats(d.inputShape, std::vector<float>(input, input + d.inputSize));
    auto lookup = [&](const std::string& name) -> const Tensor* {
        if (name.empty())
            return nullptr;
        auto v = values.find(name);
        if (v != values.end())
            return &v->second;
        auto c = d.constants.find(name);
        return c == d.constants.end() ? nullptr : &c->second;
    };
    for (const onnx::NodeProto* n : d.dynamic) {
        std::vector<const Tensor*> args;
        for (const auto& in : n->input())
            args.push_back(lookup(in));
        std::vector<Tensor> outs;
        if (!onnx_io::runOp(*n, args, outs, error))
            return false;
        for (int k = 0; k < n->output_size() && k < static_cast<int>(outs.size()); ++k)
            values[n->output(k)] = std::move(outs[k]);
    }
    const Tensor* out = lookup(d.model.graph().output(0).name());
    if (!out) {
        error = "the graph output was not computed";
        return false;
    }
    output = out->floats();
    return true;
}

} // namespace qnn
