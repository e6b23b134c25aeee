// qnnw-train: the commands of qnnw that need LibTorch (train, eval, and the
// float model of export/import --check and run-packed --compare), with every
// other command too, so that it stands alone. Users never call it by name:
// `qnnw train ...` execs it (app/cli/train_exec.h).
#include "app/cli/cli_app.h"
#include "app/cli/cli_command.h"

namespace {

void addTrainAndEval(CLI::App& app, int& exitCode)
{
    qnn::cli::addTrainCommand(app, exitCode);
    qnn::cli::addEvalCommand(app, exitCode);
}

} // namespace

int main(int argc, char** argv) { return qnn::cli::runCli(argc, argv, addTrainAndEval); }
