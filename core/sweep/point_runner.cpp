#include "core/sweep/point_runner.h"

#include "core/run/run_store.h"
#include "core/sweep/point_hardware.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <sys/wait.h>
#include <unistd.h>

namespace qnn {

namespace fs = std::filesystem;

namespace {

std::atomic<pid_t> g_child{0};
std::atomic<bool> g_stopped{false};

extern "C" void forwardStop(int)
{
    g_stopped.store(true);
    const pid_t c = g_child.load();
    if (c > 0)
        ::kill(c, SIGINT);
}

std::string envOr(const char* name, const std::string& fallback = {})
{
    const char* v = std::getenv(name);
    return v && *v ? std::string(v) : fallback;
}

std::string lastSentence(const std::string& err)
{
    // The training's own sentence for the user is its last "qnnw: ..." line.
    std::string best;
    size_t start = 0;
    while (start < err.size()) {
        size_t end = err.find('\n', start);
        if (end == std::string::npos)
            end = err.size();
        const std::string line = err.substr(start, end - start);
        if (line.rfind("qnnw: ", 0) == 0)
            best = line.substr(6);
        start = end + 1;
    }
    return best;
}

nlohmann::json baseRecord(const SweepPoint& point)
{
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    nlohmann::json r{{"point", point.id}, {"host", host}, {"pid", static_cast<long long>(::getpid())},
                     {"time", static_cast<long long>(std::time(nullptr))}};
    if (!envOr("SLURM_JOB_ID").empty())
        r["slurm"] = {{"job_id", envOr("SLURM_JOB_ID")},
                      {"array_job_id", envOr("SLURM_ARRAY_JOB_ID")},
                      {"array_task_id", envOr("SLURM_ARRAY_TASK_ID")}};
    return r;
}

} // namespace

bool addHardwareToSummary(const SweepFolder& sweep, const SweepPoint& point, const std::string& runDir,
                          std::string& error)
{
    RunStore store;
    if (!RunStore::open(runDir, store, error))
        return false;
    nlohmann::json summary;
    if (!store.readSummary(summary, error))
        return false;
    Project project;
    if (!loadProject(sweep.pointProjectPath(point), project, error))
        return false;
    summary["hardware"] = pointHardware(project, sweep.spec().targetFps);
    summary["sweep"] = {{"folder", sweep.dir()}, {"point", point.id}, {"label", pointLabel(point)}};
    return store.writeSummary(summary, error);
}

int runSweepPoint(const SweepFolder& sweep, const SweepPoint& point, const std::string& qnnwPath)
{
    std::string error;
    nlohmann::json record = baseRecord(point);
    if (!point.valid) {
        record["state"] = "ended";
        record["exit_code"] = 1;
        record["reason"] = point.reason;
        sweep.writePointRecord(point, record, error);
        std::fprintf(stderr, "qnnw: %s is not run: %s\n", point.id.c_str(), point.reason.c_str());
        return 1;
    }
    std::string run = sweep.latestRun(point);
    RunStore store;
    nlohmann::json summary;
    if (!run.empty() && RunStore::open(run, store, error) && store.readSummary(summary, error) &&
        summary.value("status", std::string()) == "completed") {
        if (!summary.contains("hardware"))
            addHardwareToSummary(sweep, point, run, error);
        return 0;
    }
    const SweepSpec& spec = sweep.spec();
    std::vector<std::string> argv{qnnwPath, "train", sweep.pointProjectPath(point), "--json"};
    std::error_code ec;
    const bool resume = !run.empty() && fs::exists(run + "/checkpoint.pt", ec);
    if (resume) {
        argv.insert(argv.end(), {"--resume", run});
    } else {
        argv.insert(argv.end(), {"--seed", std::to_string(point.seed)});
        if (spec.trainLimit > 0)
            argv.insert(argv.end(), {"--train-limit", std::to_string(spec.trainLimit)});
    }
    if (spec.threads >= 0)
        argv.insert(argv.end(), {"--threads", std::to_string(spec.threads)});
    if (!spec.dataDir.empty())
        argv.insert(argv.end(), {"--data", spec.dataDir});
    if (!spec.device.empty() && spec.device != "auto")
        argv.insert(argv.end(), {"--device", spec.device});

    record["state"] = "started";
    record["resumed"] = resume;
    if (!sweep.writePointRecord(point, record, error)) {
        std::fprintf(stderr, "qnnw: %s\n", error.c_str());
        return 1;
    }

    int errPipe[2];
    if (::pipe(errPipe) != 0) {
        std::fprintf(stderr, "qnnw: cannot start the training: no pipe\n");
        return 1;
    }
    std::vector<char*> args;
    for (std::string& a : argv)
        args.push_back(a.data());
    args.push_back(nullptr);
    g_stopped.store(false);
    auto oldInt = std::signal(SIGINT, forwardStop);
    auto oldTerm = std::signal(SIGTERM, forwardStop);
    const pid_t pid = ::fork();
    if (pid == 0) {
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGTERM, SIG_DFL);
        ::dup2(errPipe[1], 2);
        ::close(errPipe[0]);
        ::execv(args[0], args.data());
        const std::string msg = "qnnw: cannot start " + argv[0] + ": " + std::strerror(errno) + "\n";
        ssize_t ignored = ::write(2, msg.data(), msg.size());
        (void)ignored;
        ::_exit(127);
    }
    ::close(errPipe[1]);
    g_child.store(pid);
    std::string err;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(errPipe[0], buf, sizeof buf);
        if (n > 0) {
            err.append(buf, static_cast<size_t>(n));
            ssize_t ignored = ::write(2, buf, static_cast<size_t>(n));
            (void)ignored;
        } else if (n == 0 || errno != EINTR) {
            break;
        }
    }
    ::close(errPipe[0]);
    int status = 0;
    while (pid > 0 && ::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    g_child.store(0);
    std::signal(SIGINT, oldInt);
    std::signal(SIGTERM, oldTerm);
    const int code = pid < 0 ? 1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

    run = sweep.latestRun(point);
    record = baseRecord(point);
    record["state"] = "ended";
    record["exit_code"] = code;
    record["run"] = run;
    record["resumed"] = resume;
    std::string reason = lastSentence(err);
    if (!run.empty()) {
        std::string e;
        if (RunStore::open(run, store, e) && store.readSummary(summary, e)) {
            if (summary.value("status", std::string()) == "running") {
                // Killed before it could say so: the next attempt resumes from the checkpoint.
                summary["status"] = g_stopped.load() ? "stopped" : "failed";
                if (!g_stopped.load())
                    summary["error"] = reason.empty() ? "the training process ended with code " +
                                                            std::to_string(code)
                                                      : reason;
                store.writeSummary(summary, e);
            }
        }
        if (!addHardwareToSummary(sweep, point, run, e))
            std::fprintf(stderr, "qnnw: %s\n", e.c_str());
    }
    if (code != 0 && reason.empty())
        reason = g_stopped.load() ? "stopped" : "the training process ended with code " + std::to_string(code);
    if (code != 0)
        record["reason"] = reason;
    record["stopped"] = g_stopped.load();
    sweep.writePointRecord(point, record, error);
    return code == 0 ? 0 : g_stopped.load() || code == 130 ? 130 : 1;
}

} // namespace qnn
