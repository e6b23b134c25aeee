#include "core/graph/node_name.h"

#include <cctype>
#include <set>

namespace qnn {

namespace {

bool isNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; }

// Checkpoints store module names as identifiers of TorchScript (Python)
// code: a node named "in", "1st" or "fc.1" would make the file unreadable.
bool isIdentifier(const std::string& s)
{
    static const std::set<std::string> keywords{
        "False", "None",   "True",    "and",      "as",   "assert", "async",  "await", "break",
        "class", "continue", "def",   "del",      "elif", "else",   "except", "finally", "for",
        "from",  "global", "if",      "import",   "in",   "is",     "lambda", "nonlocal", "not",
        "or",    "pass",   "raise",   "return",   "try",  "while",  "with",   "yield",  "print"};
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s.front())) || keywords.count(s) || s.rfind("__", 0) == 0)
        return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
            return false;
    return true;
}

} // namespace

std::string nameProblem(const std::string& name)
{
    if (name.empty())
        return "a layer needs a name";
    if (name.size() > kMaxNameLength)
        return "a layer name may have at most " + std::to_string(kMaxNameLength) + " characters, not " +
               std::to_string(name.size());
    for (char c : name)
        if (!isNameChar(c)) {
            const std::string shown = c == ' ' ? std::string("a space") : "'" + std::string(1, c) + "'";
            return "a layer name may hold letters, digits, _, - and . only, not " + shown;
        }
    if (!(std::isalpha(static_cast<unsigned char>(name.front())) || name.front() == '_'))
        return "a layer name must start with a letter or _";
    return {};
}

std::map<NodeId, std::string> moduleNames(const Graph& graph, const std::vector<NodeId>& order)
{
    std::map<NodeId, std::string> out;
    std::set<std::string> taken;
    // Names first, so that a node named "node7" keeps its name and node 7 gives way.
    for (NodeId id : order) {
        const Node* n = graph.node(id);
        if (!n)
            continue;
        std::string s = n->name;
        for (char& c : s)
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
                c = '_';
        if (isIdentifier(s) && taken.insert(s).second)
            out[id] = s;
    }
    for (NodeId id : order) {
        if (out.count(id) || !graph.node(id))
            continue;
        const std::string base = "node" + std::to_string(id);
        std::string s = base;
        for (int i = 2; !taken.insert(s).second; ++i)
            s = base + "_" + std::to_string(i);
        out[id] = s;
    }
    return out;
}

} // namespace qnn
