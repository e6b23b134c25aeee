#pragma once

#include "core/graph/edge.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json_fwd.hpp>

#include <string>

namespace qnn {
struct Project;
class Graph;
struct Diagnostic;
}

namespace qnn::cli {

/** Each `qnnw` sub-command lives in its own file and adds itself to the app
 *  with one function: its options (CLI11 validates them and writes --help)
 *  and a callback that runs it and stores the process exit code in
 *  `exitCode`: 0 ok, 1 the input has errors, 2 bad usage (CLI11's own
 *  parse errors also give 2, see qnnw_main.cpp). */
void addSummaryCommand(CLI::App& app, int& exitCode);
void addCheckCommand(CLI::App& app, int& exitCode);
void addTrainCommand(CLI::App& app, int& exitCode);
void addEvalCommand(CLI::App& app, int& exitCode);
void addRunsCommand(CLI::App& app, int& exitCode);
void addCompareCommand(CLI::App& app, int& exitCode);
void addEstimateCommand(CLI::App& app, int& exitCode);
void addBoardCommand(CLI::App& app, int& exitCode);
void addDeployCommand(CLI::App& app, int& exitCode);
void addRunPackedCommand(CLI::App& app, int& exitCode);
void addPackCommand(CLI::App& app, int& exitCode);
void addImportPackedCommand(CLI::App& app, int& exitCode);
void addExportCommand(CLI::App& app, int& exitCode);
void addImportCommand(CLI::App& app, int& exitCode);
void addEvalOnnxCommand(CLI::App& app, int& exitCode);
void addDataCommand(CLI::App& app, int& exitCode);
void addFinnReportCommand(CLI::App& app, int& exitCode);
void addSweepCommand(CLI::App& app, int& exitCode);

/** Loads a project; on failure says why (see reportError) and returns false. */
bool loadProjectOrSay(const std::string& path, Project& project, bool json = false);

/** "qnnw: <message>" on stderr and, with --json, the protocol's error event
 *  on stdout (docs/protocol.md); returns 1, the exit code of a user error. */
int reportError(const std::string& message, bool json);

/** The command's outcome as the protocol's one "result" line (--json). */
void printResult(const nlohmann::json& fields);

/** A node's name ("#7" when it has none, "(graph)" for no node). */
std::string nodeLabel(const Graph& graph, NodeId id);

/** "dense1: warning: <message> (<fix>)": a diagnostic as `qnnw check` and
 *  `qnnw train` print it; "(graph)" when it names no node. */
std::string diagnosticLine(const Graph& graph, const Diagnostic& d);

/** A positional PROJECT argument that must be an existing file. */
CLI::Option* addProjectArgument(CLI::App& command, std::string& path);

} // namespace qnn::cli
