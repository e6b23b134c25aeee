#include "core/sweep/slurm_backend.h"

#include "core/sweep/child_process.h"
#include "core/util/atomic_file.h"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <set>
#include <sstream>
#include <sys/stat.h>

namespace qnn {

namespace fs = std::filesystem;

namespace {

std::string quote(const std::string& s)
{
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string trimmed(std::string s)
{
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
        s.pop_back();
    return s;
}

std::vector<std::string> lines(const std::string& text)
{
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string l;
    while (std::getline(in, l))
        if (!trimmed(l).empty())
            out.push_back(trimmed(l));
    return out;
}

std::vector<std::string> split(const std::string& s, char sep)
{
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
        const size_t p = s.find(sep, start);
        out.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
        if (p == std::string::npos)
            return out;
        start = p + 1;
    }
}

// "12_3" → job 12, task 3; "12_[4-6%2]" (pending tasks squeue did not split) → 4, 5, 6.
void parseTaskIds(const std::string& id, std::string& job, std::vector<int>& tasks)
{
    tasks.clear();
    const size_t us = id.find('_');
    job = id.substr(0, us);
    if (us == std::string::npos)
        return;
    std::string rest = id.substr(us + 1);
    if (!rest.empty() && rest.front() == '[') {
        rest = rest.substr(1, rest.find_first_of("%]") - 1);
        for (const std::string& part : split(rest, ',')) {
            const size_t dash = part.find('-');
            try {
                const int a = std::stoi(part.substr(0, dash));
                const int b = dash == std::string::npos ? a : std::stoi(part.substr(dash + 1));
                for (int i = a; i <= b; ++i)
                    tasks.push_back(i);
            } catch (...) {
            }
        }
        return;
    }
    try {
        tasks.push_back(std::stoi(rest));
    } catch (...) {
    }
}

} // namespace

std::string arraySpec(std::vector<int> indices)
{
    std::sort(indices.begin(), indices.end());
    std::string out;
    for (size_t i = 0; i < indices.size();) {
        size_t j = i;
        while (j + 1 < indices.size() && indices[j + 1] == indices[j] + 1)
            ++j;
        if (!out.empty())
            out += ",";
        out += std::to_string(indices[i]);
        if (j > i)
            out += "-" + std::to_string(indices[j]);
        i = j + 1;
    }
    return out;
}

std::string slurmScript(const SweepFolder& sweep, const std::vector<int>& indices, const SlurmOptions& o)
{
    std::ostringstream s;
    s << "#!/bin/sh\n"
      << "# Written by qnnw sweep: one array task per point of the sweep " << sweep.name() << ".\n"
      << "#SBATCH --job-name=qnnw-" << sweep.name() << "\n"
      << "#SBATCH --output=" << sweep.dir() << "/slurm/%A_%a.out\n"
      << "#SBATCH --array=" << arraySpec(indices) << (o.maxRunning > 0 ? "%" + std::to_string(o.maxRunning) : "")
      << "\n";
    if (!o.partition.empty())
        s << "#SBATCH --partition=" << o.partition << "\n";
    if (!o.time.empty())
        s << "#SBATCH --time=" << o.time << "\n";
    if (o.cpusPerTask > 0)
        s << "#SBATCH --cpus-per-task=" << o.cpusPerTask << "\n";
    if (o.gpusPerTask > 0)
        s << "#SBATCH --gpus-per-task=" << o.gpusPerTask << "\n";
    // The time limit arrives as SIGTERM; run-point passes it on as SIGINT,
    // the training stops after its batch, and a resubmit resumes it.
    s << "exec " << quote(o.qnnwPath) << " sweep run-point " << quote(sweep.dir()) << " \"$SLURM_ARRAY_TASK_ID\"\n";
    return s.str();
}

bool recordSubmitted(const SweepFolder& sweep, const std::string& backend, const std::vector<int>& indices,
                     const nlohmann::json& job, std::string& error)
{
    nlohmann::json b = sweep.readBackend();
    b["backend"] = backend;
    std::set<int> submitted, cancelled;
    for (const auto& v : b.value("submitted", nlohmann::json::array()))
        submitted.insert(v.get<int>());
    for (const auto& v : b.value("cancelled", nlohmann::json::array()))
        cancelled.insert(v.get<int>());
    for (int i : indices) {
        submitted.insert(i);
        cancelled.erase(i);
    }
    b["submitted"] = submitted;
    b["cancelled"] = cancelled;
    if (!job.is_null()) {
        if (!b.contains("jobs"))
            b["jobs"] = nlohmann::json::array();
        b["jobs"].push_back(job);
    }
    return sweep.writeBackend(b, error);
}

bool submitSlurm(const SweepFolder& sweep, const std::vector<int>& indices, const SlurmOptions& options,
                 std::string& jobId, std::string& error)
{
    if (indices.empty()) {
        error = "no point of the sweep needs running";
        return false;
    }
    std::error_code ec;
    fs::create_directories(sweep.dir() + "/slurm", ec);
    const nlohmann::json backend = sweep.readBackend();
    const size_t n = backend.value("jobs", nlohmann::json::array()).size() + 1;
    const std::string script = sweep.dir() + "/slurm/job-" + std::to_string(n) + ".sh";
    if (!writeFileAtomic(script, slurmScript(sweep, indices, options), error))
        return false;
    ::chmod(script.c_str(), 0755);
    std::vector<std::string> argv{"sbatch", "--parsable"};
    argv.insert(argv.end(), options.sbatchArgs.begin(), options.sbatchArgs.end());
    argv.push_back(script);
    std::string out, err;
    int code = 0;
    if (!runProgram(argv, out, err, code, error))
        return false;
    if (code != 0) {
        error = "sbatch refused the sweep: " + trimmed(err.empty() ? out : err);
        return false;
    }
    jobId = split(trimmed(out), ';').front();
    if (jobId.empty() || jobId.find_first_not_of("0123456789") != std::string::npos) {
        error = "sbatch answered '" + trimmed(out) + "', not a job id";
        return false;
    }
    return recordSubmitted(sweep, "slurm", indices,
                           {{"job_id", jobId}, {"tasks", indices}, {"script", script},
                            {"time", static_cast<long long>(std::time(nullptr))}},
                           error);
}

bool querySlurm(const SweepFolder& sweep, std::map<int, TaskState>& tasks, std::string& error)
{
    tasks.clear();
    const nlohmann::json backend = sweep.readBackend();
    std::vector<std::string> jobs;
    std::map<std::string, std::vector<int>> jobTasks;
    for (const auto& j : backend.value("jobs", nlohmann::json::array())) {
        const std::string id = j.value("job_id", std::string());
        jobs.push_back(id);
        jobTasks[id] = j.value("tasks", std::vector<int>());
    }
    if (jobs.empty())
        return true;
    std::string ids;
    for (const std::string& j : jobs)
        ids += (ids.empty() ? "" : ",") + j;
    std::string out, err;
    int code = 0;
    if (!runProgram({"squeue", "-h", "-r", "-j", ids, "-o", "%i|%T|%r"}, out, err, code, error))
        return false;
    // squeue refuses a list in which no job is known any more: all ended.
    if (code != 0 && err.find("Invalid job id") == std::string::npos) {
        error = "squeue failed: " + trimmed(err);
        return false;
    }
    std::set<std::pair<std::string, int>> listed;
    for (const std::string& l : lines(out)) {
        const auto f = split(l, '|');
        if (f.size() < 2)
            continue;
        std::string job;
        std::vector<int> ts;
        parseTaskIds(f[0], job, ts);
        TaskState st;
        st.state = f[1] == "PENDING" || f[1] == "CONFIGURING" || f[1] == "REQUEUED" ? "queued" : "running";
        st.detail = f[1] + (f.size() > 2 && f[2] != "None" ? " (" + f[2] + ")" : "");
        for (int t : ts) {
            tasks[t] = st;
            listed.insert({job, t});
        }
    }
    // How the others ended: sacct where accounting exists, otherwise nothing
    // (the run folders say the rest).
    std::map<int, std::string> ended;
    if (runProgram({"sacct", "-n", "-P", "-X", "-j", ids, "-o", "JobID,State"}, out, err, code, error) && code == 0)
        for (const std::string& l : lines(out)) {
            const auto f = split(l, '|');
            std::string job;
            std::vector<int> ts;
            parseTaskIds(f[0], job, ts);
            for (int t : ts)
                if (f.size() > 1)
                    ended[t] = f[1];
        }
    error.clear();
    // Later jobs win: a resubmitted point belongs to its newest job.
    for (const std::string& job : jobs)
        for (int t : jobTasks[job]) {
            if (listed.count({job, t}))
                continue;
            bool newer = false;
            for (auto it = std::find(jobs.begin(), jobs.end(), job) + 1; it != jobs.end(); ++it)
                for (int u : jobTasks[*it])
                    newer = newer || u == t;
            if (newer || tasks.count(t))
                continue;
            tasks[t] = {"ended", ended.count(t) ? ended[t] : std::string()};
        }
    return true;
}

bool cancelSlurm(const SweepFolder& sweep, std::string& error)
{
    nlohmann::json backend = sweep.readBackend();
    std::vector<std::string> argv{"scancel"};
    for (const auto& j : backend.value("jobs", nlohmann::json::array()))
        argv.push_back(j.value("job_id", std::string()));
    if (argv.size() == 1) {
        error = "the sweep was never submitted to Slurm";
        return false;
    }
    std::map<int, TaskState> tasks;
    std::string ignored;
    querySlurm(sweep, tasks, ignored);
    const std::vector<PointStatus> status = collectSweepStatus(sweep, tasks);
    std::string out, err;
    int code = 0;
    if (!runProgram(argv, out, err, code, error))
        return false;
    if (code != 0) {
        error = "scancel failed: " + trimmed(err);
        return false;
    }
    std::set<int> cancelled;
    for (const auto& v : backend.value("cancelled", nlohmann::json::array()))
        cancelled.insert(v.get<int>());
    for (const PointStatus& s : status)
        if (s.state == "queued" || s.state == "running")
            cancelled.insert(s.point->index);
    backend["cancelled"] = cancelled;
    return sweep.writeBackend(backend, error);
}

} // namespace qnn
