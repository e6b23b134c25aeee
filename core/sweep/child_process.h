#pragma once

#include <string>
#include <vector>

namespace qnn {

/** Runs a program (no shell) and waits: its stdout and stderr, its exit
 *  code (128 + signal when killed). False with a sentence only when it could
 *  not be started at all. */
bool runProgram(const std::vector<std::string>& argv, std::string& out, std::string& err, int& exitCode,
                std::string& error);

/** Starts a program in the background with stdout and stderr appended to
 *  `logPath` (or inherited when empty) and stdin from /dev/null; its own
 *  process group, so a Ctrl-C in the terminal reaches it only through us.
 *  Returns the pid, or -1 with a sentence. */
int spawnProgram(const std::vector<std::string>& argv, const std::string& logPath, std::string& error);

/** This executable's absolute path (/proc/self/exe). */
std::string selfExecutable();

} // namespace qnn
