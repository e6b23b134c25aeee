#include "core/sweep/sweep_axis.h"

#include "core/graph/layer_registry.h"

#include <fnmatch.h>

#include <cctype>
#include <cstdlib>
#include <set>

namespace qnn {

namespace {

std::string trim(const std::string& s)
{
    size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b])))
        ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1])))
        --e;
    return s.substr(b, e - b);
}

bool parseNumber(const std::string& s, double& out)
{
    if (s.empty())
        return false;
    char* end = nullptr;
    out = std::strtod(s.c_str(), &end);
    return end && *end == '\0';
}

bool parseInteger(const std::string& s, int64_t& out)
{
    if (s.empty())
        return false;
    char* end = nullptr;
    out = std::strtoll(s.c_str(), &end, 10);
    return end && *end == '\0';
}

enum class Walk { Continue, Skip, Stop };

// Walks down the graph from `starts`, once per node: `visit` says whether to
// go on below a node, to stop there, or to end the walk (then true).
template <typename Visit>
bool walkDown(const Graph& g, std::vector<NodeId> starts, Visit visit)
{
    std::set<NodeId> seen(starts.begin(), starts.end());
    while (!starts.empty()) {
        const NodeId id = starts.back();
        starts.pop_back();
        for (const Edge& e : g.outEdges(id)) {
            if (!seen.insert(e.toNode).second)
                continue;
            const Node* n = g.node(e.toNode);
            if (!n)
                continue;
            const Walk w = visit(*n);
            if (w == Walk::Stop)
                return true;
            if (w == Walk::Continue)
                starts.push_back(n->id);
        }
    }
    return false;
}

// Activation nodes that a weight layer feeds before the next weight layer:
// the "A" of a group's precision belongs to them.
std::set<NodeId> activationsFedBy(const Graph& g, const std::set<NodeId>& weightNodes)
{
    std::set<NodeId> out;
    walkDown(g, std::vector<NodeId>(weightNodes.begin(), weightNodes.end()), [&](const Node& n) {
        const LayerSpec& spec = LayerRegistry::spec(n.kind);
        if (spec.hasWeights)
            return Walk::Skip;
        if (spec.hasActivationBits && n.kind != LayerKind::Input) {
            out.insert(n.id);
            return Walk::Skip;
        }
        return Walk::Continue;
    });
    return out;
}

// A weight layer whose output reaches an Output without passing another
// weight layer: its width is the number of classes, not a size to explore.
bool isClassifier(const Graph& g, NodeId start)
{
    return walkDown(g, {start}, [](const Node& n) {
        if (n.kind == LayerKind::Output)
            return Walk::Stop;
        return LayerRegistry::spec(n.kind).hasWeights ? Walk::Skip : Walk::Continue;
    });
}

bool hasWildcard(const std::string& pattern)
{
    return pattern.find_first_of("*?[") != std::string::npos;
}

bool applyPrecision(Project& p, const SweepAxis& axis, const std::string& value, std::string& error)
{
    int w = 0, a = 0;
    if (!parsePrecisionLabel(value, w, a)) {
        error = axis.key + ": '" + value + "' is no precision; write W<bits>A<bits> such as W1A1 or W2A4, or FP32";
        return false;
    }
    if (!isAllowedBitWidth(w) || !isAllowedBitWidth(a)) {
        error = axis.key + ": " + value + " uses a bit-width the layers do not offer (1, 2, 3, 4, 8 or 32)";
        return false;
    }
    
    std::set<NodeId> weights;
    std::set<NodeId> acts;
    for (const auto& [id, n] : p.graph.nodes()) {
        const LayerSpec& spec = LayerRegistry::spec(n.kind);
        if (axis.pattern.empty()) {
            if (spec.hasWeights)
                weights.insert(id);
            else if (spec.hasActivationBits && n.kind != LayerKind::Input)
                acts.insert(id); // the input's encoding is the dataset's, not a precision
        } else if (layerNameMatches(axis.pattern, n.name)) {
            if (spec.hasWeights)
                weights.insert(id);
            else if (spec.hasActivationBits)
                acts.insert(id);
        }
    }
    if (weights.empty() && acts.empty()) {
        error = axis.key + ": no layer name matches '" + axis.pattern + "'";
        return false;
    }
    if (!axis.pattern.empty())
        for (NodeId id : activationsFedBy(p.graph, weights))
            acts.insert(id);
    for (NodeId id : weights)
        p.graph.node(id)->quant.weightBits = w;
    for (NodeId id : acts) {
        Node& n = *p.graph.node(id);
        n.quant.actBits = a;
        // sign is the 1-bit activation and hardtanh the one that quantizes to
        // more bits (as the LFC W1A1 and W1A2 projects have them): a preset
        // switches between the two, never touching relu or the others.
        if (n.kind == LayerKind::Activation) {
            const std::string fn = n.attrString("function");
            if (a != 1 && fn == "sign")
                n.attrs["function"] = std::string("hardtanh");
            else if (a == 1 && fn == "hardtanh")
                n.attrs["function"] = std::string("sign");
        }
    }
    return true;
}

bool applyAttribute(Project& p, const SweepAxis& axis, const std::string& value, std::string& error)
{
    
    int matched = 0;
    for (const auto& [id, node] : p.graph.nodes()) {
        if (!layerNameMatches(axis.pattern, node.name))
            continue;
        Node& n = *p.graph.node(id);
        const LayerSpec& spec = LayerRegistry::spec(n.kind);
        if (axis.name == "weight_bits" || axis.name == "act_bits") {
            const bool weightsAxis = axis.name == "weight_bits";
            if (weightsAxis ? !spec.hasWeights : !spec.hasActivationBits)
                continue;
            int64_t bits = 0;
            if (!parseInteger(value, bits) || !isAllowedBitWidth(static_cast<int>(bits))) {
                error = axis.key + ": '" + value + "' is no bit-width the layers offer (1, 2, 3, 4, 8 or 32)";
                return false;
            }
            (weightsAxis ? n.quant.weightBits : n.quant.actBits) = static_cast<int>(bits);
            ++matched;
            continue;
        }
        const AttrSpec* a = spec.attr(axis.name);
        if (!a)
            continue;
        // dense*.units means the hidden layers: the classifier's width is the class count.
        if (axis.name == "units" && hasWildcard(axis.pattern) && isClassifier(p.graph, id))
            continue;
        AttrValue v;
        if (a->type == AttrType::Int) {
            int64_t i = 0;
            if (!parseInteger(value, i)) {
                error = axis.key + ": '" + value + "' is not a whole number";
                return false;
            }
            v = i;
        } else if (a->type == AttrType::Float) {
            double d = 0;
            if (!parseNumber(value, d)) {
                error = axis.key + ": '" + value + "' is not a number";
                return false;
            }
            v = d;
        } else {
            error = axis.key + ": " + axis.name + " of " + n.name + " is not numeric; a sweep varies numbers";
            return false;
        }
        const std::string problem = attributeProblem(*a, v);
        if (!problem.empty()) {
            error = n.name + ": " + problem;
            return false;
        }
        n.attrs[axis.name] = v;
        ++matched;
    }
    if (matched == 0) {
        error = axis.key + ": no layer whose name matches '" + axis.pattern + "' has the attribute " + axis.name;
        return false;
    }
    return true;
}

bool applyTraining(Project& p, const SweepAxis& axis, const std::string& value, std::string& error)
{
    nlohmann::json j = nlohmann::json::parse(serializeProject(p));
    nlohmann::json& t = j["training"];
    if (!t.contains(axis.name)) {
        std::string names;
        for (auto it = t.begin(); it != t.end(); ++it)
            if (it.key() != "seed")
                names += (names.empty() ? "" : ", ") + it.key();
        error = "'" + axis.name + "' is neither a training setting (" + names +
                ") nor LAYER.ATTRIBUTE nor precision";
        return false;
    }
    nlohmann::json& slot = t[axis.name];
    if (slot.is_string()) {
        slot = value;
    } else if (slot.is_number_integer() || slot.is_number_unsigned()) {
        int64_t i = 0;
        if (!parseInteger(value, i)) {
            error = axis.key + ": '" + value + "' is not a whole number";
            return false;
        }
        slot = i;
    } else {
        double d = 0;
        if (!parseNumber(value, d)) {
            error = axis.key + ": '" + value + "' is not a number";
            return false;
        }
        slot = d;
    }
    Project out;
    if (!parseProject(j.dump(), out, error)) {
        error = axis.key + "=" + value + ": " + error;
        return false;
    }
    p.training = out.training;
    return true;
}

} // namespace

bool layerNameMatches(const std::string& pattern, const std::string& name)
{
    return ::fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
}

bool parsePrecisionLabel(const std::string& label, int& weightBits, int& actBits)
{
    std::string s;
    for (char c : label)
        s += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (s == "FP32") {
        weightBits = actBits = 32;
        return true;
    }
    const size_t a = s.find('A');
    if (s.size() < 4 || s[0] != 'W' || a == std::string::npos)
        return false;
    int64_t w = 0, x = 0;
    if (!parseInteger(s.substr(1, a - 1), w) || !parseInteger(s.substr(a + 1), x))
        return false;
    weightBits = static_cast<int>(w);
    actBits = static_cast<int>(x);
    return true;
}

bool parseAxis(const std::string& text, SweepAxis& out, std::string& error)
{
    const size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0) {
        error = "--grid " + text + ": write KEY=V1,V2,... (precision=W1A1,W2A2, dense*.units=256,512, lr=0.001)";
        return false;
    }
    out = SweepAxis{};
    out.key = trim(text.substr(0, eq));
    std::string rest = text.substr(eq + 1);
    size_t start = 0;
    while (start <= rest.size()) {
        const size_t comma = rest.find(',', start);
        const std::string v = trim(rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (v.empty()) {
            error = "--grid " + text + ": an empty value; separate values with single commas";
            return false;
        }
        out.values.push_back(v);
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    std::set<std::string> unique(out.values.begin(), out.values.end());
    if (unique.size() != out.values.size()) {
        error = "--grid " + text + ": a value is listed twice";
        return false;
    }
    const size_t dot = out.key.rfind('.');
    if (out.key == "precision") {
        out.kind = SweepAxis::Kind::Precision;
        out.name = "precision";
    } else if (dot != std::string::npos) {
        out.pattern = out.key.substr(0, dot);
        out.name = out.key.substr(dot + 1);
        if (out.pattern.empty() || out.name.empty()) {
            error = "--grid " + text + ": write LAYER-PATTERN.ATTRIBUTE, such as dense*.units";
            return false;
        }
        out.kind = out.name == "precision" ? SweepAxis::Kind::Precision : SweepAxis::Kind::Attribute;
    } else {
        out.kind = SweepAxis::Kind::Training;
        out.name = out.key;
        if (out.name == "seed") {
            error = "--grid seed=...: seeds are their own axis; use --seeds N (and --first-seed S)";
            return false;
        }
    }
    return true;
}

bool applyAxisValue(Project& project, const SweepAxis& axis, const std::string& value, std::string& error)
{
    switch (axis.kind) {
    case SweepAxis::Kind::Precision:
        return applyPrecision(project, axis, value, error);
    case SweepAxis::Kind::Attribute:
        return applyAttribute(project, axis, value, error);
    case SweepAxis::Kind::Training:
        return applyTraining(project, axis, value, error);
    }
    return false;
}

} // namespace qnn
