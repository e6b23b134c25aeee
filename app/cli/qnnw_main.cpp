// qnnw: QNN Workbench from a terminal. Each sub-command lives in its own file.
#include "app/cli/cli_command.h"

#include <cstdio>
#include <cstring>

namespace {

void printHelp(std::FILE* to)
{
    std::fprintf(to, "usage: qnnw <command> [options]\n\ncommands:\n");
    for (const auto& c : qnn::cli::commands())
        std::fprintf(to, "  %s\n      %s\n", c.usage, c.help);
    std::fprintf(to, "\n`qnnw COMMAND --help` lists a command's options.\n");
}

bool asksForHelp(int argc, char** argv)
{
    for (int i = 2; i < argc; ++i)
        if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h"))
            return true;
    return false;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
        printHelp(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (const auto& c : qnn::cli::commands())
        if (!std::strcmp(argv[1], c.name)) {
            if (asksForHelp(argc, argv)) {
                std::printf("usage: qnnw %s\n%s\n\n%s", c.usage, c.help, c.details);
                return 0;
            }
            return c.run(std::vector<std::string>(argv + 2, argv + argc));
        }
    std::fprintf(stderr, "qnnw: unknown command '%s'\n\n", argv[1]);
    printHelp(stderr);
    return 2;
}
