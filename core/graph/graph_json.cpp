#include "core/graph/graph_json.h"

#include "core/graph/layer_registry.h"

#include <cstring>
#include <limits>

namespace qnn {

using nlohmann::json;

namespace {

json attrToJson(const AttrValue& v)
{
    return std::visit([](const auto& x) { return json(x); }, v);
}

bool attrFromJson(const json& j, AttrType type, AttrValue& out)
{
    switch (type) {
    case AttrType::Int:
        if (!j.is_number_integer())
            return false;
        out = j.get<int64_t>();
        return true;
    case AttrType::Float:
        if (!j.is_number())
            return false;
        out = j.get<double>();
        return true;
    case AttrType::Bool:
        if (!j.is_boolean())
            return false;
        out = j.get<bool>();
        return true;
    case AttrType::Enum:
        if (!j.is_string())
            return false;
        out = j.get<std::string>();
        return true;
    case AttrType::IntList: {
        if (!j.is_array())
            return false;
        std::vector<int64_t> list;
        for (const json& x : j) {
            if (!x.is_number_integer())
                return false;
            list.push_back(x.get<int64_t>());
        }
        out = list;
        return true;
    }
    }
    return false;
}

std::string expected(AttrType type)
{
    switch (type) {
    case AttrType::Int: return "an integer";
    case AttrType::Float: return "a number";
    case AttrType::Bool: return "true or false";
    case AttrType::Enum: return "a string";
    case AttrType::IntList: return "a list of integers";
    }
    return "?";
}

// Reads a required member of a given kind; false with a message when missing or of another type.
template <typename Check>
bool member(const json& obj, const char* key, const std::string& where, std::string& error, Check isRight,
            const char* want, const json*& out)
{
    auto it = obj.find(key);
    if (it == obj.end()) {
        error = where + ": missing field '" + key + "'";
        return false;
    }
    if (!isRight(*it)) {
        error = where + "." + key + ": expected " + want + ", got " + jsonTypeName(*it);
        return false;
    }
    out = &*it;
    return true;
}

bool optionalInt(const json& obj, const char* key, const std::string& where, std::string& error, int& value)
{
    auto it = obj.find(key);
    if (it == obj.end())
        return true;
    if (!it->is_number_integer()) {
        error = where + "." + key + ": expected an integer, got " + jsonTypeName(*it);
        return false;
    }
    const int64_t v = it->get<int64_t>();
    if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
        error = where + "." + key + ": " + std::to_string(v) + " is too large";
        return false;
    }
    value = static_cast<int>(v);
    return true;
}

} // namespace

std::string jsonTypeName(const json& value)
{
    switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "a list";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "true/false";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a number with a fraction";
    case json::value_t::binary:
    case json::value_t::discarded: return "something else";
    }
    return "something else";
}

json nodeToJson(const Node& n)
{
    const LayerSpec& spec = LayerRegistry::spec(n.kind);
    json j = json::object();
    j["id"] = n.id;
    j["kind"] = spec.name;
    j["name"] = n.name;
    json attrs = json::object();
    for (const auto& [key, value] : n.attrs) {
        const AttrSpec* as = spec.attr(key);
        if (as && !as->writtenWhenDefault && value == as->defaultValue)
            continue;
        attrs[key] = attrToJson(value);
    }
    j["attrs"] = attrs;
    // Bits are written where they mean something, and anywhere they are not the
    // default, so a file that is wrong stays wrong on a round trip and validation can say so.
    if (spec.hasWeights || n.quant.weightBits != 32)
        j["weight_bits"] = n.quant.weightBits;
    if (spec.hasActivationBits || n.quant.actBits != 32)
        j["act_bits"] = n.quant.actBits;
    j["pos"] = {{"x", n.pos.x}, {"y", n.pos.y}};
    return j;
}

json graphToJson(const Graph& graph)
{
    json nodes = json::array();
    for (const auto& [id, n] : graph.nodes())
        nodes.push_back(nodeToJson(n));
    json edges = json::array();
    for (const Edge& e : graph.edges())
        edges.push_back({{"from", e.fromNode}, {"from_port", e.fromPort}, {"to", e.toNode}, {"to_port", e.toPort}});
    return {{"nodes", nodes}, {"edges", edges}};
}

bool nodeFromJson(const json& j, Node& out, std::string& error, const std::string& where,
                  std::vector<Diagnostic>* defaulted)
{
    if (!j.is_object()) {
        error = where + ": expected an object, got " + jsonTypeName(j);
        return false;
    }
    const json* id = nullptr;
    const json* kind = nullptr;
    if (!member(j, "id", where, error, [](const json& x) { return x.is_number_integer(); }, "an integer", id))
        return false;
    if (!member(j, "kind", where, error, [](const json& x) { return x.is_string(); }, "a string", kind))
        return false;
    const auto k = layerKindFromName(kind->get<std::string>());
    if (!k) {
        std::string known;
        for (LayerKind each : allLayerKinds())
            known += (known.empty() ? "" : ", ") + layerKindName(each);
        error = where + ".kind: unknown layer kind '" + kind->get<std::string>() + "'; known kinds are " + known;
        return false;
    }
    const int64_t rawId = id->get<int64_t>();
    if (rawId <= 0 || rawId >= kMaxNodeId) {
        error = where + ".id: node ids must be whole numbers from 1 to " + std::to_string(kMaxNodeId - 1) + ", got " +
                std::to_string(rawId);
        return false;
    }
    Node n = LayerRegistry::makeNode(*k, static_cast<NodeId>(rawId));
    if (auto it = j.find("name"); it != j.end()) {
        if (!it->is_string()) {
            error = where + ".name: expected a string, got " + jsonTypeName(*it);
            return false;
        }
        n.name = it->get<std::string>();
    }
    if (auto it = j.find("attrs"); it != j.end()) {
        if (!it->is_object()) {
            error = where + ".attrs: expected an object, got " + jsonTypeName(*it);
            return false;
        }
        const LayerSpec& spec = LayerRegistry::spec(*k);
        for (auto a = it->begin(); a != it->end(); ++a) {
            const AttrSpec* as = spec.attr(a.key());
            if (!as) {
                std::string known;
                for (const AttrSpec& each : spec.attrs)
                    known += (known.empty() ? "" : ", ") + each.name;
                error = where + ".attrs: " + spec.name + " has no attribute '" + a.key() + "'" +
                        (known.empty() ? "" : " (it has " + known + ")");
                return false;
            }
            if (!attrFromJson(a.value(), as->type, n.attrs[a.key()])) {
                error = where + ".attrs." + a.key() + ": expected " + expected(as->type) + ", got " +
                        jsonTypeName(a.value());
                return false;
            }
        }
    }
    // What the network is made of must be in the file: a default standing in
    // for a lost value (a Dense of 64 units, float weights) changes the network
    // while every check passes. Files the workbench writes hold every one.
    {
        const LayerSpec& spec = LayerRegistry::spec(*k);
        const std::string node = where + " (" + spec.name + " \"" + n.name + "\")";
        const std::string a = std::string(std::strchr("AEIOU", spec.name[0]) ? "an " : "a ") + spec.name;
        const std::string fix = "; the file gives none, and a default would change the network: add it to the node "
                                "in the file (a project saved by QNN Workbench always has it)";
        const auto attrs = j.find("attrs");
        for (const AttrSpec& as : spec.attrs)
            if (as.required && (attrs == j.end() || !attrs->contains(as.name))) {
                error = node + ": " + a + " needs \"attrs\": {\"" + as.name + "\": ...} (" + as.doc + ")" +
                        fix;
                return false;
            }
        if (spec.hasWeights && !j.contains("weight_bits")) {
            error = node + ": " + a + " needs \"weight_bits\" (1, 2 to 8, or 32 for float weights)" + fix;
            return false;
        }
        if (spec.hasActivationBits && !j.contains("act_bits")) {
            error = node + ": " + a + " needs \"act_bits\" (1, 2 to 8, or 32 for float values)" + fix;
            return false;
        }
        // Taken from the registry, but said: the default is not the only one a user could have meant.
        for (const AttrSpec& as : spec.attrs)
            if (defaulted && !as.absentNote.empty() && (attrs == j.end() || !attrs->contains(as.name)))
                defaulted->push_back({n.id, Severity::Warning, DiagnosticCategory::Attribute,
                                      "the file gives no \"" + as.name + "\", so " +
                                          attrValueToString(as.defaultValue) + " is used (" + as.doc + "); " +
                                          as.absentNote,
                                      "write \"" + as.name + "\" into the node's \"attrs\" (saving the project "
                                      "from the window writes it)"});
    }
    if (!optionalInt(j, "weight_bits", where, error, n.quant.weightBits) ||
        !optionalInt(j, "act_bits", where, error, n.quant.actBits))
        return false;
    if (auto it = j.find("pos"); it != j.end()) {
        const bool ok = it->is_object() && it->contains("x") && it->contains("y") && (*it)["x"].is_number() &&
                        (*it)["y"].is_number();
        if (!ok) {
            error = where + ".pos: expected {\"x\": number, \"y\": number}";
            return false;
        }
        n.pos = {(*it)["x"].get<double>(), (*it)["y"].get<double>()};
    }
    out = std::move(n);
    return true;
}

bool graphFromJson(const json& j, Graph& out, std::string& error, const std::string& where,
                   std::vector<Diagnostic>* defaulted)
{
    if (!j.is_object()) {
        error = where + ": expected an object, got " + jsonTypeName(j);
        return false;
    }
    const json* nodes = nullptr;
    const json* edges = nullptr;
    if (!member(j, "nodes", where, error, [](const json& x) { return x.is_array(); }, "a list", nodes))
        return false;
    if (!member(j, "edges", where, error, [](const json& x) { return x.is_array(); }, "a list", edges))
        return false;
    Graph g;
    for (size_t i = 0; i < nodes->size(); ++i) {
        const std::string at = where + ".nodes[" + std::to_string(i) + "]";
        Node n;
        if (!nodeFromJson((*nodes)[i], n, error, at, defaulted))
            return false;
        if (!g.insertNode(n)) {
            error = at + ".id: the id " + std::to_string(n.id) + " is used twice";
            return false;
        }
    }
    for (size_t i = 0; i < edges->size(); ++i) {
        const std::string at = where + ".edges[" + std::to_string(i) + "]";
        const json& e = (*edges)[i];
        if (!e.is_object()) {
            error = at + ": expected an object, got " + jsonTypeName(e);
            return false;
        }
        const json* from = nullptr;
        const json* to = nullptr;
        auto isInt = [](const json& x) { return x.is_number_integer(); };
        if (!member(e, "from", at, error, isInt, "an integer", from) ||
            !member(e, "to", at, error, isInt, "an integer", to))
            return false;
        Edge edge{0, 0, 0, 0};
        if (!optionalInt(e, "from", at, error, edge.fromNode) || !optionalInt(e, "to", at, error, edge.toNode))
            return false;
        if (!optionalInt(e, "from_port", at, error, edge.fromPort) || !optionalInt(e, "to_port", at, error, edge.toPort))
            return false;
        for (NodeId ref : {edge.fromNode, edge.toNode})
            if (!g.contains(ref)) {
                error = at + ": refers to node " + std::to_string(ref) + ", which is not in the graph";
                return false;
            }
        if (!g.connect(edge)) {
            error = at + ": the same edge is listed twice";
            return false;
        }
    }
    out = std::move(g);
    return true;
}

} // namespace qnn
