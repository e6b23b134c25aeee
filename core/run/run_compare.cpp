#include "core/run/run_compare.h"

#include "core/graph/layer_registry.h"
#include "core/run/fp32_twin.h"

#include <set>

namespace qnn {

namespace {

std::string bitsOf(const Node& n)
{
    const LayerSpec& spec = LayerRegistry::spec(n.kind);
    std::string s;
    if (spec.hasWeights)
        s += "W" + std::to_string(n.quant.weightBits);
    if (spec.hasActivationBits)
        s += "A" + std::to_string(n.quant.actBits);
    return s;
}

std::string attrDiff(const Node& a, const Node& b)
{
    std::set<std::string> keys;
    for (const auto& [k, v] : a.attrs)
        keys.insert(k);
    for (const auto& [k, v] : b.attrs)
        keys.insert(k);
    std::string out;
    for (const std::string& k : keys) {
        const auto ia = a.attrs.find(k), ib = b.attrs.find(k);
        const std::string va = ia == a.attrs.end() ? "(default)" : attrValueToString(ia->second);
        const std::string vb = ib == b.attrs.end() ? "(default)" : attrValueToString(ib->second);
        if (va == vb)
            continue;
        out += (out.empty() ? "" : ", ") + k + ": " + va + " → " + vb;
    }
    return out;
}

nlohmann::json runColumn(const RunInfo& r)
{
    auto orNull = [](double v) { return v >= 0 ? nlohmann::json(v) : nlohmann::json(nullptr); };
    return {{"name", r.name},
            {"precision", r.precision},
            {"recipe", r.recipe},
            {"status", r.status},
            {"test_accuracy", orNull(r.testAccuracy)},
            {"best_val_accuracy", orNull(r.bestValAccuracy)},
            {"final_val_accuracy", orNull(r.finalValAccuracy)},
            {"params", r.params},
            {"weight_bits", r.weightBits},
            {"bops", r.bops},
            {"compression", r.compression},
            {"wall_s", r.wallSeconds}};
}

} // namespace

std::vector<LayerDifference> graphDiff(const Graph& a, const Graph& b)
{
    std::set<NodeId> ids;
    for (const auto& [id, n] : a.nodes())
        ids.insert(id);
    for (const auto& [id, n] : b.nodes())
        ids.insert(id);
    std::vector<LayerDifference> out;
    for (NodeId id : ids) {
        const Node* na = a.node(id);
        const Node* nb = b.node(id);
        LayerDifference d;
        d.id = id;
        d.name = na ? na->name : nb->name;
        if (!na || !nb) {
            d.what = na ? "only in A" : "only in B";
            out.push_back(d);
            continue;
        }
        std::string what;
        if (na->kind != nb->kind)
            what = "kind " + layerKindName(na->kind) + " → " + layerKindName(nb->kind);
        else {
            if (bitsOf(*na) != bitsOf(*nb))
                what = "bits " + bitsOf(*na) + " → " + bitsOf(*nb);
            const std::string attrs = attrDiff(*na, *nb);
            if (!attrs.empty())
                what += (what.empty() ? "" : "; ") + std::string("attributes ") + attrs;
        }
        if (na->name != nb->name)
            what += (what.empty() ? "" : "; ") + std::string("name ") + na->name + " → " + nb->name;
        if (what.empty())
            continue;
        d.what = what;
        out.push_back(d);
    }
    return out;
}

nlohmann::json compareRuns(const RunInfo& a, const RunInfo& b)
{
    nlohmann::json j;
    j["runs"] = nlohmann::json::array({runColumn(a), runColumn(b)});
    j["accuracy_gap_points"] = a.testAccuracy >= 0 && b.testAccuracy >= 0
                                   ? nlohmann::json(100.0 * (a.testAccuracy - b.testAccuracy))
                                   : nlohmann::json(nullptr);
    j["graph_diff"] = nlohmann::json::array();
    for (const LayerDifference& d : graphDiff(a.graph, b.graph))
        j["graph_diff"].push_back({{"node", d.id}, {"name", d.name}, {"what", d.what}});
    // Say what an FP32 twin had to change beyond the bit-widths.
    std::vector<std::string> notes;
    if (a.fp32Twin != b.fp32Twin)
        fp32Twin(a.fp32Twin ? b.graph : a.graph, &notes);
    j["notes"] = notes;
    return j;
}

} // namespace qnn
