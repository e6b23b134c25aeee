#pragma once

#include <CLI/CLI.hpp>

namespace qnn::cli {

/** Adds the commands that differ between qnnw and qnnw-train (train, eval). */
using AddTrainCommands = void (*)(CLI::App& app, int& exitCode);

/** The one main of qnnw and qnnw-train: every command, in --help order, with
 *  `addTrain` putting train/eval in their place; parses and runs one command
 *  and returns the exit code (0 ok, 1 the input has errors, 2 bad usage). */
int runCli(int argc, char** argv, AddTrainCommands addTrain);

} // namespace qnn::cli
