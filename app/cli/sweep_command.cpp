// qnnw sweep: many runs over a grid of precisions, sizes and training
// settings, on this machine's queue or as a Slurm job array, and the table
// of their accuracy and hardware cost.
#include "app/cli/cli_command.h"

#include "core/deploy/ssh_board.h"
#include "core/project/project.h"
#include "core/run/run_paths.h"
#include "core/sweep/child_process.h"
#include "core/sweep/local_queue.h"
#include "core/sweep/point_runner.h"
#include "core/sweep/slurm_backend.h"
#include "core/sweep/sweep_folder.h"
#include "core/sweep/sweep_status.h"
#include "core/util/child_protocol.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>
#include <thread>
#include <unistd.h>

namespace qnn::cli {

namespace fs = std::filesystem;

namespace {

std::atomic<bool> g_stop{false};

extern "C" void onSweepInterrupt(int)
{
    g_stop.store(true);
}

struct Options {
    std::string project;
    std::vector<std::string> grid;
    int seeds = 1;
    long long firstSeed = -1;
    int epochs = -1;
    long long trainLimit = -1;
    int threads = -1;
    std::string data;
    std::string device = "auto";
    double targetFps = 0;
    std::string name;
    /** --save NAME: keep the --grid form in the project as a saved sweep. */
    std::string save;
    std::string runsDir;
    bool dryRun = false;
    std::string backend = "local";
    int jobs = 1;
    SlurmOptions slurm;
    bool wait = false;
    double pollSeconds = 10;
    bool json = false;
    bool csv = false;
    // --via USER@HOST: the same command on a login node, over SSH.
    std::string via;
    int port = 22;
    std::string key;
    std::string knownHosts;
    bool acceptNewHostKey = false;
    std::string remoteQnnw = "qnnw";
    // status / results / cancel / resubmit / run-point
    std::string sweep;
    std::string point;
    /** The options given on the command line ("--epochs"): with a saved
     *  sweep, these override its values and the others come from it. */
    std::set<std::string> given;
    bool isGiven(const char* option) const { return given.count(option) > 0; }
};

// One command runs per process: its --json decides whether a failure is also
// the protocol's error event.
bool g_json = false;

int fail(const std::string& message, int code = 1)
{
    reportError(message, g_json);
    return code;
}

// Points that have ended, whatever the outcome: the progress of a sweep.
int64_t endedPoints(const std::vector<PointStatus>& status)
{
    int64_t n = 0;
    for (const PointStatus& s : status)
        n += s.state == "completed" || s.state == "failed" || s.state == "diverged" || s.state == "stopped" ||
             s.state == "invalid";
    return n;
}

bool queryTasks(const SweepFolder& sweep, std::map<int, TaskState>& tasks)
{
    if (sweep.readBackend().value("backend", std::string()) != "slurm")
        return true;
    std::string error;
    if (!querySlurm(sweep, tasks, error)) {
        std::fprintf(stderr, "qnnw: %s; the states below are the run folders' own\n", error.c_str());
        return false;
    }
    return true;
}

std::vector<PointStatus> statusOf(const SweepFolder& sweep)
{
    std::map<int, TaskState> tasks;
    queryTasks(sweep, tasks);
    return collectSweepStatus(sweep, tasks);
}

std::string progressLine(const std::vector<PointStatus>& status)
{
    int done = 0, total = 0;
    for (const PointStatus& s : status) {
        if (s.state == "invalid")
            continue;
        ++total;
        if (s.state == "completed" || s.state == "failed" || s.state == "stopped" || s.state == "diverged")
            ++done;
    }
    const int width = 24;
    const int filled = total ? width * done / total : width;
    std::string line = "[" + std::string(static_cast<size_t>(filled), '#') +
                       std::string(static_cast<size_t>(width - filled), '-') + "] " + std::to_string(done) + "/" +
                       std::to_string(total);
    for (const auto& [state, n] : countStates(status))
        line += "  " + std::to_string(n) + " " + state;
    return line;
}

// One progress report: a redrawn line on a terminal, a JSON line with --json.
void report(const Options& o, const SweepFolder& sweep, const std::vector<PointStatus>& status, std::string& last)
{
    const std::string line = progressLine(status);
    if (line == last)
        return;
    last = line;
    if (o.json) {
        nlohmann::json points = nlohmann::json::array();
        for (const PointStatus& s : status)
            points.push_back({{"id", s.point->id}, {"state", s.state}, {"epoch", s.epoch}, {"epochs", s.epochs}});
        protocol::writeEvent(std::cout, protocol::progressEvent(endedPoints(status), int64_t(status.size()), "points",
                                                                {{"sweep", sweep.dir()},
                                                                 {"counts", sweepStatusToJson(sweep, status)["counts"]},
                                                                 {"points", points}}));
    } else if (::isatty(STDERR_FILENO)) {
        std::fprintf(stderr, "\r\033[K%s", line.c_str());
        std::fflush(stderr);
    } else {
        std::fprintf(stderr, "%s\n", line.c_str());
    }
}

int finish(const Options& o, const SweepFolder& sweep, const std::vector<PointStatus>& status)
{
    if (!o.json && ::isatty(STDERR_FILENO))
        std::fprintf(stderr, "\n");
    if (o.json) {
        printResult(sweepStatusToJson(sweep, status));
    } else {
        std::cout << formatSweepTable(sweep, status);
    }
    for (const PointStatus& s : status)
        if (s.state == "failed" || s.state == "diverged" || s.state == "stopped")
            return 1;
    return 0;
}

int runLocal(const Options& o, const SweepFolder& sweep, const std::vector<int>& indices)
{
    std::string error;
    std::vector<std::string> ids;
    for (int i : indices)
        ids.push_back(sweep.points()[static_cast<size_t>(i)].id);
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    if (!recordSubmitted(sweep, "local", indices, nullptr, error))
        return fail(error);
    nlohmann::json b = sweep.readBackend();
    b["pid"] = static_cast<long long>(::getpid());
    b["host"] = host;
    if (!sweep.writeBackend(b, error))
        return fail(error);
    LocalQueue queue(selfExecutable(), sweep.dir(), o.jobs);
    queue.enqueue(indices, ids);
    g_stop.store(false);
    auto oldInt = std::signal(SIGINT, onSweepInterrupt);
    auto oldTerm = std::signal(SIGTERM, onSweepInterrupt);
    std::string last;
    bool stopping = false;
    while (queue.poll()) {
        if (g_stop.load() && !stopping) {
            stopping = true;
            queue.stop();
            if (!o.json)
                std::fprintf(stderr, "\nqnnw: stopping the sweep; its runs stop after their batch and resume on "
                                     "a resubmit\n");
        }
        report(o, sweep, collectSweepStatus(sweep), last);
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    std::signal(SIGINT, oldInt);
    std::signal(SIGTERM, oldTerm);
    b = sweep.readBackend();
    b.erase("pid");
    sweep.writeBackend(b, error);
    const std::vector<PointStatus> status = collectSweepStatus(sweep);
    const int code = finish(o, sweep, status);
    return stopping ? 130 : code;
}

int waitSlurm(const Options& o, const SweepFolder& sweep)
{
    std::string last;
    g_stop.store(false);
    auto oldInt = std::signal(SIGINT, onSweepInterrupt);
    std::vector<PointStatus> status;
    for (;;) {
        status = statusOf(sweep);
        report(o, sweep, status, last);
        if (sweepEnded(status) || g_stop.load())
            break;
        for (double t = 0; t < o.pollSeconds && !g_stop.load(); t += 0.1)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::signal(SIGINT, oldInt);
    if (g_stop.load()) {
        std::fprintf(stderr, "\nqnnw: stopped waiting; the sweep goes on (qnnw sweep status %s)\n",
                     sweep.dir().c_str());
        return 130;
    }
    return finish(o, sweep, status);
}

// Submits the points that need running (all of a new sweep; the missing and
// failed ones of an existing one) to the chosen backend.
int submit(const Options& o, const SweepFolder& sweep)
{
    std::vector<int> indices;
    for (const PointStatus& s : statusOf(sweep))
        if (needsRun(s))
            indices.push_back(s.point->index);
    if (o.json) {
        protocol::writeEvent(std::cout, protocol::stepEvent("start",
                                                            "sweep " + sweep.dir() + ": " +
                                                                std::to_string(indices.size()) + " points to run",
                                                            {{"sweep", sweep.dir()},
                                                             {"points", sweep.points().size()},
                                                             {"to_run", indices},
                                                             {"backend", o.backend}}));
    } else {
        std::printf("sweep %s: %zu points, %zu to run\n", sweep.dir().c_str(), sweep.points().size(),
                    indices.size());
        std::fflush(stdout);
    }
    if (indices.empty()) {
        if (!o.json)
            std::printf("every point has completed, or is queued, running or invalid\n");
        return finish(o, sweep, statusOf(sweep));
    }
    if (o.backend == "local")
        return runLocal(o, sweep, indices);
    SlurmOptions slurm = o.slurm;
    if (slurm.qnnwPath.empty())
        slurm.qnnwPath = selfExecutable();
    std::string jobId, error;
    if (!submitSlurm(sweep, indices, slurm, jobId, error))
        return fail(error);
    if (o.json) {
        protocol::writeEvent(std::cout, protocol::stepEvent("submitted", "submitted Slurm job " + jobId,
                                                            {{"sweep", sweep.dir()}, {"slurm_job", jobId}}));
    } else {
        std::printf("submitted Slurm job %s (%zu tasks)\n", jobId.c_str(), indices.size());
        std::fflush(stdout);
    }
    return o.wait ? waitSlurm(o, sweep) : 0;
}

// --via: the same qnnw command on the login node; this end only carries it.
std::vector<std::string> remoteArgs(const Options& o, const std::string& sub)
{
    std::vector<std::string> a{o.remoteQnnw, "sweep"};
    if (!sub.empty()) {
        a.push_back(sub);
        a.push_back(o.sweep);
        if (sub == "status" || sub == "results")
            a.push_back("--json");
        return a;
    }
    a.push_back(o.project);
    for (const std::string& g : o.grid)
        a.insert(a.end(), {"--grid", g});
    // A saved sweep (--name without --grid) takes its seeds from the project
    // on the login node unless they are given here.
    if (!o.grid.empty() || o.isGiven("--seeds"))
        a.insert(a.end(), {"--seeds", std::to_string(o.seeds)});
    a.insert(a.end(), {"--backend", "slurm", "--json"});
    if (o.firstSeed >= 0)
        a.insert(a.end(), {"--first-seed", std::to_string(o.firstSeed)});
    if (o.epochs > 0)
        a.insert(a.end(), {"--epochs", std::to_string(o.epochs)});
    if (o.trainLimit > 0)
        a.insert(a.end(), {"--train-limit", std::to_string(o.trainLimit)});
    if (o.threads >= 0)
        a.insert(a.end(), {"--threads", std::to_string(o.threads)});
    if (!o.data.empty())
        a.insert(a.end(), {"--data", o.data});
    if (o.device != "auto")
        a.insert(a.end(), {"--device", o.device});
    if (o.targetFps > 0)
        a.insert(a.end(), {"--target-fps", std::to_string(o.targetFps)});
    if (!o.name.empty())
        a.insert(a.end(), {"--name", o.name});
    if (!o.runsDir.empty())
        a.insert(a.end(), {"--runs-dir", o.runsDir});
    if (o.dryRun)
        a.push_back("--dry-run");
    const SlurmOptions& s = o.slurm;
    if (!s.partition.empty())
        a.insert(a.end(), {"--partition", s.partition});
    if (!s.time.empty())
        a.insert(a.end(), {"--time", s.time});
    if (s.cpusPerTask > 0)
        a.insert(a.end(), {"--cpus-per-task", std::to_string(s.cpusPerTask)});
    if (s.gpusPerTask > 0)
        a.insert(a.end(), {"--gpus-per-task", std::to_string(s.gpusPerTask)});
    if (s.maxRunning > 0)
        a.insert(a.end(), {"--max-running", std::to_string(s.maxRunning)});
    for (const std::string& x : s.sbatchArgs)
        a.push_back("--sbatch-arg=" + x);
    if (!s.qnnwPath.empty())
        a.insert(a.end(), {"--node-qnnw", s.qnnwPath});
    return a;
}

int runVia(const Options& o, const std::string& sub)
{
    deploy::BoardConfig c;
    c.name = "login node";
    c.kind = "pynq-z1";
    const size_t at = o.via.find('@');
    c.user = at == std::string::npos ? std::string(std::getenv("USER") ? std::getenv("USER") : "root")
                                     : o.via.substr(0, at);
    c.host = at == std::string::npos ? o.via : o.via.substr(at + 1);
    c.port = o.port;
    c.keyPath = o.key;
    c.knownHosts = o.knownHosts;
    deploy::SshOptions so;
    so.acceptNewHostKey = o.acceptNewHostKey;
    deploy::SshBoard ssh(c, so);
    std::string error;
    if (!ssh.connect(error))
        return fail(error);
    // remoteQnnw may carry a prefix such as "env SLURM_CONF=... qnnw": kept as written.
    std::string command = o.remoteQnnw;
    const std::vector<std::string> args = remoteArgs(o, sub);
    for (size_t i = 1; i < args.size(); ++i)
        command += " " + deploy::shellQuote(args[i]);
    std::string out, err;
    int status = -1;
    if (!ssh.exec(command, out, err, status, error))
        return fail(error);
    if (!err.empty())
        std::fputs(err.c_str(), stderr);
    if (status != 0 || sub == "cancel") {
        std::fputs(out.c_str(), stdout);
        return status;
    }
    // Remote JSON lines; the last one holds the sweep (status) or the submission.
    std::string sweepDir;
    nlohmann::json lastJson;
    size_t start = 0;
    while (start < out.size()) {
        size_t end = out.find('\n', start);
        if (end == std::string::npos)
            end = out.size();
        nlohmann::json j = nlohmann::json::parse(out.substr(start, end - start), nullptr, false);
        if (!j.is_discarded()) {
            lastJson = j;
            if (j.contains("sweep") && j["sweep"].is_string() && sweepDir.empty())
                sweepDir = j["sweep"].get<std::string>();
        }
        start = end + 1;
    }
    if (o.json || sub == "status" || sub == "results" || o.dryRun) {
        std::fputs(out.c_str(), stdout);
        if (!o.wait || sub == "status" || sub == "results" || o.dryRun)
            return 0;
    } else {
        std::printf("sweep %s submitted on %s\n", sweepDir.c_str(), o.via.c_str());
        if (!o.wait)
            return 0;
    }
    // --wait: poll the login node's `sweep status` over the same connection.
    std::string lastLine;
    for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int>(o.pollSeconds * 1000)));
        if (!ssh.exec(o.remoteQnnw + " sweep status " + deploy::shellQuote(sweepDir) + " --json", out, err, status,
                      error))
            return fail(error);
        nlohmann::json j = nlohmann::json::parse(out, nullptr, false);
        if (j.is_discarded())
            return fail("the login node answered no sweep status: " + err);
        const std::string line = j.value("counts", nlohmann::json::object()).dump();
        if (line != lastLine) {
            lastLine = line;
            if (o.json)
                protocol::writeEvent(std::cout, protocol::progressEvent(0, 0, "points", {{"counts", j["counts"]}}));
            else
                std::fprintf(stderr, "%s\n", line.c_str());
        }
        if (j.value("ended", false)) {
            if (o.json) {
                printResult(j);
            } else {
                std::cout << j.dump(2) << "\n";
            }
            return 0;
        }
    }
}

// The options a saved sweep stands for: its axes as --grid, and each of its
// values unless the same option was given on the command line.
Options withDefinition(const Options& given, const SweepDefinition& d)
{
    Options o = given;
    for (const SweepDefinition::Axis& a : d.axes)
        o.grid.push_back(SweepDefinition::axisText(a));
    auto take = [&](const char* option, auto& field, const auto& value) {
        if (!given.isGiven(option))
            field = value;
    };
    take("--seeds", o.seeds, d.seeds);
    take("--first-seed", o.firstSeed, d.firstSeed);
    take("--epochs", o.epochs, d.epochs);
    take("--train-limit", o.trainLimit, d.trainLimit);
    take("--threads", o.threads, d.threads);
    take("--device", o.device, d.device);
    take("--target-fps", o.targetFps, d.targetFps);
    take("--backend", o.backend, d.backend);
    take("--jobs", o.jobs, d.jobs);
    take("--partition", o.slurm.partition, d.partition);
    take("--time", o.slurm.time, d.time);
    take("--cpus-per-task", o.slurm.cpusPerTask, d.cpusPerTask);
    take("--gpus-per-task", o.slurm.gpusPerTask, d.gpusPerTask);
    take("--max-running", o.slurm.maxRunning, d.maxRunning);
    take("--sbatch-arg", o.slurm.sbatchArgs, d.sbatchArgs);
    take("--node-qnnw", o.slurm.qnnwPath, d.nodeQnnw);
    // A saved data folder that is relative is relative to the project.
    if (!given.isGiven("--data") && !d.dataDir.empty())
        o.data = fs::path(d.dataDir).is_absolute() ? d.dataDir
                                                    : (fs::path(projectDirOf(o.project)) / d.dataDir).string();
    return o;
}

int runGrid(const Options& o, Project& base);

int runSweep(const Options& o)
{
    if (!o.via.empty())
        return runVia(o, "");
    if (o.project.empty())
        return fail("give a project: qnnw sweep PROJECT --grid KEY=V1,V2 ... (or sweep status|results|cancel SWEEP)",
                    2);
    Project base;
    if (!loadProjectOrSay(o.project, base))
        return 1;
    Options saved;
    if (o.grid.empty() && !o.name.empty()) {
        const SweepDefinition* d = findSweepDefinition(base.sweeps, o.name);
        if (!d) {
            std::string names;
            for (const SweepDefinition& s : base.sweeps)
                names += (names.empty() ? "" : ", ") + s.name;
            return fail("the project has no saved sweep '" + o.name + "' (" +
                            (names.empty() ? std::string("it has none") : "it has " + names) +
                            "); save one with --grid ... --save NAME or in Training > New Sweep",
                        2);
        }
        if (!o.save.empty())
            return fail("--save saves a --grid sweep; '" + o.name + "' is saved already", 2);
        saved = withDefinition(o, *d);
    }
    const Options& run = o.grid.empty() && !o.name.empty() ? saved : o;
    return runGrid(run, base);
}

int runGrid(const Options& o, Project& base)
{
    if (o.grid.empty())
        return fail("give at least one --grid KEY=V1,V2 (or --name NAME of a sweep saved in the project)", 2);
    if (!o.save.empty() && !o.via.empty())
        return fail("--save writes the project on this machine; save the sweep there, then use --via with --name", 2);
    SweepSpec spec;
    for (const std::string& g : o.grid) {
        SweepAxis axis;
        std::string error;
        if (!parseAxis(g, axis, error))
            return fail(error, 2);
        for (const SweepAxis& a : spec.axes)
            if (a.key == axis.key)
                return fail("--grid " + axis.key + " is given twice; list every value in one --grid", 2);
        spec.axes.push_back(axis);
    }
    spec.seeds = o.seeds;
    spec.firstSeed = o.firstSeed;
    spec.epochs = o.epochs;
    spec.trainLimit = o.trainLimit;
    spec.threads = o.threads;
    spec.device = o.device;
    spec.targetFps = o.targetFps;
    if (!o.data.empty()) {
        std::error_code ec;
        spec.dataDir = fs::absolute(o.data, ec).string();
    }
    std::string nameError;
    if (!o.save.empty()) {
        if (!isSafeRunName(o.save, nameError))
            return fail("--save: " + nameError, 2);
        SweepDefinition d;
        d.name = o.save;
        sweepSpecToDefinition(spec, d);
        d.backend = o.backend;
        d.jobs = o.jobs;
        d.partition = o.slurm.partition;
        d.time = o.slurm.time;
        d.cpusPerTask = o.slurm.cpusPerTask;
        d.gpusPerTask = o.slurm.gpusPerTask;
        d.maxRunning = o.slurm.maxRunning;
        d.sbatchArgs = o.slurm.sbatchArgs;
        d.nodeQnnw = o.slurm.qnnwPath;
        putSweepDefinition(base.sweeps, d);
        std::string error;
        if (!saveProject(o.project, base, error))
            return fail(error);
        if (!o.json)
            std::fprintf(stderr, "saved the sweep %s in %s (run it again with --name %s)\n", o.save.c_str(),
                         o.project.c_str(), o.save.c_str());
    }
    const std::vector<SweepPoint> points = expandSweep(base, spec);
    const std::string name = !o.name.empty() ? o.name : !o.save.empty() ? o.save : defaultSweepName(base, spec);
    if (!isSafeRunName(name, nameError))
        return fail("--name: " + nameError, 2);
    const std::string dir = (o.runsDir.empty() ? sweepsDirOf(o.project) : o.runsDir) + "/" + name;
    if (o.dryRun) {
        nlohmann::json pts = nlohmann::json::array();
        int valid = 0;
        for (const SweepPoint& p : points) {
            pts.push_back(sweepPointToJson(p));
            valid += p.valid;
        }
        if (o.json) {
            printResult({{"sweep", dir}, {"dry_run", true}, {"points", pts}, {"valid", valid}});
            return 0;
        }
        std::printf("dry run: sweep %s would have %zu points, %d valid, %zu invalid\n", dir.c_str(),
                    points.size(), valid, points.size() - static_cast<size_t>(valid));
        double macs = 0;
        for (const SweepPoint& p : points) {
            std::printf("%s  %-48s ", p.id.c_str(), pointLabel(p).c_str());
            if (!p.valid) {
                std::printf("invalid: %s\n", p.reason.c_str());
                continue;
            }
            const nlohmann::json& c = p.cost;
            const nlohmann::json& h = c["hardware"];
            macs += c.value("macs_per_image", 0.0) * c.value("epochs", 0);
            std::printf("%9lld params  %9.3g MAC/img  %6.1f MiB to train", c.value("params", 0LL),
                        c.value("macs_per_image", 0.0), c.value("train_memory_bytes", 0.0) / (1 << 20));
            if (h.value("ok", false))
                std::printf("  LUT %.0f  BRAM %.1f  DSP %.0f  %.0f FPS  %s", h.value("lut", 0.0),
                            h.value("bram36", 0.0), h.value("dsp", 0.0), h.value("fps", 0.0),
                            h.value("fits", false) ? "fits" : "does not fit");
            else
                std::printf("  no hardware estimate: %s", h.value("problem", std::string()).c_str());
            std::printf("\n");
        }
        std::printf("training cost: %.3g MACs per training image over all points and epochs (x3 for the "
                    "backward pass)\n",
                    macs);
        return 0;
    }
    SweepFolder sweep;
    std::string error;
    if (!SweepFolder::create(dir, o.project, base, spec, points, sweep, error))
        return fail(error);
    return submit(o, sweep);
}

bool openSweep(const std::string& path, SweepFolder& sweep)
{
    std::string error;
    if (SweepFolder::open(path, sweep, error))
        return true;
    fail(error);
    return false;
}

int runStatus(const Options& o, const std::string& sub)
{
    if (!o.via.empty())
        return runVia(o, sub);
    SweepFolder sweep;
    if (!openSweep(o.sweep, sweep))
        return 1;
    const std::vector<PointStatus> status = statusOf(sweep);
    if (o.json)
        std::cout << sweepStatusToJson(sweep, status).dump(2) << "\n";
    else if (o.csv)
        std::cout << formatSweepCsv(sweep, status);
    else
        std::cout << formatSweepTable(sweep, status);
    return 0;
}

int runCancel(const Options& o)
{
    if (!o.via.empty())
        return runVia(o, "cancel");
    SweepFolder sweep;
    if (!openSweep(o.sweep, sweep))
        return 1;
    const nlohmann::json b = sweep.readBackend();
    std::string error;
    if (b.value("backend", std::string()) == "slurm") {
        if (!cancelSlurm(sweep, error))
            return fail(error);
        std::printf("cancelled the Slurm jobs of %s\n", sweep.name().c_str());
        return 0;
    }
    const long long pid = b.value("pid", 0LL);
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    if (pid <= 0 || ::kill(static_cast<pid_t>(pid), 0) != 0)
        return fail("the sweep " + sweep.name() + " is not running on this machine");
    if (b.value("host", std::string()) != host)
        return fail("the sweep runs on " + b.value("host", std::string()) + "; cancel it there");
    ::kill(static_cast<pid_t>(pid), SIGINT);
    std::printf("asked the sweep %s (pid %lld) to stop; its runs stop after their batch\n", sweep.name().c_str(),
                pid);
    return 0;
}

int runResubmit(Options o)
{
    if (!o.via.empty())
        return runVia(o, "resubmit");
    SweepFolder sweep;
    if (!openSweep(o.sweep, sweep))
        return 1;
    // Unless told otherwise, a resubmit goes where the sweep went before.
    if (o.backend.empty())
        o.backend = sweep.readBackend().value("backend", std::string("local"));
    return submit(o, sweep);
}

int runPoint(const Options& o)
{
    SweepFolder sweep;
    if (!openSweep(o.sweep, sweep))
        return 1;
    const SweepPoint* p = sweep.findPoint(o.point);
    if (!p)
        return fail("the sweep " + sweep.name() + " has no point " + o.point);
    return runSweepPoint(sweep, *p, selfExecutable());
}

void addBackendOptions(CLI::App* c, Options& o, bool defaultBackend)
{
    c->add_option("--backend", o.backend, defaultBackend ? "local (default: this machine's queue) or slurm"
                                                         : "local or slurm (default: as submitted before)")
        ->check(CLI::IsMember({"local", "slurm"}));
    c->add_option("--jobs", o.jobs, "local: points run at once (default 1)")->check(CLI::Range(1, 256));
    c->add_option("--partition", o.slurm.partition, "slurm: the partition");
    c->add_option("--time", o.slurm.time, "slurm: time limit per point, HH:MM:SS");
    c->add_option("--cpus-per-task", o.slurm.cpusPerTask, "slurm: CPUs per point")->check(CLI::PositiveNumber);
    c->add_option("--gpus-per-task", o.slurm.gpusPerTask, "slurm: GPUs per point")->check(CLI::NonNegativeNumber);
    c->add_option("--max-running", o.slurm.maxRunning, "slurm: at most N points at once (the array's %N)")
        ->check(CLI::PositiveNumber);
    c->add_option("--sbatch-arg", o.slurm.sbatchArgs, "slurm: one more sbatch option, as is (repeatable)");
    c->add_option("--node-qnnw", o.slurm.qnnwPath,
                  "slurm: qnnw as the compute nodes run it (default: this qnnw's absolute path)");
    c->add_flag("--wait", o.wait, "slurm: wait until every point has ended, with a progress display");
    c->add_option("--poll", o.pollSeconds, "seconds between status polls while waiting (default 10)")
        ->check(CLI::Range(0.1, 3600.0));
}

void addViaOptions(CLI::App* c, Options& o)
{
    c->add_option("--via", o.via, "USER@LOGIN-NODE: run this on the cluster's login node over SSH");
    c->add_option("--port", o.port, "--via: SSH port (default 22)")->check(CLI::Range(1, 65535));
    c->add_option("--key", o.key, "--via: private key file")->check(CLI::ExistingFile);
    c->add_option("--known-hosts", o.knownHosts, "--via: known_hosts file (default ~/.ssh/known_hosts)");
    c->add_flag("--accept-new-host-key", o.acceptNewHostKey,
                "--via: trust a host key seen for the first time (never a changed one)");
    c->add_option("--remote-qnnw", o.remoteQnnw, "--via: qnnw on the login node (default: qnnw on its PATH)");
}

} // namespace

void addSweepCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<Options>();
    CLI::App* c = app.add_subcommand(
        "sweep", "train a grid of precisions, sizes and settings, locally or on Slurm; status, results, cancel");
    c->add_option("PROJECT", o->project, "the project file (*.qnnproj)");
    c->add_option("--grid", o->grid,
                  "an axis: precision=W1A1,W2A2 | PATTERN.precision=... | dense*.units=256,512 | lr=0.001,0.003 "
                  "(repeatable)");
    c->add_option("--seeds", o->seeds, "seeds per grid point (default 1)")->check(CLI::Range(1, 100));
    c->add_option("--first-seed", o->firstSeed, "first seed (default: the project's)")
        ->check(CLI::NonNegativeNumber);
    c->add_option("--epochs", o->epochs, "epochs of every point")->check(CLI::PositiveNumber);
    c->add_option("--train-limit", o->trainLimit, "train on the first N images only")->check(CLI::PositiveNumber);
    c->add_option("--threads", o->threads, "CPU threads per point (0: every core)")->check(CLI::NonNegativeNumber);
    c->add_option("--data", o->data, "dataset folder (default: the project's)");
    c->add_option("--device", o->device, "where each point trains")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    c->add_option("--target-fps", o->targetFps,
                  "the FPS the hardware estimate folds for (default: the fastest folding that fits)")
        ->check(CLI::PositiveNumber);
    c->add_option("--name", o->name,
                  "the sweep's folder name (default: the project's name and a hash of the grid); without --grid, "
                  "runs the sweep of that name saved in the project");
    c->add_option("--save", o->save, "save the --grid sweep and its options in the project under this name");
    c->add_option("--runs-dir", o->runsDir, "where the sweep folder goes (default: sweeps/ beside the project)");
    c->add_flag("--dry-run", o->dryRun, "list the points, the invalid ones with why, and their estimated cost");
    c->add_flag("--json", o->json, "JSON lines: the sweep folder first, then progress, then the result");
    addBackendOptions(c, *o, true);
    addViaOptions(c, *o);

    auto status = std::make_shared<Options>();
    for (const char* name : {"status", "results"}) {
        CLI::App* s = c->add_subcommand(name, std::string(name) == "status"
                                                  ? "every point's state, epoch, accuracy and hardware estimate"
                                                  : "the same table, for scripts: --json or --csv");
        s->add_option("SWEEP", status->sweep, "the sweep folder")->required();
        auto* j = s->add_flag("--json", status->json, "as JSON");
        s->add_flag("--csv", status->csv, "as CSV")->excludes(j);
        addViaOptions(s, *status);
        s->callback([status, &exitCode, name] { g_json = status->json;
            exitCode = runStatus(*status, name); });
    }
    auto cancel = std::make_shared<Options>();
    CLI::App* x = c->add_subcommand("cancel", "stop every point that waits or runs (scancel on Slurm)");
    x->add_option("SWEEP", cancel->sweep, "the sweep folder")->required();
    addViaOptions(x, *cancel);
    x->callback([cancel, &exitCode] { g_json = cancel->json;
            exitCode = runCancel(*cancel); });

    auto resubmit = std::make_shared<Options>();
    resubmit->backend.clear();
    CLI::App* r = c->add_subcommand("resubmit", "run the points that are missing, failed or cancelled again");
    r->add_option("SWEEP", resubmit->sweep, "the sweep folder")->required();
    r->add_flag("--json", resubmit->json, "JSON lines");
    addBackendOptions(r, *resubmit, false);
    addViaOptions(r, *resubmit);
    r->callback([resubmit, &exitCode] { g_json = resubmit->json;
            exitCode = runResubmit(*resubmit); });

    auto point = std::make_shared<Options>();
    CLI::App* p = c->add_subcommand("run-point", "run one point of a sweep here (what each queue slot and Slurm "
                                                 "task runs)");
    p->add_option("SWEEP", point->sweep, "the sweep folder")->required();
    p->add_option("POINT", point->point, "its index or id (p003)")->required();
    p->callback([point, &exitCode] { g_json = point->json;
            exitCode = runPoint(*point); });

    c->callback([o, c, &exitCode] {
        if (c->get_subcommands().empty()) {
            g_json = o->json;
            for (const CLI::Option* opt : c->get_options())
                if (opt->count() > 0)
                    o->given.insert(opt->get_name());
            exitCode = runSweep(*o);
        }
    });
}

} // namespace qnn::cli
