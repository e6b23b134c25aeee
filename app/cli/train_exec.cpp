#include "app/cli/train_exec.h"

#include "app/cli/cli_command.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <vector>

#include <unistd.h>

namespace qnn::cli {

namespace fs = std::filesystem;

namespace {

bool hasFlag(int argc, char** argv, std::string_view flag)
{
    for (int i = 2; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--")
            return false;
        if (a == flag || (a.size() > flag.size() && a.substr(0, flag.size()) == flag && a[flag.size()] == '='))
            return true;
    }
    return false;
}

} // namespace

bool needsTrainExecutable(int argc, char** argv)
{
    if (argc < 2)
        return false;
    const std::string_view command = argv[1];
    if (command == "train" || command == "eval")
        return true;
    if (command == "export" || command == "import")
        return hasFlag(argc, argv, "--check");
    if (command == "run-packed")
        return hasFlag(argc, argv, "--compare");
    return false;
}

std::string trainExecutablePath()
{
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    return ((ec ? fs::path(".") : self.parent_path()) / "qnnw-train").string();
}

int execTrainExecutable(int argc, char** argv)
{
    const std::string path = trainExecutablePath();
    std::vector<char*> args(argv, argv + argc);
    args[0] = const_cast<char*>(path.c_str());
    args.push_back(nullptr);
    // LibTorch's OpenMP threads (libgomp) spin at every barrier by default. On
    // a machine that also runs anything else (the window, a second run of a
    // sweep, a build), a spinning thread holds the core that the thread it
    // waits for needs: LFC W1A1 on two threads beside one other busy process
    // trained 1,100 images/s spinning and 4,300 waiting passively, two such
    // runs at once 570 and 4,100 each. Passive waiting costs about a fifth
    // on an idle machine (docs/training.md, "Threads on a busy machine").
    // libgomp reads the policy when it loads, so it must be in qnnw-train's
    // environment from the start; a policy the user set is kept.
    ::setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
    std::fflush(stdout);
    ::execv(path.c_str(), args.data());
    const int why = errno;
    const fs::path folder = fs::path(path).parent_path();
    // A window or a script asked for --json: the sentence comes as the protocol's error event too.
    const bool json = hasFlag(argc, argv, "--json");
    if (why == ENOENT)
        reportError("'qnnw " + std::string(argv[1]) + "' runs qnnw-train, the part of QNN Workbench that links "
                    "LibTorch, and there is no qnnw-train in " + folder.string() +
                    " (build the qnnw-train target, or install it beside qnnw)",
                    json);
    else
        reportError("'qnnw " + std::string(argv[1]) + "' runs " + path + ", which could not start: " +
                        std::strerror(why),
                    json);
    return 1;
}

} // namespace qnn::cli
