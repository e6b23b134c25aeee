#include "app/cli/cli_command.h"

#include "core/project/project.h"

#include <cstdio>

namespace qnn::cli {

const std::vector<Command>& commands()
{
    static const std::vector<Command> all{
        {"summary", "summary PROJECT [--json]", "per-layer parameters, memory, MACs and BOPs",
         "  --json          the same figures as JSON\n", runSummary},
        {"check", "check PROJECT [--json]", "every diagnostic of the graph; exit 1 on an error",
         "  --json          the diagnostics as a JSON list\n", runCheck},
        {"train", "train PROJECT [--data DIR] [options]",
         "train the graph as drawn; progress bar, --json lines, Ctrl-C stops resumably",
         "  --data DIR          dataset folder (default: the project's, then shared/datasets/<name>)\n"
         "  --epochs N          --batch-size N    --lr X    --seed N    override the project's settings\n"
         "  --threads N         CPU threads (default: every core)\n"
         "  --train-limit N     train on the first N training images only\n"
         "  --out DIR           where the run folder goes (default: runs/ beside the project)\n"
         "  --resume RUN        continue a run from its last checkpoint\n"
         "  --device auto|cpu|cuda\n"
         "  --log-every N       a metrics.jsonl line every N batches\n"
         "  --json              one JSON object per epoch instead of the progress bar\n",
         runTrain},
        {"eval", "eval PROJECT --run RUN [--data DIR] [--json]", "test accuracy and confusion matrix of a run",
         "  --run RUN       a run folder, or its name under runs/ beside the project\n"
         "  --data DIR      dataset folder (default: the one the run used)\n"
         "  --threads N     CPU threads\n"
         "  --json          accuracy, loss and confusion matrix as JSON\n",
         runEval},
    };
    return all;
}

bool loadProjectOrSay(const std::string& path, Project& project)
{
    std::string error;
    if (loadProject(path, project, error))
        return true;
    std::fprintf(stderr, "qnnw: %s\n", error.c_str());
    return false;
}

} // namespace qnn::cli
