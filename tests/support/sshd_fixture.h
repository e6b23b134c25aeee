#pragma once

// A real OpenSSH server for tests: /usr/sbin/sshd started unprivileged-style
// on 127.0.0.1 on a free port, with its own host key, sshd_config and
// authorized key in a temporary folder; stopped when the fixture goes.
#include "core/deploy/board_config.h"
#include "tests/support/free_port.h"

#include <QDir>
#include <QFile>
#include <QMap>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <QThread>

#include <arpa/inet.h>
#include <csignal>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>

/** The whole file, or "" when it cannot be read (the comparison that follows then fails). */
inline std::string fileBytes(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll().toStdString() : std::string();
}

class SshdFixture
{
public:
    ~SshdFixture() { stop(); }

    /** A TCP port on 127.0.0.1 that nothing listens on right now. */
    static int freePort() { return qnn::test::freeLoopbackPort(); }

    static bool keygen(const QString& path, QString& error)
    {
        QFile::remove(path);
        QFile::remove(path + ".pub");
        QProcess p;
        p.start("ssh-keygen", {"-q", "-t", "ed25519", "-N", "", "-C", "qnnw-test", "-f", path});
        if (!p.waitForFinished(20000) || p.exitCode() != 0) {
            error = "ssh-keygen failed: " + QString::fromUtf8(p.readAllStandardError());
            return false;
        }
        return true;
    }

    /** SHA256:... of a public key file, as ssh-keygen -l prints it. */
    static QString fingerprint(const QString& pubKey)
    {
        QProcess p;
        p.start("ssh-keygen", {"-l", "-E", "sha256", "-f", pubKey});
        p.waitForFinished(20000);
        return QString::fromUtf8(p.readAllStandardOutput()).section(' ', 1, 1);
    }

    bool start(QString& error)
    {
        if (!m_dir.isValid()) {
            error = "no temporary folder";
            return false;
        }
        // sshd started by root needs its privilege-separation folder (systemd
        // creates it on a normal system); as any other user it needs nothing.
        if (::geteuid() == 0 && !QDir("/run/sshd").exists())
            ::mkdir("/run/sshd", 0755);
        const QString d = m_dir.path();
        if (!keygen(d + "/host_key", error) || !keygen(d + "/client_key", error) ||
            !keygen(d + "/other_key", error))
            return false;
        QFile::copy(d + "/client_key.pub", d + "/authorized_keys");
        QDir(d).mkpath("board");
        QDir(d).mkpath("site");
        QDir(d).mkpath("home");
        return launch(error);
    }

    /** Restarts the server with a newly generated host key (a "changed key"). */
    bool changeHostKey(QString& error)
    {
        stop();
        return keygen(path("host_key"), error) && launch(error);
    }

    /** Restarts the server with the same port and host key. */
    bool restart(QString& error)
    {
        stop();
        return launch(error);
    }

    /** Cuts every open connection the way a dropped link does, from the
     *  server's side: each session process sshd forked is killed. With
     *  `andListener` the server stops too, so no new connection opens
     *  (a board that went off the network) until restart(). */
    void dropConnections(bool andListener)
    {
        const qint64 root = m_sshd.processId();
        if (root <= 0)
            return;
        if (andListener) {
            ::kill(pid_t(root), SIGSTOP); // forks no new session while its children go
        }
        // Every descendant of the listener, found through /proc's parent ids.
        QMap<qint64, qint64> parentOf;
        for (const QString& entry : QDir("/proc").entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            bool number = false;
            const qint64 pid = entry.toLongLong(&number);
            if (!number)
                continue;
            QFile stat("/proc/" + entry + "/stat");
            if (!stat.open(QIODevice::ReadOnly))
                continue;
            const QByteArray text = stat.readAll();
            const int paren = text.lastIndexOf(')');
            const QList<QByteArray> fields = text.mid(paren + 2).split(' ');
            if (fields.size() > 1)
                parentOf[pid] = fields[1].toLongLong();
        }
        for (auto it = parentOf.constBegin(); it != parentOf.constEnd(); ++it) {
            qint64 p = it.value();
            for (int depth = 0; depth < 8 && p > 1 && p != root; ++depth)
                p = parentOf.value(p, 0);
            if (p == root)
                ::kill(pid_t(it.key()), SIGKILL);
        }
        if (andListener) {
            m_sshd.kill();
            m_sshd.waitForFinished(5000);
        }
    }

    void stop()
    {
        if (m_sshd.state() != QProcess::NotRunning) {
            m_sshd.terminate();
            if (!m_sshd.waitForFinished(5000))
                m_sshd.kill();
            m_sshd.waitForFinished(5000);
        }
    }

    int port() const { return m_port; }
    /** The PATH of the board's commands (before start()); empty: sshd's default.
     *  A folder without tar in it makes a board that has no tar. */
    void setBoardPath(const QString& path) { m_boardPath = path; }
    QString path(const QString& name) const { return m_dir.path() + "/" + name; }
    /** A board that logs in to this sshd as the current user with the test's
     *  client key, and deploys into board/. */
    qnn::deploy::BoardConfig loopbackBoard(const std::string& name) const
    {
        qnn::deploy::BoardConfig b;
        b.name = name;
        b.kind = "pynq-z1";
        b.host = "127.0.0.1";
        b.port = m_port;
        b.user = qEnvironmentVariable("USER", "root").toStdString();
        b.keyPath = path("client_key").toStdString();
        b.remoteDir = path("board").toStdString();
        return b;
    }
    QString log() { return QString::fromUtf8(m_sshd.readAllStandardError()); }

private:
    bool launch(QString& error)
    {
        if (!m_port)
            m_port = freePort(); // a restart keeps its port: same host, new key
        const QString d = m_dir.path();
        QFile config(d + "/sshd_config");
        config.open(QIODevice::WriteOnly | QIODevice::Truncate);
        config.write(QString("Port %1\n"
                             "ListenAddress 127.0.0.1\n"
                             "HostKey %2/host_key\n"
                             "PidFile %2/sshd.pid\n"
                             "AuthorizedKeysFile %2/authorized_keys\n"
                             "StrictModes no\n"
                             "PermitRootLogin yes\n"
                             "PubkeyAuthentication yes\n"
                             "PasswordAuthentication yes\n"
                             "KbdInteractiveAuthentication no\n"
                             "UsePAM no\n"
                             // A home of its own: the test user's real ~/.bashrc (sourced by
                             // bash for every ssh command) may take seconds on a busy machine.
                             "SetEnv HOME=%2/home PYTHONPATH=%2/site%3\n"
                             "Subsystem sftp internal-sftp\n"
                             "LogLevel ERROR\n")
                         .arg(m_port)
                         .arg(d)
                         .arg(m_boardPath.isEmpty() ? QString() : " PATH=" + m_boardPath)
                         .toUtf8());
        config.close();
        m_sshd.start("/usr/sbin/sshd", {"-D", "-e", "-f", d + "/sshd_config"});
        if (!m_sshd.waitForStarted(5000)) {
            error = "cannot start /usr/sbin/sshd";
            return false;
        }
        // Ready when the port accepts a connection.
        const auto start = std::chrono::steady_clock::now();
        while (std::chrono::steady_clock::now() - start < std::chrono::seconds(10)) {
            int s = ::socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in a{};
            a.sin_family = AF_INET;
            a.sin_port = htons(static_cast<uint16_t>(m_port));
            a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            const bool up = ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
            ::close(s);
            if (up)
                return true;
            if (m_sshd.state() == QProcess::NotRunning) {
                error = "sshd exited: " + QString::fromUtf8(m_sshd.readAllStandardError());
                return false;
            }
            QThread::msleep(20);
        }
        error = "sshd did not listen on port " + QString::number(m_port);
        return false;
    }

    QTemporaryDir m_dir;
    QProcess m_sshd;
    int m_port = 0;
    QString m_boardPath;
};
