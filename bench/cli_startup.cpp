// Start-up of the command-line executables: process start to exit, median of
// 20 runs each, for `qnnw --help`, `qnnw summary` (LFC), `qnnw estimate` (CNV),
// `qnn-run --help`, and `qnnw-train --help`, which loads LibTorch as every
// qnnw command did before the split (so the same run shows the old cost).
// QNNW_BASELINE=/path/to/an/old/qnnw adds that binary's `--help`. One JSON line.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace {

// Milliseconds from spawn to exit of one run, output to /dev/null; -1 when it did not exit 0.
double runOnce(const std::vector<std::string>& command)
{
    std::vector<char*> argv;
    for (const std::string& a : command)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    const auto t0 = std::chrono::steady_clock::now();
    pid_t pid = 0;
    const int failed = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (failed)
        return -1;
    int status = 0;
    waitpid(pid, &status, 0);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? ms : -1;
}

double medianMs(const std::vector<std::string>& command, int runs = 20)
{
    std::vector<double> t;
    for (int i = 0; i < runs; ++i) {
        const double ms = runOnce(command);
        if (ms < 0)
            return -1;
        t.push_back(ms);
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

} // namespace

int main()
{
    const std::string bin = QNN_BIN_DIR, src = QNN_SOURCE_DIR;
    nlohmann::json j{{"bench", "cli_startup"}, {"runs", 20}, {"unit", "ms, median, process start to exit"}};
    j["qnnw_help_ms"] = medianMs({bin + "/qnnw", "--help"});
    j["qnnw_summary_lfc_ms"] = medianMs({bin + "/qnnw", "summary", src + "/projects/lfc-w1a1-mnist.qnnproj"});
    j["qnnw_estimate_cnv_ms"] = medianMs({bin + "/qnnw", "estimate", src + "/projects/cnv-w1a1-cifar10.qnnproj"});
    j["qnn_run_help_ms"] = medianMs({bin + "/qnn-run", "--help"});
    j["qnnw_train_help_ms"] = medianMs({bin + "/qnnw-train", "--help"}, 5);
    const double now = j["qnnw_help_ms"], torch = j["qnnw_train_help_ms"];
    if (now > 0 && torch > 0)
        j["speedup_vs_torch_linked"] = torch / now;
    if (const char* old = std::getenv("QNNW_BASELINE")) {
        const double before = medianMs({old, "--help"});
        j["baseline"] = old;
        j["baseline_help_ms"] = before;
        if (now > 0 && before > 0)
            j["speedup_vs_baseline"] = before / now;
    }
    std::cout << j.dump() << std::endl;
    return 0;
}
