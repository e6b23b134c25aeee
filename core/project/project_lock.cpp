#include "core/project/project_lock.h"

#include "core/project/project.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace qnn {

std::string ProjectLock::lockPathFor(const std::string& projectPath)
{
    const size_t slash = projectPath.rfind('/');
    const std::string dir = slash == std::string::npos ? std::string() : projectPath.substr(0, slash + 1);
    const std::string name = slash == std::string::npos ? projectPath : projectPath.substr(slash + 1);
    return dir + "." + name + ".lock";
}

bool ProjectLock::acquire(const std::string& projectPath, int timeoutMs, std::string& error)
{
    release();
    const std::string path = lockPathFor(projectPath);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        error = projectPath + ": cannot make the lock file " + path + " (" + std::strerror(errno) +
                "), so the project is not written";
        return false;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR) {
            error = projectPath + ": cannot lock " + path + " (" + std::strerror(errno) + ")";
            ::close(fd);
            return false;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            error = projectPath + ": another program (a qnnw command or a window) has been writing the project for " +
                    std::to_string(timeoutMs / 1000) + " s; nothing was written, try again when it is done";
            ::close(fd);
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    m_fd = fd;
    return true;
}

void ProjectLock::release()
{
    if (m_fd >= 0) {
        ::close(m_fd); // closing the last descriptor releases the flock
        m_fd = -1;
    }
}

bool updateProjectFile(const std::string& projectPath, const std::function<bool(Project&)>& change,
                       std::string& error)
{
    ProjectLock lock;
    if (!lock.acquire(projectPath, kProjectLockTimeoutMs, error))
        return false;
    Project p;
    if (!loadProject(projectPath, p, error))
        return false;
    if (!change(p))
        return true;
    return saveProject(projectPath, p, error);
}

} // namespace qnn
