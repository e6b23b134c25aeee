#include "app/cli/cli_command.h"

namespace qnn::cli {

const std::vector<Command>& commands()
{
    static const std::vector<Command> all{
        {"summary", "summary PROJECT [--json]", "per-layer parameters, memory, MACs and BOPs", runSummary},
        {"check", "check PROJECT [--json]", "every diagnostic of the graph; exit 1 on an error", runCheck},
        {"train", "train PROJECT [--data DIR] [options]",
         "train the graph as drawn; progress bar, --json lines, Ctrl-C stops resumably", runTrain},
        {"eval", "eval PROJECT --run RUN [--data DIR] [--json]", "test accuracy and confusion matrix of a run",
         runEval},
    };
    return all;
}

} // namespace qnn::cli
