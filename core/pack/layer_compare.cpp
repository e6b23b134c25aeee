#include "core/pack/layer_compare.h"

#include "core/quant/quantization.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace qnn::pack {

namespace {

NodeId onlySuccessor(const Graph& g, NodeId id)
{
    const std::vector<Edge> out = g.outEdges(id);
    return out.size() == 1 ? out[0].toNode : kInvalidNode;
}

constexpr size_t kListedImages = 20;

} // namespace

bool layerProbes(const Graph& graph, const PackedNet& net, std::vector<LayerProbe>& probes, std::string& error)
{
    probes.clear();
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const PackedLayer& l = net.layers[i];
        LayerProbe p;
        p.layer = l.name;
        p.matrixNode = graph.findByName(l.name);
        p.conv = l.conv;
        p.channels = l.rows;
        p.dim = l.ofmDim;
        if (p.matrixNode == kInvalidNode) {
            error = "the packed folder's layer \"" + l.name + "\" is not a node of the run's graph";
            return false;
        }
        if (i + 1 < net.layers.size()) {
            NodeId prev = p.matrixNode;
            for (NodeId id = onlySuccessor(graph, prev); id != kInvalidNode; prev = id, id = onlySuccessor(graph, id)) {
                const Node& n = *graph.node(id);
                if (n.kind == LayerKind::Activation || n.kind == LayerKind::QuantAct) {
                    const QuantLevels q = n.kind == LayerKind::Activation
                                              ? activationFunctionLevels(n.attrString("function"), n.quant.actBits)
                                              : activationLevels(n.quant.actBits, n.attrBool("signed"), n.attrFloat("range"),
                                                                 n.attrBool("narrow"));
                    p.codeNode = id;
                    p.preNode = prev;
                    p.bipolar = q.isBipolar();
                    p.scale = q.isBipolar() ? q.scale : q.scale;
                    if (q.isBipolar())
                        p.boundaries = {0.0};
                    else
                        for (int64_t c = q.minLevel; c < q.maxLevel; ++c)
                            p.boundaries.push_back((double(c) + 0.5) * q.scale);
                    break;
                }
                if (n.kind == LayerKind::Dense || n.kind == LayerKind::Conv2D || n.kind == LayerKind::Output)
                    break;
            }
            if (p.codeNode == kInvalidNode) {
                error = l.name + " has no activation after it in the graph";
                return false;
            }
        }
        probes.push_back(p);
    }
    return true;
}

LayerComparison::LayerComparison(std::vector<LayerProbe> probes)
    : m_probes(std::move(probes)), m_tallies(m_probes.size())
{
}

void LayerComparison::add(size_t image, int label, int floatClass, const std::vector<const float*>& codeValues,
                          const std::vector<const float*>& preValues, const EngineTrace& trace, int intClass)
{
    ++m_images;
    m_agree += floatClass == intClass;
    if (floatClass != intClass)
        m_differing.push_back({image, label, floatClass, intClass});
    for (size_t i = 0; i < m_probes.size(); ++i) {
        const LayerProbe& p = m_probes[i];
        Tally& t = m_tallies[i];
        int64_t differing = 0;
        if (p.codeNode == kInvalidNode) {
            t.elements += 1;
            differing = floatClass != intClass;
        } else {
            const std::vector<int32_t>& got = trace.outputs[i];
            const int64_t hw = p.dim * p.dim;
            for (int64_t e = 0; e < int64_t(got.size()); ++e) {
                // Stream order (pixel-major, channel innermost) → the float model's C×H×W.
                const int64_t fi = p.conv ? (e % p.channels) * hw + e / p.channels : e;
                const double v = codeValues[i][fi];
                const int64_t code = p.bipolar ? (v >= 0 ? 1 : -1) : int64_t(std::llround(v / p.scale));
                if (code == got[e])
                    continue;
                ++differing;
                const double pre = preValues[i][fi];
                double nearest = 1e300;
                for (double b : p.boundaries)
                    nearest = std::min(nearest, std::fabs(pre - b));
                if (nearest <= 1e-4 * std::max(1.0, std::fabs(pre)))
                    ++t.ties;
            }
            t.elements += int64_t(got.size());
        }
        t.differing += differing;
        if (differing) {
            ++t.imagesDiffering;
            if (t.firstImages.size() < kListedImages)
                t.firstImages.push_back(image);
        }
    }
}

nlohmann::json LayerComparison::toJson() const
{
    nlohmann::json layers = nlohmann::json::array();
    int first = -1;
    for (size_t i = 0; i < m_probes.size(); ++i) {
        const Tally& t = m_tallies[i];
        if (first < 0 && t.differing > 0)
            first = int(i);
        layers.push_back({{"layer", m_probes[i].layer},
                          {"node", m_probes[i].matrixNode},
                          {"compared_at", m_probes[i].codeNode == kInvalidNode ? "class" : "activation"},
                          {"elements", t.elements},
                          {"differing", t.differing},
                          {"ties", t.ties},
                          {"images_differing", t.imagesDiffering},
                          {"first_images", t.firstImages}});
    }
    nlohmann::json images = nlohmann::json::array();
    for (const ImageDiff& d : m_differing)
        images.push_back({{"image", d.image}, {"label", d.label}, {"float", d.floatClass}, {"integer", d.intClass}});
    return {{"images", m_images},
            {"agree", m_agree},
            {"agreement", m_images ? 100.0 * double(m_agree) / double(m_images) : 100.0},
            {"first_differing_layer", first < 0 ? nlohmann::json(nullptr) : nlohmann::json(m_probes[first].layer)},
            {"layers", layers},
            {"differing_images", images}};
}

std::string LayerComparison::toText() const
{
    const nlohmann::json j = toJson();
    std::ostringstream s;
    s.setf(std::ios::fixed);
    s.precision(2);
    s << "float vs integer on " << m_images << " images: " << m_agree << " predictions agree ("
      << j["agreement"].get<double>() << " %)\n";
    s << "layer        elements     differing  ties  images\n";
    for (const auto& l : j["layers"]) {
        std::string name = l["layer"].get<std::string>();
        name.resize(std::max<size_t>(name.size(), 12), ' ');
        s << name << " " << l["elements"].get<int64_t>() << "  " << l["differing"].get<int64_t>() << "  "
          << l["ties"].get<int64_t>() << "  " << l["images_differing"].get<int64_t>() << "\n";
    }
    if (j["first_differing_layer"].is_null())
        s << "no layer differs\n";
    else
        s << "first differing layer: " << j["first_differing_layer"].get<std::string>() << "\n";
    size_t shown = 0;
    for (const ImageDiff& d : m_differing) {
        if (shown++ == kListedImages) {
            s << "  … " << m_differing.size() - kListedImages << " more\n";
            break;
        }
        s << "  image " << d.image << ": label " << d.label << ", float " << d.floatClass << ", integer "
          << d.intClass << "\n";
    }
    return s.str();
}

} // namespace qnn::pack
