#pragma once

#include "core/graph/diagnostic.h"
#include "core/graph/graph.h"
#include "core/graph/tensor_type.h"

#include <map>
#include <vector>

namespace qnn {

/** Everything shape inference and validation found out about a graph. */
struct GraphAnalysis {
    /** Topological order, ties broken by id; nodes inside a cycle are left out. */
    std::vector<NodeId> order;
    /** Output type of each node whose inputs and attributes allowed inference. */
    std::map<NodeId, TensorType> outputTypes;
    /** Types arriving at each input port, for nodes whose every input is known. */
    std::map<NodeId, std::vector<TensorType>> inputTypes;
    std::vector<Diagnostic> diagnostics;
    /** Why shape inference refused a node, as its layer kind words it (no node name in front). */
    std::map<NodeId, std::string> inferErrors;

    bool hasErrors() const;
    size_t errorCount() const;
    std::vector<Diagnostic> diagnosticsFor(NodeId id) const;
    const TensorType* outputType(NodeId id) const;
};

/** Shape inference plus every check on a graph; a pure function, never throws
 *  for a user mistake. Diagnostics come out in a stable order. */
GraphAnalysis analyzeGraph(const Graph& graph);

/** Why this edge may not be added, as a sentence, or empty when it may:
 *  unknown node or port, occupied input, cycle, or a shape the target refuses. */
std::string connectionProblem(const Graph& graph, const Edge& edge);

} // namespace qnn
