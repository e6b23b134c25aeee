// Between torch modules and the torch-free weight file (core/weights).
#include "core/train/detail/weight_io.h"

#include "core/graph/layer_kind.h"

namespace qnn::detail {

namespace {

std::vector<std::pair<std::string, torch::Tensor>> namedTensors(LayerImpl& layer)
{
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const auto& p : layer.named_parameters(false))
        out.emplace_back(p.key(), p.value());
    for (const auto& b : layer.named_buffers(false))
        out.emplace_back(b.key(), b.value());
    return out;
}

} // namespace

WeightFile weightFileFromModel(const Graph& graph, GraphModel& model, int epoch, const std::string& tag)
{
    torch::NoGradGuard noGrad;
    WeightFile file;
    file.epoch = epoch;
    file.tag = tag;
    for (NodeId id : model->order()) {
        const Node* n = graph.node(id);
        auto layer = model->layerOf(id);
        if (!n || !layer)
            continue;
        auto tensors = namedTensors(*layer);
        if (tensors.empty())
            continue;
        NodeWeights w;
        w.node = id;
        w.nodeName = n->name;
        w.kind = layerKindName(n->kind);
        if (n->kind == LayerKind::BatchNorm)
            w.scalars["eps"] = n->attrFloat("eps");
        for (auto& [name, t] : tensors) {
            const torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
            WeightTensor wt;
            wt.name = name;
            wt.shape.assign(c.sizes().begin(), c.sizes().end());
            wt.values.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
            w.tensors.push_back(std::move(wt));
        }
        file.nodes[id] = std::move(w);
    }
    return file;
}

bool loadWeightFileIntoModel(const Graph& graph, const WeightFile& file, GraphModel& model, std::string& error)
{
    torch::NoGradGuard noGrad;
    for (const auto& [id, w] : file.nodes) {
        const Node* n = graph.node(id);
        if (!n) {
            error = "the weight file has weights for node " + std::to_string(id) + " (" + w.nodeName +
                    "), which is not in the graph";
            return false;
        }
        if (layerKindName(n->kind) != w.kind) {
            error = "the weight file has " + w.kind + " weights for node " + std::to_string(id) + " (" + w.nodeName +
                    "), but that node is a " + layerKindName(n->kind) + " in the graph";
            return false;
        }
    }
    for (NodeId id : model->order()) {
        const Node* n = graph.node(id);
        auto layer = model->layerOf(id);
        if (!n || !layer)
            continue;
        auto tensors = namedTensors(*layer);
        if (tensors.empty())
            continue;
        const NodeWeights* w = file.find(id);
        if (!w) {
            error = "the weight file has no weights for node " + n->name + " (" + layerKindName(n->kind) + ")";
            return false;
        }
        for (auto& [name, t] : tensors) {
            const WeightTensor* src = w->find(name);
            if (!src) {
                error = "the weight file has no tensor \"" + name + "\" for node " + n->name;
                return false;
            }
            if (std::vector<int64_t>(t.sizes().begin(), t.sizes().end()) != src->shape) {
                std::string want, have;
                for (int64_t d : t.sizes())
                    want += (want.empty() ? "" : "x") + std::to_string(d);
                for (int64_t d : src->shape)
                    have += (have.empty() ? "" : "x") + std::to_string(d);
                error = "node " + n->name + ": tensor \"" + name + "\" is " + have + " in the weight file, but the graph needs " + want;
                return false;
            }
            const torch::Tensor v = torch::from_blob(const_cast<float*>(src->values.data()), t.sizes(), torch::kFloat);
            t.copy_(v.to(t.device(), t.scalar_type()));
        }
    }
    return true;
}

} // namespace qnn::detail
