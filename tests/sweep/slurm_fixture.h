#pragma once

// A real single-node Slurm for tests, from Debian's slurm-wlm and munge: a
// munged with its own key, socket, pid, log and seed files, and a slurmctld
// and slurmd whose slurm.conf names that socket (AuthInfo=socket=...), uses
// free ports on 127.0.0.1 and keeps every file in a temporary folder. The
// processes daemonize and are stopped by the pids in their pid files.
#include "support/sshd_fixture.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QThread>

#include <pwd.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <vector>

class SlurmFixture
{
public:
    ~SlurmFixture() { stop(); }

    /** Empty when the Slurm and munge daemons are installed; else why not. */
    static QString missing()
    {
        for (const char* p : {"/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch",
                              "/usr/bin/squeue", "/usr/bin/scancel"})
            if (!QFile::exists(p))
                return QString("%1 is missing: install slurm-wlm and munge (scripts/install-deps.sh) to run the "
                               "Slurm sweep tests")
                    .arg(p);
        return {};
    }

    bool start(QString& error)
    {
        const QString d = m_dir.path();
        QDir(d).mkpath("state");
        QDir(d).mkpath("spool");
        QFile key(d + "/munge.key");
        key.open(QIODevice::WriteOnly);
        QFile random("/dev/urandom");
        random.open(QIODevice::ReadOnly);
        key.write(random.read(1024));
        key.close();
        QFile::setPermissions(d + "/munge.key", QFile::ReadOwner | QFile::WriteOwner);
        if (!run("/usr/sbin/munged", {"--force", "--key-file=" + d + "/munge.key", "-S", d + "/munge.sock",
                                      "--pid-file=" + d + "/munged.pid", "--log-file=" + d + "/munged.log",
                                      "--seed-file=" + d + "/munge.seed"},
                 error))
            return false;
        const QString user = QString::fromLocal8Bit(::getpwuid(::geteuid())->pw_name);
        const long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
        QFile conf(d + "/slurm.conf");
        conf.open(QIODevice::WriteOnly);
        conf.write(QString("ClusterName=qnnwtest\n"
                           "SlurmctldHost=%6(127.0.0.1)\n"
                           "SlurmctldPort=%1\n"
                           "SlurmdPort=%2\n"
                           "AuthType=auth/munge\n"
                           "CredType=cred/munge\n"
                           "AuthInfo=socket=%3/munge.sock\n"
                           "SlurmUser=%4\n"
                           "SlurmdUser=%4\n"
                           "StateSaveLocation=%3/state\n"
                           "SlurmdSpoolDir=%3/spool\n"
                           "SlurmctldPidFile=%3/slurmctld.pid\n"
                           "SlurmdPidFile=%3/slurmd.pid\n"
                           "SlurmctldLogFile=%3/slurmctld.log\n"
                           "SlurmdLogFile=%3/slurmd.log\n"
                           "ProctrackType=proctrack/linuxproc\n"
                           "TaskPlugin=task/none\n"
                           "SelectType=select/cons_tres\n"
                           "SelectTypeParameters=CR_Core\n"
                           "AccountingStorageType=accounting_storage/none\n"
                           "JobCompType=jobcomp/none\n"
                           "JobAcctGatherType=jobacct_gather/none\n"
                           "MpiDefault=none\n"
                           "ReturnToService=2\n"
                           "SchedulerParameters=sched_interval=1\n"
                           "KillWait=5\n"
                           "MessageTimeout=10\n"
                           "NodeName=qnnwnode NodeHostname=%6 NodeAddr=127.0.0.1 CPUs=%5 RealMemory=1000 "
                           "State=UNKNOWN\n"
                           "PartitionName=test Nodes=qnnwnode Default=YES MaxTime=INFINITE State=UP\n")
                       .arg(SshdFixture::freePort())
                       .arg(SshdFixture::freePort())
                       .arg(d, user)
                       .arg(cpus)
                       .arg(QString::fromLocal8Bit(hostname()))
                       .toUtf8());
        conf.close();
        m_env = QProcessEnvironment::systemEnvironment();
        m_env.insert("SLURM_CONF", d + "/slurm.conf");
        if (!run("/usr/sbin/slurmctld", {}, error) || !run("/usr/sbin/slurmd", {"-N", "qnnwnode"}, error))
            return false;
        // Up when the node is idle.
        const auto begin = std::chrono::steady_clock::now();
        while (std::chrono::steady_clock::now() - begin < std::chrono::seconds(30)) {
            QProcess p;
            p.setProcessEnvironment(m_env);
            p.start("sinfo", {"-h", "-o", "%t"});
            p.waitForFinished(10000);
            if (p.readAllStandardOutput().trimmed() == "idle")
                return true;
            QThread::msleep(200);
        }
        error = "the Slurm node did not become idle in 30 s:\n" + log("slurmctld.log") + log("slurmd.log");
        return false;
    }

    void stop()
    {
        // Every daemon is told at once and then waited for together: one
        // after the other, their shutdowns added up to seconds per test run.
        std::vector<pid_t> pids;
        for (const char* name : {"slurmd.pid", "slurmctld.pid", "munged.pid"}) {
            QFile f(m_dir.path() + "/" + name);
            if (!f.open(QIODevice::ReadOnly))
                continue;
            const pid_t pid = static_cast<pid_t>(f.readAll().trimmed().toLongLong());
            f.close();
            QFile::remove(f.fileName());
            if (pid > 0 && ::kill(pid, SIGTERM) == 0)
                pids.push_back(pid);
        }
        for (int i = 0; i < 200; ++i) {
            bool alive = false;
            for (pid_t pid : pids)
                alive = alive || ::kill(pid, 0) == 0;
            if (!alive)
                return;
            QThread::msleep(25);
        }
        for (pid_t pid : pids) // still there after 5 s: these pids are ours alone
            ::kill(pid, SIGKILL);
    }

    /** The environment every Slurm command needs: SLURM_CONF pointing at this cluster. */
    const QProcessEnvironment& env() const { return m_env; }
    QString confPath() const { return m_dir.path() + "/slurm.conf"; }
    QString log(const QString& name) const
    {
        QFile f(m_dir.path() + "/" + name);
        f.open(QIODevice::ReadOnly);
        return QString::fromUtf8(f.readAll().right(4000));
    }

private:
    static QByteArray hostname()
    {
        char h[256] = {};
        ::gethostname(h, sizeof h - 1);
        return QByteArray(h).split('.').first();
    }

    bool run(const QString& program, const QStringList& args, QString& error)
    {
        QProcess p;
        p.setProcessEnvironment(m_env.isEmpty() ? QProcessEnvironment::systemEnvironment() : m_env);
        p.start(program, args);
        if (!p.waitForFinished(20000) || p.exitCode() != 0) {
            error = program + " did not start: " + QString::fromUtf8(p.readAllStandardError());
            return false;
        }
        return true;
    }

    QTemporaryDir m_dir;
    QProcessEnvironment m_env;
};
