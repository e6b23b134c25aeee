#pragma once

#include "core/graph/attr_value.h"
#include "core/graph/edge.h"
#include "core/graph/layer_kind.h"
#include "core/graph/quant_spec.h"

#include <optional>
#include <string>

namespace qnn {

/** Position of a node on the editor canvas; the model keeps it so that a
 *  saved project reopens as it was drawn. */
struct Point {
    double x = 0;
    double y = 0;
    bool operator==(const Point& o) const { return x == o.x && y == o.y; }
};

/** One layer of the graph. Holds values only; what they mean is in the
 *  LayerRegistry entry of its kind. */
struct Node {
    NodeId id = kInvalidNode;
    LayerKind kind = LayerKind::Input;
    std::string name;
    AttrMap attrs;
    QuantSpec quant;
    Point pos;

    /** The attribute as an int; the registry default when absent or of another type. */
    int64_t attrInt(const std::string& key) const;
    double attrFloat(const std::string& key) const;
    bool attrBool(const std::string& key) const;
    /** The bool, or `fallback` when the node lacks it (one built before the attribute existed). */
    bool attrBoolOr(const std::string& key, bool fallback) const;
    std::string attrString(const std::string& key) const;
    std::vector<int64_t> attrInts(const std::string& key) const;

    bool operator==(const Node& o) const
    {
        return id == o.id && kind == o.kind && name == o.name && attrs == o.attrs && quant == o.quant && pos == o.pos;
    }
};

} // namespace qnn
