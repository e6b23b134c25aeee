#include "app/cli/train_exec.h"

#include <cerrno>
#include <cstdio>
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
    std::fflush(stdout);
    ::execv(path.c_str(), args.data());
    const int why = errno;
    const fs::path folder = fs::path(path).parent_path();
    if (why == ENOENT)
        std::fprintf(stderr,
                     "qnnw: 'qnnw %s' runs qnnw-train, the part of QNN Workbench that links LibTorch, and there is "
                     "no qnnw-train in %s (build the qnnw-train target, or install it beside qnnw)\n",
                     argv[1], folder.string().c_str());
    else
        std::fprintf(stderr, "qnnw: 'qnnw %s' runs %s, which could not start: %s\n", argv[1], path.c_str(),
                     std::strerror(why));
    return 1;
}

} // namespace qnn::cli
