// Deploy of LFC W1A1 with 1,000 MNIST test images over loopback SSH: a real
// sshd on 127.0.0.1 (started here, as tests/support/sshd_fixture.h does), a
// board folder without the bnn package, so the qnn-run that goes along runs
// the network on the board's CPU. Times the whole `qnnw deploy` (process
// start to exit) and its run step (what the board took: ssh exec, runner.py,
// qnn-run), median of 5 deploys after one that packs. Targets: run step
// under 0.3 s, whole deploy under 2 s on an idle machine. One JSON line.
// Needs ../shared (BNN-PYNQ lfcW1A1 parameters, MNIST); says so without.
#include "tests/support/free_port.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

// Runs a command; stdout into `out` (through a file), stderr dropped. Exit status or -1.
int run(const std::vector<std::string>& command, std::string& out, const std::string& scratch)
{
    std::vector<char*> argv;
    for (const std::string& a : command)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, scratch.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int failed = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (failed)
        return -1;
    int status = 0;
    waitpid(pid, &status, 0);
    std::ifstream in(scratch);
    std::stringstream s;
    s << in.rdbuf();
    out = s.str();
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int freePort() { return qnn::test::freeLoopbackPort(); }

bool portOpen(int port)
{
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool up = ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(s);
    return up;
}

int fail(const std::string& message)
{
    std::cout << nlohmann::json{{"bench", "deploy"}, {"error", message}}.dump() << std::endl;
    return 1;
}

// The last "result" event of a qnnw --json run; null when there is none.
nlohmann::json resultOf(const std::string& out)
{
    nlohmann::json found;
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_object() && j.value("event", "") == "result")
            found = j;
    }
    return found;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? -1 : v[v.size() / 2];
}

} // namespace

int main()
{
    const std::string bin = QNN_BIN_DIR, src = QNN_SOURCE_DIR;
    const std::string params = src + "/../shared/bnn-pynq-params/mnist/lfcW1A1";
    const std::string mnist = src + "/../shared/datasets/mnist";
    if (!fs::exists(params) || !fs::exists(mnist))
        return fail("../shared has no BNN-PYNQ lfcW1A1 parameters or MNIST: nothing to deploy");
    char pattern[] = "/tmp/qnn-bench-deploy-XXXXXX";
    if (!mkdtemp(pattern))
        return fail("cannot create a temporary folder");
    const std::string dir = pattern, scratch = dir + "/out.txt";
    std::string out;
    for (const char* key : {"host_key", "client_key"})
        if (run({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir + "/" + key}, out, scratch) != 0)
            return fail("ssh-keygen failed");
    fs::copy_file(dir + "/client_key.pub", dir + "/authorized_keys");
    fs::create_directories(dir + "/home");
    fs::create_directories(dir + "/site");
    const int port = freePort();
    {
        std::ofstream config(dir + "/sshd_config");
        config << "Port " << port << "\nListenAddress 127.0.0.1\nHostKey " << dir << "/host_key\nPidFile " << dir
               << "/sshd.pid\nAuthorizedKeysFile " << dir
               << "/authorized_keys\nStrictModes no\nPermitRootLogin yes\nPubkeyAuthentication yes\n"
                  "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nSetEnv HOME="
               << dir << "/home PYTHONPATH=" << dir << "/site\nSubsystem sftp internal-sftp\nLogLevel ERROR\n";
    }
    if (::geteuid() == 0 && !fs::exists("/run/sshd"))
        fs::create_directories("/run/sshd");
    const std::vector<std::string> sshd{"/usr/sbin/sshd", "-D", "-e", "-f", dir + "/sshd_config"};
    std::vector<char*> argv;
    for (const std::string& a : sshd)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t sshdPid = 0;
    // Quiet: the readiness probe below makes sshd log a closed connection.
    posix_spawn_file_actions_t quiet;
    posix_spawn_file_actions_init(&quiet);
    posix_spawn_file_actions_addopen(&quiet, 2, "/dev/null", O_WRONLY, 0);
    const int spawned = posix_spawn(&sshdPid, argv[0], &quiet, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&quiet);
    if (spawned != 0)
        return fail("cannot start /usr/sbin/sshd");
    const auto stopSshd = [&] {
        ::kill(sshdPid, SIGTERM);
        waitpid(sshdPid, nullptr, 0);
        std::error_code ec;
        fs::remove_all(dir, ec);
    };
    const auto t0 = Clock::now();
    while (!portOpen(port) && Clock::now() - t0 < std::chrono::seconds(10))
        std::this_thread::sleep_for(std::chrono::milliseconds(50));

    // The qnnw children keep their boards file here, not in the user's.
    setenv("XDG_CONFIG_HOME", (dir + "/config").c_str(), 1);
    const std::string qnnw = bin + "/qnnw", project = dir + "/lfc.qnnproj";
    const char* user = std::getenv("USER");
    nlohmann::json j{{"bench", "deploy"}, {"network", "lfcW1A1"}, {"images", 1000}, {"deploys", 5},
                     {"unit", "s, median"}, {"target_run_step_s", 0.3}, {"target_whole_s", 2.0},
                     {"board", "loopback sshd on 127.0.0.1, no bnn package: qnn-run on the CPU"}};
    if (run({qnnw, "import-packed", params, "--out", project}, out, scratch) != 0 ||
        run({qnnw, "board", "add", "loopback", "--kind", "linux", "--host", "127.0.0.1", "--port",
             std::to_string(port), "--user", user ? user : "root", "--key", dir + "/client_key", "--dir",
             dir + "/board", "--known-hosts", dir + "/known_hosts"},
            out, scratch) != 0) {
        stopSshd();
        return fail("qnnw import-packed or board add failed");
    }
    const std::vector<std::string> deploy{qnnw,    "deploy", project,   "--run",  "imported-lfcW1A1",
                                          "--board", "loopback", "--limit", "1000", "--data",
                                          mnist,     "--accept-new-host-key", "--json"};
    std::vector<double> whole, runStep, steps[4];
    const char* stepNames[4] = {"connect", "upload", "verify", "run"};
    nlohmann::json last;
    for (int i = 0; i < 6; ++i) {
        const auto start = Clock::now();
        const int code = run(deploy, out, scratch);
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        last = resultOf(out);
        if (code != 0 || last.is_null()) {
            stopSshd();
            return fail("qnnw deploy failed: " + out.substr(out.size() > 400 ? out.size() - 400 : 0));
        }
        if (i == 0) {
            j["first_deploy_s"] = seconds; // packs the run too
            continue;
        }
        whole.push_back(seconds);
        for (int s = 0; s < 4; ++s)
            steps[s].push_back(last["seconds"].value(stepNames[s], 0.0));
    }
    stopSshd();
    j["whole_s"] = median(whole);
    j["run_step_s"] = median(steps[3]);
    for (int s = 0; s < 4; ++s)
        j["steps_s"][stepNames[s]] = median(steps[s]);
    j["backend"] = last.value("backend", "");
    j["differing_predictions"] = last.value("differing_predictions", -1);
    j["board_accuracy"] = last.value("board_accuracy", 0.0);
    j["board_images_per_second"] = last.value("images_per_second", 0.0);
    j["run_step_under_target"] = j["run_step_s"].get<double>() < 0.3;
    j["whole_under_target"] = j["whole_s"].get<double>() < 2.0;
    std::cout << j.dump() << std::endl;
    return 0;
}
