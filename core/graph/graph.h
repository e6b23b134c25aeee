#pragma once

#include "core/graph/edge.h"
#include "core/graph/node.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace qnn {

/** Node ids lie below this (INT_MAX), so that the id after the largest still fits in a NodeId. */
constexpr NodeId kMaxNodeId = 2147483647;

/** A layer graph: nodes by stable integer id and value-type edges.
 *  It stores whatever it is given (a loaded file may be wrong in any way);
 *  analyzeGraph() says what is wrong. Ids are never reused while a graph
 *  lives, so undo can put a node back under its old id. */
class Graph
{
public:
    /** Adds a node of this kind with default attributes; returns its new id,
     *  or kInvalidNode when no id is left (after a node with id kMaxNodeId - 1).
     *  An empty name becomes a unique one such as "dense2". */
    NodeId addNode(LayerKind kind, const std::string& name = {});
    /** Adds a node under its own id (undo, paste, loading). False when the id
     *  is taken or outside 1 … kMaxNodeId - 1. */
    bool insertNode(const Node& node);
    /** Removes the node and every edge touching it; false when absent. */
    bool removeNode(NodeId id);

    const Node* node(NodeId id) const;
    Node* node(NodeId id);
    bool contains(NodeId id) const { return m_nodes.count(id) != 0; }
    /** Sorted by id. */
    const std::map<NodeId, Node>& nodes() const { return m_nodes; }
    std::vector<NodeId> nodeIds() const;
    /** The first node with this name, or kInvalidNode. */
    NodeId findByName(const std::string& name) const;
    /** A name not used yet, built from the stem ("dense" → "dense3"). */
    std::string uniqueName(const std::string& stem) const;

    /** Adds an edge between existing nodes; false when a node is missing or
     *  the same edge exists. Validity (ports, cycles, shapes) is analyzeGraph's job. */
    bool connect(const Edge& edge);
    bool disconnect(const Edge& edge);
    /** Sorted, so iteration order never depends on history. */
    const std::set<Edge>& edges() const { return m_edges; }
    std::vector<Edge> inEdges(NodeId id) const;
    std::vector<Edge> outEdges(NodeId id) const;
    /** True when adding the edge would close a cycle (including a self-loop). */
    bool wouldCreateCycle(const Edge& edge) const;

    NodeId nextId() const { return m_nextId; }
    bool empty() const { return m_nodes.empty(); }
    size_t size() const { return m_nodes.size(); }
    void clear();

    bool operator==(const Graph& o) const { return m_nodes == o.m_nodes && m_edges == o.m_edges; }
    bool operator!=(const Graph& o) const { return !(*this == o); }

private:
    std::map<NodeId, Node> m_nodes;
    std::set<Edge> m_edges;
    NodeId m_nextId = 1;
};

} // namespace qnn
