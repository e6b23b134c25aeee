#pragma once
// qnnw links no LibTorch, so that every other command starts in milliseconds;
// what needs torch (train, eval, the float model of --check and --compare)
// lives in qnnw-train beside it, which qnnw runs the way git runs its
// sub-commands: same arguments, same process id (exec), so a Ctrl-C or a
// SIGINT from the workbench reaches the run itself.

#include <string>

namespace qnn::cli {

/** True when the command line asks for something only qnnw-train can do:
 *  train, eval, export/import --check, run-packed --compare. */
bool needsTrainExecutable(int argc, char** argv);

/** qnnw-train in the folder of the running executable (/proc/self/exe). */
std::string trainExecutablePath();

/** Replaces this process with qnnw-train and the same arguments. Returns
 *  only when that fails, having printed a sentence; the exit code to use. */
int execTrainExecutable(int argc, char** argv);

} // namespace qnn::cli
