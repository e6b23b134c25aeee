#include "app/cli/cli_command.h"

#include "core/graph/graph_summary.h"
#include "core/project/project.h"

#include <cstdio>
#include <iostream>

namespace qnn::cli {

namespace {

struct Options {
    std::string project;
    bool json = false;
};

bool parseOptions(const std::vector<std::string>& args, const char* usage, Options& o)
{
    for (const std::string& a : args) {
        if (a == "--json") {
            o.json = true;
        } else if (!a.empty() && a[0] == '-') {
            std::fprintf(stderr, "qnnw: unknown option %s\nusage: qnnw %s\n", a.c_str(), usage);
            return false;
        } else if (o.project.empty()) {
            o.project = a;
        } else {
            std::fprintf(stderr, "qnnw: one project at a time\nusage: qnnw %s\n", usage);
            return false;
        }
    }
    if (o.project.empty()) {
        std::fprintf(stderr, "qnnw: no project given\nusage: qnnw %s\n", usage);
        return false;
    }
    return true;
}

std::string nodeLabel(const Graph& g, NodeId id)
{
    if (const Node* n = g.node(id))
        return n->name.empty() ? "#" + std::to_string(id) : n->name;
    return "(graph)";
}

} // namespace

int runSummary(const std::vector<std::string>& args)
{
    Options o;
    if (!parseOptions(args, "summary PROJECT [--json]", o))
        return 2;
    Project p;
    if (!loadProjectOrSay(o.project, p))
        return 1;
    const GraphAnalysis analysis = analyzeGraph(p.graph);
    const GraphSummary s = summarizeGraph(p.graph, analysis);
    if (o.json) {
        nlohmann::json j = summaryToJson(s);
        j["project"] = p.name;
        std::cout << j.dump(2) << "\n";
    } else {
        std::cout << p.name << "\n\n" << formatSummaryTable(s);
    }
    return s.complete ? 0 : 1;
}

int runCheck(const std::vector<std::string>& args)
{
    Options o;
    if (!parseOptions(args, "check PROJECT [--json]", o))
        return 2;
    Project p;
    if (!loadProjectOrSay(o.project, p))
        return 1;
    const GraphAnalysis analysis = analyzeGraph(p.graph);
    if (o.json) {
        nlohmann::json list = nlohmann::json::array();
        for (const Diagnostic& d : analysis.diagnostics)
            list.push_back({{"node", d.node == kInvalidNode ? nlohmann::json(nullptr) : nlohmann::json(d.node)},
                            {"name", nodeLabel(p.graph, d.node)},
                            {"severity", severityName(d.severity)},
                            {"category", categoryName(d.category)},
                            {"message", d.message},
                            {"fix", d.fix}});
        std::cout << nlohmann::json{{"diagnostics", list}, {"errors", analysis.errorCount()}}.dump(2) << "\n";
    } else {
        for (const Diagnostic& d : analysis.diagnostics) {
            std::cout << nodeLabel(p.graph, d.node) << ": " << severityName(d.severity) << ": " << d.message;
            if (!d.fix.empty())
                std::cout << " (" << d.fix << ")";
            std::cout << "  [" << categoryName(d.category) << "]\n";
        }
        const size_t errors = analysis.errorCount();
        const size_t warnings = analysis.diagnostics.size() - errors;
        std::cout << o.project << ": " << errors << (errors == 1 ? " error, " : " errors, ") << warnings
                  << (warnings == 1 ? " warning\n" : " warnings\n");
    }
    return analysis.hasErrors() ? 1 : 0;
}

} // namespace qnn::cli
