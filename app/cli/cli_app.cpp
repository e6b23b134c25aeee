#include "app/cli/cli_app.h"

#include "app/cli/cli_command.h"

#include <cstdio>
#include <exception>

namespace qnn::cli {

namespace {

// Usage errors exit with 2 (as `qnnw` always has), help with 0.
int reportParseError(const CLI::App& app, const CLI::ParseError& e)
{
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
        app.exit(e);
        return 0;
    }
    std::fprintf(stderr, "qnnw: %s\n", e.what());
    const CLI::App* failed = &app;
    for (const CLI::App* sub : app.get_subcommands())
        failed = sub;
    std::fprintf(stderr, "run 'qnnw %s--help' for the options\n",
                 failed == &app ? "" : (failed->get_name() + " ").c_str());
    return 2;
}

bool isCommand(CLI::App& app, const char* name)
{
    try {
        return app.get_subcommand(name) != nullptr;
    } catch (const CLI::OptionNotFound&) {
        return false;
    }
}

} // namespace

int runCli(int argc, char** argv, AddTrainCommands addTrain)
{
    // Both executables call themselves qnnw: qnnw-train is what `qnnw train` runs.
    CLI::App app{"qnnw: QNN Workbench from a terminal — design, train, estimate, pack and deploy quantized networks",
                 "qnnw"};
    app.require_subcommand(1);
    int exitCode = 0;
    addSummaryCommand(app, exitCode);
    addCheckCommand(app, exitCode);
    addTrain(app, exitCode);
    addRunsCommand(app, exitCode);
    addCompareCommand(app, exitCode);
    addEstimateCommand(app, exitCode);
    addBoardCommand(app, exitCode);
    addDeployCommand(app, exitCode);
    addPackCommand(app, exitCode);
    addRunPackedCommand(app, exitCode);
    addImportPackedCommand(app, exitCode);
    addExportCommand(app, exitCode);
    addImportCommand(app, exitCode);
    addEvalOnnxCommand(app, exitCode);
    if (argc < 2) {
        std::fprintf(stderr, "%s", app.help().c_str());
        return 2;
    }
    if (argv[1][0] != '-' && !isCommand(app, argv[1])) {
        std::fprintf(stderr, "qnnw: unknown command '%s'\n\n%s", argv[1], app.help().c_str());
        return 2;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return reportParseError(app, e);
    } catch (const std::exception& e) {
        // A command's own errors are sentences it prints; this is the last net.
        std::fprintf(stderr, "qnnw: internal error: %s\n", e.what());
        return 1;
    }
    return exitCode;
}

} // namespace qnn::cli
