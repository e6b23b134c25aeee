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

namespace {

std::string folderOf(const std::string& path)
{
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string(".") : slash == 0 ? std::string("/") : path.substr(0, slash);
}

// The file a chain of symbolic links ends at; false when it ends nowhere or loops.
bool resolveLinks(std::string& path, std::string& why)
{
    for (int hops = 0; hops < 40; ++hops) {
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode))
            return true;
        std::vector<char> buffer(4096);
        const ssize_t n = ::readlink(path.c_str(), buffer.data(), buffer.size() - 1);
        if (n < 0) {
            why = "cannot read the link " + path + " (" + std::strerror(errno) + ")";
            return false;
        }
        const std::string target(buffer.data(), size_t(n));
        const std::string next = target.rfind('/', 0) == 0 ? target : folderOf(path) + "/" + target;
        struct stat t {};
        if (::lstat(next.c_str(), &t) != 0 && ::stat(folderOf(next).c_str(), &t) != 0) {
            why = "it is a symbolic link to " + target + ", whose folder does not exist";
            return false;
        }
        path = next;
    }
    why = "it is a loop of symbolic links";
    return false;
}

} // namespace

AtomicFile::AtomicFile(std::string path) : m_path(std::move(path))
{
    // Through a link, deliberately: renaming over the link itself would turn
    // it into a regular file and leave the file it named stale.
    std::string why;
    if (!resolveLinks(m_path, why)) {
        errno = ELOOP;
        m_error = "cannot write " + m_path + ": " + why;
        return;
    }
    // An existing file keeps its permissions (a private 0600 file must not become world-readable).
    struct stat existing {};
    const bool exists = ::stat(m_path.c_str(), &existing) == 0 && S_ISREG(existing.st_mode);
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
    // mkstemp makes 0600; a new saved project should have the usual permissions.
    const mode_t mode = exists ? (existing.st_mode & 07777) : static_cast<mode_t>(0666 & ~currentUmask());
    if (::fchmod(m_fd, mode) != 0) {
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
    // The rename is an entry in the folder: without this it may be lost in a power cut after "saved".
    const int dir = ::open(folderOf(m_path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
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

bool openRegularFile(const std::string& path, int& fd, uint64_t& size, std::string& error)
{
    fd = -1;
    size = 0;
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    const int f = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (f < 0) {
        error = "cannot open " + path + ": " +
                (errno == ELOOP ? std::string("it is a loop of symbolic links") : std::strerror(errno));
        return false;
    }
    struct stat st {};
    if (::fstat(f, &st) != 0) {
        error = "cannot open " + path + ": " + std::strerror(errno);
        ::close(f);
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        error = "cannot open " + path + ": " +
                (S_ISDIR(st.st_mode) ? std::string("it is a folder, not a file")
                                     : std::string("it is not a regular file (a device, a FIFO or a socket)"));
        ::close(f);
        return false;
    }
    // Back to blocking reads: a regular file never blocks, and EAGAIN would only confuse the reader.
    ::fcntl(f, F_SETFL, ::fcntl(f, F_GETFL) & ~O_NONBLOCK);
    fd = f;
    size = static_cast<uint64_t>(st.st_size);
    return true;
}

bool readFile(const std::string& path, std::string& out, std::string& error, uint64_t maxBytes)
{
    int fd = -1;
    uint64_t size = 0;
    if (!openRegularFile(path, fd, size, error))
        return false;
    if (size > maxBytes) {
        ::close(fd);
        error = "refused to read " + path + ": it has " + std::to_string(size) + " bytes, more than the " +
                std::to_string(maxBytes) + " such a file may have";
        return false;
    }
    std::string data;
    data.resize(size_t(size));
    size_t at = 0;
    while (at < data.size()) {
        const ssize_t n = ::read(fd, &data[at], data.size() - at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            error = "cannot read " + path + ": " + std::strerror(errno);
            ::close(fd);
            return false;
        }
        if (n == 0)
            break; // it shrank while we read: keep what is there
        at += size_t(n);
    }
    data.resize(at);
    ::close(fd);
    out = std::move(data);
    return true;
}

} // namespace qnn
