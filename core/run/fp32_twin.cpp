#include "core/run/fp32_twin.h"

#include "core/graph/layer_registry.h"

namespace qnn {

Graph fp32Twin(const Graph& graph, std::vector<std::string>* notes)
{
    Graph twin = graph;
    for (const auto& [id, n] : graph.nodes()) {
        Node* t = twin.node(id);
        const LayerSpec& spec = LayerRegistry::spec(n.kind);
        if (spec.hasWeights)
            t->quant.weightBits = 32;
        if (n.kind == LayerKind::Input || spec.hasActivationBits) {
            if (notes && n.kind == LayerKind::Input && n.quant.actBits == 1)
                notes->push_back("input '" + n.name + "': bipolar ±1 pixels became float pixels");
            t->quant.actBits = 32;
        }
        if (n.kind == LayerKind::Activation && n.attrString("function") == "sign") {
            t->attrs["function"] = std::string("hardtanh");
            if (notes)
                notes->push_back("activation '" + n.name + "': sign became hardtanh, its float counterpart");
        }
    }
    return twin;
}

bool isAllFloat(const Graph& graph)
{
    for (const auto& [id, n] : graph.nodes()) {
        const LayerSpec& spec = LayerRegistry::spec(n.kind);
        if (spec.hasWeights && n.quant.weightBits != 32)
            return false;
        if ((n.kind == LayerKind::Input || spec.hasActivationBits) && n.quant.actBits != 32)
            return false;
    }
    return true;
}

} // namespace qnn
