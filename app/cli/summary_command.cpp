#include "app/cli/cli_command.h"

#include "core/graph/graph_summary.h"
#include "core/project/project.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>

namespace qnn::cli {

namespace {

struct Options {
    std::string project;
    bool json = false;
};

int runSummary(const Options& o)
{
    Project p;
    if (!loadProjectOrSay(o.project, p, o.json))
        return 1;
    const GraphAnalysis analysis = analyzeGraph(p.graph);
    const GraphSummary s = summarizeGraph(p.graph, analysis);
    if (o.json) {
        nlohmann::json j = summaryToJson(s);
        j["project"] = p.name;
        printResult(j);
    } else {
        std::cout << p.name << "\n\n" << formatSummaryTable(s);
    }
    return s.complete ? 0 : 1;
}

int runCheck(const Options& o)
{
    Project p;
    if (!loadProjectOrSay(o.project, p, o.json))
        return 1;
    GraphAnalysis analysis = analyzeGraph(p.graph);
    // What the file left to a default comes first: it is about the file, not the graph.
    analysis.diagnostics.insert(analysis.diagnostics.begin(), p.fileNotes.begin(), p.fileNotes.end());
    if (o.json) {
        nlohmann::json list = nlohmann::json::array();
        for (const Diagnostic& d : analysis.diagnostics)
            list.push_back({{"node", d.node == kInvalidNode ? nlohmann::json(nullptr) : nlohmann::json(d.node)},
                            {"name", nodeLabel(p.graph, d.node)},
                            {"severity", severityName(d.severity)},
                            {"category", categoryName(d.category)},
                            {"message", d.message},
                            {"fix", d.fix}});
        printResult({{"diagnostics", list}, {"errors", analysis.errorCount()}});
    } else {
        for (const Diagnostic& d : analysis.diagnostics) {
            std::cout << diagnosticLine(p.graph, d) << "  [" << categoryName(d.category) << "]\n";
        }
        // Notes (Info) are neither errors nor warnings, as in the editor's Issues list.
        const size_t errors = analysis.errorCount();
        const auto count = [&](Severity s) {
            return size_t(std::count_if(analysis.diagnostics.begin(), analysis.diagnostics.end(),
                                        [s](const Diagnostic& d) { return d.severity == s; }));
        };
        const size_t warnings = count(Severity::Warning), notes = count(Severity::Info);
        std::cout << o.project << ": " << errors << (errors == 1 ? " error, " : " errors, ") << warnings
                  << (warnings == 1 ? " warning" : " warnings");
        if (notes > 0)
            std::cout << ", " << notes << (notes == 1 ? " note" : " notes");
        std::cout << "\n";
    }
    return analysis.hasErrors() ? 1 : 0;
}

} // namespace

void addSummaryCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<Options>();
    CLI::App* c = app.add_subcommand("summary", "per-layer parameters, memory, MACs and BOPs");
    addProjectArgument(*c, o->project);
    c->add_flag("--json", o->json, "the same figures as JSON");
    c->callback([o, &exitCode] { exitCode = runSummary(*o); });
}

void addCheckCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<Options>();
    CLI::App* c = app.add_subcommand("check", "every diagnostic of the graph; exit 1 on an error");
    addProjectArgument(*c, o->project);
    c->add_flag("--json", o->json, "the diagnostics as a JSON list");
    c->callback([o, &exitCode] { exitCode = runCheck(*o); });
}

} // namespace qnn::cli
