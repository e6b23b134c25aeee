#include "core/util/atomic_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace qnn {

AtomicFile::AtomicFile(std::string path) : m_path(std::move(path))
{
    // The temporary file must be in the target's directory: rename() is only atomic within one file system.
    std::string pattern = m_path + ".tmp-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    m_fd = ::mkstemp(buf.data());
    if (m_fd < 0) {
        fail("cannot create a file next to it");
        return;
    }
    m_tempPath = buf.data();
    // mkstemp makes 0600; a saved project should have the usual permissions.
    if (::fchmod(m_fd, static_cast<mode_t>(0666 & ~currentUmask())) != 0) {
        fail("cannot set its permissions");
        ::close(m_fd);
        m_fd = -1;
    }
}

unsigned AtomicFile::currentUmask()
{
    // umask() can only be read by setting it, and it is process-wide: a file
    // created on another thread in between would get open permissions. Linux
    // shows it in /proc instead; elsewhere assume the usual 022.
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("Umask:", 0) == 0)
            return static_cast<unsigned>(std::stoul(line.substr(6), nullptr, 8) & 0777);
    return 022;
}

AtomicFile::~AtomicFile()
{
    if (m_fd >= 0)
        ::close(m_fd);
    if (!m_committed && !m_tempPath.empty())
        ::unlink(m_tempPath.c_str());
}

void AtomicFile::fail(const std::string& what)
{
    if (m_error.empty())
        m_error = "cannot write " + m_path + ": " + what + " (" + std::strerror(errno) + ")";
}

bool AtomicFile::write(const std::string& bytes)
{
    if (m_fd < 0)
        return false;
    const char* p = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(m_fd, p, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fail("writing failed");
            return false;
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
    return true;
}

bool AtomicFile::commit()
{
    if (m_tempPath.empty() || !m_error.empty())
        return false;
    if (m_fd >= 0) {
        if (::fsync(m_fd) != 0) {
            fail("flushing to disk failed");
            return false;
        }
        ::close(m_fd);
        m_fd = -1;
    }
    if (::rename(m_tempPath.c_str(), m_path.c_str()) != 0) {
        fail("cannot replace the file");
        return false;
    }
    m_committed = true;
    return true;
}

bool writeFileAtomic(const std::string& path, const std::string& bytes, std::string& error)
{
    AtomicFile f(path);
    if (f.write(bytes) && f.commit())
        return true;
    error = f.error();
    return false;
}

bool readFile(const std::string& path, std::string& out, std::string& error)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        error = "cannot open " + path + ": " + std::strerror(errno);
        return false;
    }
    if (S_ISDIR(st.st_mode)) {
        error = "cannot open " + path + ": it is a folder, not a file";
        return false;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot open " + path + ": " + std::strerror(errno);
        return false;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return true;
}

} // namespace qnn
