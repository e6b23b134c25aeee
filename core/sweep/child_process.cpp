#include "core/sweep/child_process.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace qnn {

namespace {

std::vector<char*> cArgs(const std::vector<std::string>& argv)
{
    std::vector<char*> out;
    for (const std::string& a : argv)
        out.push_back(const_cast<char*>(a.c_str()));
    out.push_back(nullptr);
    return out;
}

int exitCodeOf(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

} // namespace

bool runProgram(const std::vector<std::string>& argv, std::string& out, std::string& err, int& exitCode,
                std::string& error)
{
    out.clear();
    err.clear();
    int o[2], e[2];
    if (argv.empty() || ::pipe(o) != 0) {
        error = "cannot start a program: no pipe";
        return false;
    }
    if (::pipe(e) != 0) {
        ::close(o[0]);
        ::close(o[1]);
        error = "cannot start a program: no pipe";
        return false;
    }
    const auto args = cArgs(argv);
    const pid_t pid = ::fork();
    if (pid < 0) {
        error = "cannot start " + argv[0] + ": " + std::strerror(errno);
        return false;
    }
    if (pid == 0) {
        const int in = ::open("/dev/null", O_RDONLY);
        ::dup2(in, 0);
        ::dup2(o[1], 1);
        ::dup2(e[1], 2);
        ::close(o[0]);
        ::close(e[0]);
        ::execvp(args[0], args.data());
        const std::string msg = argv[0] + ": " + std::strerror(errno) + "\n";
        ssize_t ignored = ::write(2, msg.data(), msg.size());
        (void)ignored;
        ::_exit(127);
    }
    ::close(o[1]);
    ::close(e[1]);
    pollfd fds[2] = {{o[0], POLLIN, 0}, {e[0], POLLIN, 0}};
    int open = 2;
    char buf[4096];
    while (open > 0) {
        if (::poll(fds, 2, -1) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                (i == 0 ? out : err).append(buf, static_cast<size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open;
            }
        }
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    exitCode = exitCodeOf(status);
    if (exitCode == 127 && err.find(std::strerror(ENOENT)) != std::string::npos) {
        error = argv[0] + " is not installed or not on PATH";
        return false;
    }
    return true;
}

int spawnProgram(const std::vector<std::string>& argv, const std::string& logPath, std::string& error)
{
    if (argv.empty()) {
        error = "nothing to start";
        return -1;
    }
    const auto args = cArgs(argv);
    const pid_t pid = ::fork();
    if (pid < 0) {
        error = "cannot start " + argv[0] + ": " + std::strerror(errno);
        return -1;
    }
    if (pid == 0) {
        ::setpgid(0, 0);
        const int in = ::open("/dev/null", O_RDONLY);
        ::dup2(in, 0);
        if (!logPath.empty()) {
            const int log = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (log >= 0) {
                ::dup2(log, 1);
                ::dup2(log, 2);
            }
        }
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    ::setpgid(pid, pid);
    return pid;
}

std::string selfExecutable()
{
    char buf[4096];
    const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

} // namespace qnn
