// bench_sweep: 12 synthetic points (1 epoch, 400 images, 1 thread each) on
// the local backend (2 at once) and through a single-node Slurm started here
// (2 CPUs, so 2 at once too), the wall time of each and their ratio; and the
// cost of polling an idle sweep (12 held tasks): CPU seconds of one
// `qnnw sweep status` with its squeue/sacct children, and per minute at the
// --wait default of one poll every 10 s. One JSON line.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <pwd.h>
#include <random>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

std::string g_dir;

int sh(const std::string& command)
{
    const int s = std::system(command.c_str());
    return WIFEXITED(s) ? WEXITSTATUS(s) : -1;
}

double seconds(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

double childCpu()
{
    rusage u{};
    getrusage(RUSAGE_CHILDREN, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

int freePort()
{
    static std::mt19937 rng(static_cast<unsigned>(::getpid()));
    return 20000 + static_cast<int>(rng() % 20000);
}

bool startSlurm()
{
    const std::string d = g_dir + "/slurm";
    fs::create_directories(d + "/state");
    fs::create_directories(d + "/spool");
    sh("head -c 1024 /dev/urandom > " + d + "/munge.key && chmod 600 " + d + "/munge.key");
    if (sh("/usr/sbin/munged --force --key-file=" + d + "/munge.key -S " + d + "/munge.sock --pid-file=" + d +
           "/munged.pid --log-file=" + d + "/munged.log --seed-file=" + d + "/munge.seed") != 0)
        return false;
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    std::string h(host);
    h = h.substr(0, h.find('.'));
    const std::string user = ::getpwuid(::geteuid())->pw_name;
    std::ofstream c(d + "/slurm.conf");
    c << "ClusterName=qnnwbench\nSlurmctldHost=" << h << "(127.0.0.1)\nSlurmctldPort=" << freePort()
      << "\nSlurmdPort=" << freePort() << "\nAuthType=auth/munge\nCredType=cred/munge\nAuthInfo=socket=" << d
      << "/munge.sock\nSlurmUser=" << user << "\nSlurmdUser=" << user << "\nStateSaveLocation="
      << d << "/state\nSlurmdSpoolDir=" << d << "/spool\nSlurmctldPidFile=" << d << "/slurmctld.pid\nSlurmdPidFile="
      << d << "/slurmd.pid\nSlurmctldLogFile=" << d << "/slurmctld.log\nSlurmdLogFile=" << d
      << "/slurmd.log\nProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\nSelectType=select/cons_tres\n"
         "SelectTypeParameters=CR_Core\nAccountingStorageType=accounting_storage/none\nJobCompType=jobcomp/none\n"
         "JobAcctGatherType=jobacct_gather/none\nMpiDefault=none\nReturnToService=2\n"
         "SchedulerParameters=sched_interval=1\nKillWait=5\nNodeName=benchnode NodeHostname="
      << h << " NodeAddr=127.0.0.1 CPUs=" << sysconf(_SC_NPROCESSORS_ONLN)
      << " RealMemory=1000 State=UNKNOWN\nPartitionName=bench Nodes=benchnode Default=YES MaxTime=INFINITE State=UP\n";
    c.close();
    ::setenv("SLURM_CONF", (d + "/slurm.conf").c_str(), 1);
    if (sh("/usr/sbin/slurmctld") != 0 || sh("/usr/sbin/slurmd -N benchnode") != 0)
        return false;
    for (int i = 0; i < 150; ++i) {
        if (sh("test \"$(sinfo -h -o %t)\" = idle") == 0)
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
}

void stopSlurm()
{
    for (const char* f : {"slurmd.pid", "slurmctld.pid", "munged.pid"})
        sh("test -f " + g_dir + "/slurm/" + f + " && kill $(cat " + g_dir + "/slurm/" + f + ") 2>/dev/null");
    std::this_thread::sleep_for(std::chrono::seconds(1));
}

} // namespace

int main()
{
    char tmpl[] = "/tmp/bench_sweep-XXXXXX";
    g_dir = ::mkdtemp(tmpl);
    const std::string qnnw = QNN_BIN_DIR "/qnnw";
    const std::string project = g_dir + "/p.qnnproj";
    fs::copy_file(QNN_SOURCE_DIR "/projects/synthetic-digits-w1a1.qnnproj", project);
    const std::string grid = " --grid precision=W1A1,W2A2 --grid 'dense*.units=16,24,32' --grid lr=0.001,0.002"
                             " --epochs 1 --train-limit 400 --threads 1";
    nlohmann::json out{{"bench", "sweep"}, {"points", 12}};

    auto t = std::chrono::steady_clock::now();
    const int localCode = sh(qnnw + " sweep " + project + grid + " --jobs 2 --name local > /dev/null 2>&1");
    out["local_s"] = seconds(t);
    out["local_ok"] = localCode == 0;

    if (!fs::exists("/usr/sbin/slurmctld") || !fs::exists("/usr/sbin/munged")) {
        out["slurm"] = "skipped: slurm-wlm and munge are not installed";
    } else if (!startSlurm()) {
        out["slurm"] = "skipped: the single-node Slurm did not start";
        stopSlurm();
    } else {
        t = std::chrono::steady_clock::now();
        const int code = sh(qnnw + " sweep " + project + grid +
                            " --backend slurm --wait --poll 1 --name slurm > /dev/null 2>&1");
        out["slurm_s"] = seconds(t);
        out["slurm_ok"] = code == 0;
        out["slurm_over_local"] = out["slurm_s"].get<double>() / out["local_s"].get<double>();
        // An idle sweep: 12 tasks held in the queue, polled as --wait polls.
        sh(qnnw + " sweep " + project + grid + " --backend slurm --sbatch-arg=--hold --name idle > /dev/null 2>&1");
        const int polls = 20;
        const double before = childCpu();
        t = std::chrono::steady_clock::now();
        for (int i = 0; i < polls; ++i)
            sh(qnnw + " sweep status " + g_dir + "/sweeps/idle --json > /dev/null 2>&1");
        const double perPoll = (childCpu() - before) / polls;
        out["poll_cpu_s"] = perPoll;
        out["poll_wall_s"] = seconds(t) / polls;
        out["idle_cpu_s_per_min_at_10s_poll"] = perPoll * 6;
        sh(qnnw + " sweep cancel " + g_dir + "/sweeps/idle > /dev/null 2>&1");
        stopSlurm();
    }
    fs::remove_all(g_dir);
    std::printf("%s\n", out.dump().c_str());
    return 0;
}
