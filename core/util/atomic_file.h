#pragma once

#include <cstdint>
#include <string>

namespace qnn {

/** Writes a file so that readers see either the old bytes or the new ones,
 *  never a mix: data goes to a temporary file beside the target, is flushed
 *  to disk, and replaces the target by rename() only in commit(), after
 *  which the folder is flushed too (so the rename survives a power cut).
 *  Destroyed without commit() (an error, an exception, a crash), it removes
 *  the temporary file and the old file stays as it was.
 *
 *  An existing target keeps its permission bits (a 0600 file stays 0600); a
 *  new one gets 0666 & ~umask. A target that is a symbolic link is written
 *  through: the file the link points to is replaced and the link stays (a
 *  link that points nowhere, or a loop of links, is an error). */
class AtomicFile
{
public:
    explicit AtomicFile(std::string path);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    /** False (see error()) when the temporary file could not be created. */
    bool isOpen() const { return m_fd >= 0; }
    bool write(const std::string& bytes);
    /** Where the data goes before commit(); for writers that need a path (torch::save). */
    const std::string& tempPath() const { return m_tempPath; }
    /** Flushes and renames over the target. */
    bool commit();
    const std::string& error() const { return m_error; }

    /** The process's umask, read without changing it (umask() would, for every thread). */
    static unsigned currentUmask();

private:
    void fail(const std::string& what);

    std::string m_path;
    std::string m_tempPath;
    std::string m_error;
    int m_fd = -1;
    bool m_committed = false;
};

/** One-shot form of AtomicFile. */
bool writeFileAtomic(const std::string& path, const std::string& bytes, std::string& error);

/** Most bytes readFile reads unless told otherwise. */
constexpr uint64_t kDefaultReadLimit = uint64_t(1) << 30;

/** Whole file into `out`; false with a sentence naming the file otherwise.
 *  Only regular files are read (a FIFO, /dev/zero or a folder is refused
 *  before anything is read, so nothing hangs), and a file larger than
 *  `maxBytes` is refused before it is read. */
bool readFile(const std::string& path, std::string& out, std::string& error,
              uint64_t maxBytes = kDefaultReadLimit);

/** Opens a regular file for reading (O_NONBLOCK, so a FIFO cannot block
 *  the open) and gives its size; false with a sentence otherwise. */
bool openRegularFile(const std::string& path, int& fd, uint64_t& size, std::string& error);

} // namespace qnn
