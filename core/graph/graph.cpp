#include "core/graph/graph.h"

#include "core/graph/layer_registry.h"

#include <algorithm>
#include <cctype>
#include <limits>

namespace qnn {

NodeId Graph::addNode(LayerKind kind, const std::string& name)
{
    const NodeId id = m_nextId;
    std::string stem = layerKindName(kind);
    std::transform(stem.begin(), stem.end(), stem.begin(), [](unsigned char c) { return std::tolower(c); });
    Node n = LayerRegistry::makeNode(kind, id, name.empty() ? uniqueName(stem) : name);
    return insertNode(n) ? id : kInvalidNode;
}

bool Graph::insertNode(const Node& node)
{
    // The largest id is refused so that the next one, id + 1, still fits.
    if (node.id <= 0 || node.id >= kMaxNodeId || m_nodes.count(node.id))
        return false;
    m_nodes.emplace(node.id, node);
    m_nextId = std::max(m_nextId, node.id + 1);
    return true;
}

bool Graph::removeNode(NodeId id)
{
    if (!m_nodes.erase(id))
        return false;
    for (auto it = m_edges.begin(); it != m_edges.end();) {
        if (it->fromNode == id || it->toNode == id)
            it = m_edges.erase(it);
        else
            ++it;
    }
    return true;
}

const Node* Graph::node(NodeId id) const
{
    auto it = m_nodes.find(id);
    return it == m_nodes.end() ? nullptr : &it->second;
}

Node* Graph::node(NodeId id)
{
    auto it = m_nodes.find(id);
    return it == m_nodes.end() ? nullptr : &it->second;
}

std::vector<NodeId> Graph::nodeIds() const
{
    std::vector<NodeId> ids;
    ids.reserve(m_nodes.size());
    for (const auto& [id, n] : m_nodes)
        ids.push_back(id);
    return ids;
}

NodeId Graph::findByName(const std::string& name) const
{
    for (const auto& [id, n] : m_nodes)
        if (n.name == name)
            return id;
    return kInvalidNode;
}

std::string Graph::uniqueName(const std::string& stem) const
{
    for (int i = 1;; ++i) {
        std::string candidate = stem + std::to_string(i);
        if (findByName(candidate) == kInvalidNode)
            return candidate;
    }
}

bool Graph::connect(const Edge& edge)
{
    if (!contains(edge.fromNode) || !contains(edge.toNode))
        return false;
    return m_edges.insert(edge).second;
}

bool Graph::disconnect(const Edge& edge) { return m_edges.erase(edge) != 0; }

std::vector<Edge> Graph::inEdges(NodeId id) const
{
    std::vector<Edge> out;
    for (const Edge& e : m_edges)
        if (e.toNode == id)
            out.push_back(e);
    return out;
}

std::vector<Edge> Graph::outEdges(NodeId id) const
{
    // Edges sort by source first: a node's out-edges are one run of the set
    // (a scan of every edge per call made callers quadratic on long chains).
    std::vector<Edge> out;
    for (auto it = m_edges.lower_bound(Edge{id, std::numeric_limits<int>::min(), std::numeric_limits<int>::min(),
                                            std::numeric_limits<int>::min()});
         it != m_edges.end() && it->fromNode == id; ++it)
        out.push_back(*it);
    return out;
}

bool Graph::wouldCreateCycle(const Edge& edge) const
{
    // A cycle closes when the source is already reachable from the target.
    std::vector<NodeId> stack{edge.toNode};
    std::set<NodeId> seen;
    while (!stack.empty()) {
        const NodeId cur = stack.back();
        stack.pop_back();
        if (cur == edge.fromNode)
            return true;
        if (!seen.insert(cur).second)
            continue;
        for (const Edge& e : m_edges)
            if (e.fromNode == cur)
                stack.push_back(e.toNode);
    }
    return false;
}

void Graph::clear()
{
    m_nodes.clear();
    m_edges.clear();
    m_nextId = 1;
}

} // namespace qnn
