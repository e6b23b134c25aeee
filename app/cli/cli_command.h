#pragma once

#include <string>
#include <vector>

namespace qnn::cli {

/** One `qnnw` sub-command: its name, one line of help and its entry point.
 *  Returns the process exit code: 0 ok, 1 the input has errors, 2 bad usage. */
struct Command {
    const char* name;
    const char* usage;
    const char* help;
    int (*run)(const std::vector<std::string>& args);
};

/** Every sub-command, in the order `qnnw --help` lists them. */
const std::vector<Command>& commands();

int runSummary(const std::vector<std::string>& args);
int runCheck(const std::vector<std::string>& args);
int runTrain(const std::vector<std::string>& args);
int runEval(const std::vector<std::string>& args);

} // namespace qnn::cli
