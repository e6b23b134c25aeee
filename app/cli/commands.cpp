#include "app/cli/cli_command.h"

#include "core/graph/diagnostic.h"
#include "core/graph/graph.h"
#include "core/project/project.h"
#include "core/util/child_protocol.h"

#include <cstdio>
#include <iostream>

namespace qnn::cli {

bool loadProjectOrSay(const std::string& path, Project& project, bool json)
{
    std::string error;
    if (loadProject(path, project, error))
        return true;
    reportError(error, json);
    return false;
}

int reportError(const std::string& message, bool json)
{
    if (json)
        protocol::writeEvent(std::cout, protocol::errorEvent(message));
    std::fprintf(stderr, "qnnw: %s\n", message.c_str());
    return 1;
}

void printResult(const nlohmann::json& fields) { protocol::writeEvent(std::cout, protocol::resultEvent(fields)); }

std::string nodeLabel(const Graph& g, NodeId id)
{
    if (const Node* n = g.node(id))
        return n->name.empty() ? "#" + std::to_string(id) : n->name;
    return "(graph)";
}

std::string diagnosticLine(const Graph& graph, const Diagnostic& d)
{
    return nodeLabel(graph, d.node) + ": " + severityName(d.severity) + ": " + d.message + (d.fix.empty() ? "" : " (" + d.fix + ")");
}

CLI::Option* addProjectArgument(CLI::App& command, std::string& path)
{
    // Existence is checked by the loader, whose sentence names the file and why.
    return command.add_option("PROJECT", path, "the project file (*.qnnproj)")->required();
}

} // namespace qnn::cli
