#pragma once

#include <tuple>

namespace qnn {

using NodeId = int;
constexpr NodeId kInvalidNode = -1;

/** A connection from an output port to an input port; a plain value. */
struct Edge {
    NodeId fromNode = kInvalidNode;
    int fromPort = 0;
    NodeId toNode = kInvalidNode;
    int toPort = 0;

    bool operator==(const Edge& o) const
    {
        return fromNode == o.fromNode && fromPort == o.fromPort && toNode == o.toNode && toPort == o.toPort;
    }
    bool operator!=(const Edge& o) const { return !(*this == o); }
    bool operator<(const Edge& o) const
    {
        return std::tie(fromNode, fromPort, toNode, toPort) < std::tie(o.fromNode, o.fromPort, o.toNode, o.toPort);
    }
};

} // namespace qnn
