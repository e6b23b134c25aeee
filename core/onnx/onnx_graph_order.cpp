#include "core/onnx/onnx_graph_order.h"

#include <map>

namespace qnn::onnx_io {

bool layoutGraph(const onnx::GraphProto& g, GraphLayout& out, std::string& error)
{
    out = GraphLayout{};
    for (const auto& t : g.initializer())
        out.initializers.insert(t.name());
    std::vector<const onnx::ValueInfoProto*> inputs;
    for (const auto& in : g.input())
        if (!out.initializers.count(in.name()))
            inputs.push_back(&in);
    if (inputs.size() != 1) {
        error = inputs.empty() ? "the graph has no input (every graph input is an initializer)"
                               : "the graph has " + std::to_string(inputs.size()) +
                                     " inputs that are not initializers; one image input is supported (first two: '" +
                                     inputs[0]->name() + "', '" + inputs[1]->name() + "')";
        return false;
    }
    out.input = inputs[0];
    if (g.output_size() != 1) {
        error = "the graph has " + std::to_string(g.output_size()) + " outputs; one output (the class scores) is supported";
        return false;
    }
    std::set<std::string> known = out.initializers;
    known.insert(out.input->name());
    std::map<std::string, const onnx::NodeProto*> producer;
    for (const auto& n : g.node())
        for (const auto& o : n.output())
            producer[o] = &n;
    std::vector<const onnx::NodeProto*> pending;
    for (const auto& n : g.node())
        pending.push_back(&n);
    while (!pending.empty()) {
        std::vector<const onnx::NodeProto*> next;
        for (const onnx::NodeProto* n : pending) {
            bool ready = true;
            for (const auto& in : n->input()) {
                if (in.empty() || known.count(in))
                    continue;
                if (!producer.count(in)) {
                    error = nodeLabel(*n) + ": its input '" + in +
                            "' is neither a graph input, an initializer nor the output of a node (a missing initializer?)";
                    return false;
                }
                ready = false;
            }
            if (!ready) {
                next.push_back(n);
                continue;
            }
            out.order.push_back(n);
            for (const auto& o : n->output())
                known.insert(o);
        }
        if (next.size() == pending.size()) {
            error = nodeLabel(*next.front()) + " is part of a cycle";
            return false;
        }
        pending.swap(next);
    }
    if (!known.count(g.output(0).name())) {
        error = "the graph output '" + g.output(0).name() + "' is produced by no node";
        return false;
    }
    return true;
}

std::vector<int64_t> inputShape(const onnx::ValueInfoProto& input)
{
    std::vector<int64_t> shape;
    if (!input.type().has_tensor_type() || !input.type().tensor_type().has_shape())
        return shape;
    const auto& dims = input.type().tensor_type().shape().dim();
    for (int k = 0; k < dims.size(); ++k)
        shape.push_back(dims[k].has_dim_value() ? dims[k].dim_value() : (k == 0 ? 1 : -1));
    return shape;
}

} // namespace qnn::onnx_io
