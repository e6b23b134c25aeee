#pragma once

#include <string>
#include <vector>

namespace qnn {
struct Project;
}

namespace qnn::cli {

/** One `qnnw` sub-command: its name, one line of help and its entry point.
 *  Returns the process exit code: 0 ok, 1 the input has errors, 2 bad usage. */
struct Command {
    const char* name;
    const char* usage;
    const char* help;
    /** Lines that `qnnw NAME --help` adds: each option and what it does. */
    const char* details;
    int (*run)(const std::vector<std::string>& args);
};

/** Loads a project; on failure prints "qnnw: <why>" to stderr and returns false. */
bool loadProjectOrSay(const std::string& path, Project& project);

/** Every sub-command, in the order `qnnw --help` lists them. */
const std::vector<Command>& commands();

int runSummary(const std::vector<std::string>& args);
int runCheck(const std::vector<std::string>& args);
int runTrain(const std::vector<std::string>& args);
int runEval(const std::vector<std::string>& args);

} // namespace qnn::cli
