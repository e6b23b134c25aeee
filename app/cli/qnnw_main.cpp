// qnnw: QNN Workbench from a terminal. Each sub-command lives in its own file
// and declares its options once, with CLI11. This executable links neither
// LibTorch nor Qt; what needs torch runs in qnnw-train (see train_exec.h).
#include "app/cli/cli_app.h"
#include "app/cli/train_exec.h"

namespace {

// train and eval are listed in `qnnw --help`; any command line that reaches
// them was handed to qnnw-train before parsing, so these only describe them.
void addTrainPlaceholders(CLI::App& app, int&)
{
    for (const auto& [name, what] :
         {std::pair{"train", "train the graph as drawn; progress bar, --json lines, Ctrl-C stops resumably"},
          std::pair{"eval", "test accuracy and confusion matrix of a run"}})
        app.add_subcommand(name, what)->allow_extras()->prefix_command();
}

} // namespace

int main(int argc, char** argv)
{
    if (qnn::cli::needsTrainExecutable(argc, argv))
        return qnn::cli::execTrainExecutable(argc, argv);
    return qnn::cli::runCli(argc, argv, addTrainPlaceholders);
}
