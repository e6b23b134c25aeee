#include "core/graph/graph_analysis.h"

#include "core/graph/layer_registry.h"
#include "core/graph/node_name.h"

#include <algorithm>
#include <cmath>
#include <queue>
#include <set>
#include <sstream>
#include <unordered_map>

namespace qnn {

namespace {

std::string quoted(const Node& n) { return "'" + n.name + "'"; }

std::string bitList()
{
    std::string s;
    const auto& bits = allowedBitWidths();
    for (size_t i = 0; i < bits.size(); ++i) {
        if (i)
            s += i + 1 == bits.size() ? " or " : ", ";
        s += std::to_string(bits[i]);
    }
    return s;
}

class Analyzer
{
public:
    explicit Analyzer(const Graph& g) : m_graph(g) {}

    GraphAnalysis run()
    {
        checkInputsAndOutputs();
        for (const auto& [id, node] : m_graph.nodes()) {
            checkName(node);
            checkAttributes(node);
            checkBits(node);
        }
        checkEdges();
        topologicalOrder();
        inferShapes();
        checkReachability();
        return std::move(m_result);
    }

private:
    void add(NodeId node, Severity sev, DiagnosticCategory cat, std::string msg, std::string fix = {})
    {
        m_result.diagnostics.push_back({node, sev, cat, std::move(msg), std::move(fix)});
        if (sev == Severity::Error && node != kInvalidNode)
            m_broken.insert(node);
    }

    void checkInputsAndOutputs()
    {
        bool hasInput = false, hasOutput = false;
        for (const auto& [id, n] : m_graph.nodes()) {
            hasInput |= n.kind == LayerKind::Input;
            hasOutput |= n.kind == LayerKind::Output;
        }
        if (!hasInput)
            add(kInvalidNode, Severity::Error, DiagnosticCategory::Structure, "the graph has no Input layer",
                "add an Input from the palette");
        if (!hasOutput)
            add(kInvalidNode, Severity::Error, DiagnosticCategory::Structure, "the graph has no Output layer",
                "add an Output from the palette");
    }

    void checkName(const Node& n)
    {
        if (n.name.empty()) {
            add(n.id, Severity::Warning, DiagnosticCategory::Structure,
                layerKindName(n.kind) + " #" + std::to_string(n.id) + " has no name", "give it a name");
            return;
        }
        if (const std::string problem = nameProblem(n.name); !problem.empty())
            add(n.id, Severity::Warning, DiagnosticCategory::Structure, quoted(n) + ": " + problem, "rename it");
        // The first (lowest id) layer of each name, built once: a lookup per
        // node (Graph::findByName scans) made analysis quadratic in the node count.
        if (m_firstByName.empty())
            for (const auto& [id, node] : m_graph.nodes())
                m_firstByName.emplace(node.name, id);
        const NodeId first = m_firstByName.at(n.name);
        if (first != n.id)
            add(n.id, Severity::Warning, DiagnosticCategory::Structure,
                "the name " + quoted(n) + " is used by another layer too; runs and packed files name layers, "
                "so they should differ",
                "rename one of them");
    }

    void checkAttributes(const Node& n)
    {
        const LayerSpec& spec = LayerRegistry::spec(n.kind);
        for (const auto& [key, value] : n.attrs)
            if (!spec.attr(key))
                add(n.id, Severity::Warning, DiagnosticCategory::Attribute,
                    quoted(n) + " has an attribute '" + key + "' that " + spec.name + " does not use");
        for (const AttrSpec& a : spec.attrs) {
            auto it = n.attrs.find(a.name);
            if (it == n.attrs.end())
                continue; // the default applies
            if (const std::string problem = attributeProblem(a, it->second); !problem.empty())
                add(n.id, Severity::Error, DiagnosticCategory::Attribute, quoted(n) + ": " + problem);
        }
    }

    void checkBits(const Node& n)
    {
        const LayerSpec& spec = LayerRegistry::spec(n.kind);
        const auto q = DiagnosticCategory::Quantization;
        if (!spec.hasWeights && n.quant.weightBits != 32)
            add(n.id, Severity::Error, q,
                quoted(n) + " is a " + spec.name + ", which has no weights, but asks for " +
                    std::to_string(n.quant.weightBits) + "-bit weights",
                "set its weight bits to 32");
        else if (!isAllowedBitWidth(n.quant.weightBits))
            add(n.id, Severity::Error, q,
                quoted(n) + ": " + std::to_string(n.quant.weightBits) +
                    "-bit weights are not supported; choose " + bitList());
        if (!spec.hasActivationBits && n.quant.actBits != 32)
            add(n.id, Severity::Error, q,
                quoted(n) + " is a " + spec.name + ", which does not quantize activations, but asks for " +
                    std::to_string(n.quant.actBits) + "-bit activations",
                "set its activation bits to 32 and quantize with an Activation or QuantAct after it");
        else if (!isAllowedBitWidth(n.quant.actBits))
            add(n.id, Severity::Error, q,
                quoted(n) + ": " + std::to_string(n.quant.actBits) +
                    "-bit activations are not supported; choose " + bitList());
        if (n.kind == LayerKind::Activation) {
            const std::string fn = n.attrString("function");
            if (fn == "sign" && n.quant.actBits != 1)
                add(n.id, Severity::Error, q,
                    quoted(n) + ": sign gives ±1, which is 1 bit, but the activation bits are " +
                        std::to_string(n.quant.actBits),
                    "set activation bits to 1, or use hardtanh for more bits");
            if (fn == "relu" && n.quant.actBits == 1)
                add(n.id, Severity::Error, q,
                    quoted(n) + ": relu is never negative, so it cannot be bipolar (1 bit)",
                    "use sign or hardtanh for 1 bit, or give relu 2 bits or more");
        }
        if (n.kind == LayerKind::QuantAct) {
            if (n.quant.actBits == 1 && !n.attrBool("signed"))
                add(n.id, Severity::Error, q, quoted(n) + ": 1 bit is bipolar (±1), so it must be signed",
                    "turn 'signed' on or use 2 bits or more");
            if (n.quant.actBits == 32)
                add(n.id, Severity::Warning, q, quoted(n) + " quantizes to 32 bits, which changes nothing",
                    "give it fewer activation bits or remove it");
        }
    }

    void checkEdges()
    {
        // (node, port) -> edges arriving there
        std::map<std::pair<NodeId, int>, std::vector<Edge>> arriving;
        for (const Edge& e : m_graph.edges()) {
            const Node* from = m_graph.node(e.fromNode);
            const Node* to = m_graph.node(e.toNode);
            if (!from || !to) {
                add(from ? from->id : (to ? to->id : kInvalidNode), Severity::Error, DiagnosticCategory::Structure,
                    "an edge refers to node #" + std::to_string(from ? e.toNode : e.fromNode) +
                        ", which does not exist");
                continue;
            }
            const LayerSpec& fs = LayerRegistry::spec(from->kind);
            const LayerSpec& ts = LayerRegistry::spec(to->kind);
            if (e.fromPort < 0 || e.fromPort >= fs.outputs) {
                add(from->id, Severity::Error, DiagnosticCategory::Structure,
                    quoted(*from) + " has no output port " + std::to_string(e.fromPort) +
                        (fs.outputs == 0 ? " (an Output has no outputs)" : ""));
                continue;
            }
            const int nIn = ts.inputCount(*to);
            if (e.toPort < 0 || e.toPort >= nIn) {
                add(to->id, Severity::Error, DiagnosticCategory::Structure,
                    quoted(*to) + " has no input port " + std::to_string(e.toPort) + " (it has " +
                        std::to_string(nIn) + (nIn == 1 ? " input)" : " inputs)"));
                continue;
            }
            arriving[{e.toNode, e.toPort}].push_back(e);
            // Per-node indexes of the valid edges, in their order: the walks
            // below scanned every edge per node, quadratic on long chains.
            m_outOf[e.fromNode].push_back(m_validEdges.size());
            m_inTo[e.toNode].push_back(m_validEdges.size());
            m_validEdges.push_back(e);
        }
        for (const auto& [id, n] : m_graph.nodes()) {
            const int nIn = LayerRegistry::spec(n.kind).inputCount(n);
            for (int port = 0; port < nIn; ++port) {
                auto it = arriving.find({id, port});
                const std::string portName = nIn == 1 ? "the input" : "input " + std::to_string(port + 1);
                if (it == arriving.end()) {
                    add(id, Severity::Error, DiagnosticCategory::Structure,
                        portName + " of " + quoted(n) + " is not connected",
                        "drag an edge from a layer's output to it");
                } else if (it->second.size() > 1) {
                    std::string sources;
                    for (const Edge& e : it->second)
                        sources += (sources.empty() ? "" : ", ") + quoted(*m_graph.node(e.fromNode));
                    add(id, Severity::Error, DiagnosticCategory::Structure,
                        portName + " of " + quoted(n) + " has " + std::to_string(it->second.size()) +
                            " connections (from " + sources + "); an input takes exactly one",
                        "remove all but one, or merge them with Add or Concat");
                }
            }
        }
    }

    void topologicalOrder()
    {
        std::map<NodeId, int> indegree;
        for (const auto& [id, n] : m_graph.nodes())
            indegree[id] = 0;
        for (const Edge& e : m_validEdges)
            ++indegree[e.toNode];
        std::priority_queue<NodeId, std::vector<NodeId>, std::greater<NodeId>> ready;
        for (const auto& [id, d] : indegree)
            if (d == 0)
                ready.push(id);
        while (!ready.empty()) {
            const NodeId id = ready.top();
            ready.pop();
            m_result.order.push_back(id);
            for (size_t i : edgesOutOf(id))
                if (--indegree[m_validEdges[i].toNode] == 0)
                    ready.push(m_validEdges[i].toNode);
        }
        std::set<NodeId> inCycle;
        for (const auto& [id, d] : indegree)
            if (d > 0)
                inCycle.insert(id);
        reportCycles(inCycle);
    }

    // Drops nodes with no predecessor left in the set, until none remain: what is
    // left then lies on cycles, so walking backwards from any node must repeat.
    void pruneUnfed(std::set<NodeId>& remaining) const
    {
        for (bool changed = true; changed;) {
            changed = false;
            for (auto it = remaining.begin(); it != remaining.end();) {
                bool fed = false;
                for (const Edge& e : m_validEdges)
                    fed |= e.toNode == *it && remaining.count(e.fromNode) != 0;
                if (fed) {
                    ++it;
                } else {
                    it = remaining.erase(it);
                    changed = true;
                }
            }
        }
    }

    void reportCycles(std::set<NodeId> remaining)
    {
        // Nodes left after Kahn's algorithm are on a cycle or downstream of one;
        // those downstream get no shape and need no message of their own.
        pruneUnfed(remaining);
        while (!remaining.empty()) {
            NodeId cur = *remaining.begin();
            std::vector<NodeId> path;
            std::map<NodeId, size_t> pos;
            while (!pos.count(cur)) {
                pos[cur] = path.size();
                path.push_back(cur);
                for (const Edge& e : m_validEdges)
                    if (e.toNode == cur && remaining.count(e.fromNode)) {
                        cur = e.fromNode;
                        break;
                    }
            }
            std::vector<NodeId> cycle(path.begin() + static_cast<long>(pos[cur]), path.end());
            std::reverse(cycle.begin(), cycle.end());
            // Start the ring at its smallest id so the message does not depend on where the walk began.
            std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
            std::string ring;
            for (NodeId id : cycle)
                ring += m_graph.node(id)->name + " → ";
            ring += m_graph.node(cycle.front())->name;
            for (NodeId id : cycle) {
                add(id, Severity::Error, DiagnosticCategory::Structure,
                    quoted(*m_graph.node(id)) + " is part of a cycle: " + ring,
                    "remove one edge of the cycle; data must flow one way");
                remaining.erase(id);
            }
            pruneUnfed(remaining);
        }
    }

    void inferShapes()
    {
        for (NodeId id : m_result.order) {
            const Node& n = *m_graph.node(id);
            const LayerSpec& spec = LayerRegistry::spec(n.kind);
            if (m_broken.count(id))
                continue;
            const int nIn = spec.inputCount(n);
            std::vector<TensorType> inputs(static_cast<size_t>(nIn));
            bool known = true;
            for (size_t i : edgesInto(id)) {
                const Edge& e = m_validEdges[i];
                auto it = m_result.outputTypes.find(e.fromNode);
                if (it == m_result.outputTypes.end())
                    known = false;
                else
                    inputs[static_cast<size_t>(e.toPort)] = it->second;
            }
            if (!known)
                continue;
            m_result.inputTypes[id] = inputs;
            InferResult r = spec.infer(n, inputs);
            if (!r.ok) {
                if (r.needsImage)
                    r.error += "; " + imageHint(id);
                m_result.inferErrors[id] = r.error;
                add(id, Severity::Error, DiagnosticCategory::Shape, quoted(n) + ": " + r.error);
                continue;
            }
            m_result.outputTypes[id] = r.type;
        }
    }

    // What makes the input of `id` flat, found by walking up its first inputs:
    // a Flatten to remove, a flat Input to reshape, or a layer to move it before.
    std::string imageHint(NodeId id) const
    {
        std::set<NodeId> seen;
        NodeId cur = id;
        while (seen.insert(cur).second) {
            NodeId source = kInvalidNode;
            for (const Edge& e : m_validEdges)
                if (e.toNode == cur && e.toPort == 0)
                    source = e.fromNode;
            const Node* from = m_graph.node(source);
            if (!from)
                break;
            if (from->kind == LayerKind::Flatten)
                return "remove the Flatten " + quoted(*from) + " before it";
            if (from->kind == LayerKind::Input)
                return "give the Input " + quoted(*from) + " a C×H×W shape, such as 1, 28, 28";
            if (from->kind == LayerKind::Dense)
                return "put it before the Dense " + quoted(*from) + ", whose output is flat";
            cur = source;
        }
        return "feed it a C×H×W image";
    }

    void checkReachability()
    {
        std::set<NodeId> fromInput, toOutput;
        std::vector<NodeId> stack;
        for (const auto& [id, n] : m_graph.nodes())
            if (n.kind == LayerKind::Input)
                stack.push_back(id);
        while (!stack.empty()) {
            NodeId cur = stack.back();
            stack.pop_back();
            if (!fromInput.insert(cur).second)
                continue;
            for (size_t i : edgesOutOf(cur))
                stack.push_back(m_validEdges[i].toNode);
        }
        for (const auto& [id, n] : m_graph.nodes())
            if (n.kind == LayerKind::Output)
                stack.push_back(id);
        while (!stack.empty()) {
            NodeId cur = stack.back();
            stack.pop_back();
            if (!toOutput.insert(cur).second)
                continue;
            for (size_t i : edgesInto(cur))
                stack.push_back(m_validEdges[i].fromNode);
        }
        for (const auto& [id, n] : m_graph.nodes()) {
            if (!fromInput.count(id) && n.kind != LayerKind::Input && !m_broken.count(id))
                add(id, Severity::Warning, DiagnosticCategory::Structure,
                    quoted(n) + " is not reachable from any Input", "connect it or delete it");
            else if (!toOutput.count(id) && n.kind != LayerKind::Output)
                add(id, Severity::Warning, DiagnosticCategory::Structure,
                    quoted(n) + " does not lead to any Output; its result is unused", "connect it or delete it");
        }
    }

    const Graph& m_graph;
    std::unordered_map<std::string, NodeId> m_firstByName;
    GraphAnalysis m_result;
    std::vector<Edge> m_validEdges;
    std::unordered_map<NodeId, std::vector<size_t>> m_outOf, m_inTo;
    static inline const std::vector<size_t> kNoEdges{};
    const std::vector<size_t>& edgesOutOf(NodeId id) const
    {
        auto it = m_outOf.find(id);
        return it == m_outOf.end() ? kNoEdges : it->second;
    }
    const std::vector<size_t>& edgesInto(NodeId id) const
    {
        auto it = m_inTo.find(id);
        return it == m_inTo.end() ? kNoEdges : it->second;
    }
    std::set<NodeId> m_broken;
};

} // namespace

bool GraphAnalysis::hasErrors() const { return errorCount() > 0; }

size_t GraphAnalysis::errorCount() const
{
    return static_cast<size_t>(std::count_if(diagnostics.begin(), diagnostics.end(),
                                             [](const Diagnostic& d) { return d.severity == Severity::Error; }));
}

std::vector<Diagnostic> GraphAnalysis::diagnosticsFor(NodeId id) const
{
    std::vector<Diagnostic> out;
    for (const Diagnostic& d : diagnostics)
        if (d.node == id)
            out.push_back(d);
    return out;
}

const TensorType* GraphAnalysis::outputType(NodeId id) const
{
    auto it = outputTypes.find(id);
    return it == outputTypes.end() ? nullptr : &it->second;
}

GraphAnalysis analyzeGraph(const Graph& graph) { return Analyzer(graph).run(); }

std::string connectionProblem(const Graph& graph, const Edge& edge)
{
    const Node* from = graph.node(edge.fromNode);
    const Node* to = graph.node(edge.toNode);
    if (!from || !to)
        return "that layer no longer exists";
    const LayerSpec& fs = LayerRegistry::spec(from->kind);
    const LayerSpec& ts = LayerRegistry::spec(to->kind);
    if (edge.fromPort < 0 || edge.fromPort >= fs.outputs)
        return "'" + from->name + "' has no output port " + std::to_string(edge.fromPort);
    if (edge.toPort < 0 || edge.toPort >= ts.inputCount(*to))
        return "'" + to->name + "' has no input port " + std::to_string(edge.toPort);
    if (edge.fromNode == edge.toNode)
        return "a layer cannot feed itself";
    for (const Edge& e : graph.edges())
        if (e.toNode == edge.toNode && e.toPort == edge.toPort)
            return "that input of '" + to->name + "' is already connected to '" + graph.node(e.fromNode)->name +
                   "'";
    if (graph.wouldCreateCycle(edge))
        return "this connection would make a cycle";
    // The target's inference decides whether the shape fits: try it on a copy.
    Graph trial = graph;
    trial.connect(edge);
    const GraphAnalysis analysis = analyzeGraph(trial);
    if (!analysis.outputType(edge.fromNode))
        return {}; // the source has no known shape yet; nothing to refuse on
    auto it = analysis.inferErrors.find(edge.toNode);
    return it == analysis.inferErrors.end() ? std::string() : it->second;
}

} // namespace qnn
