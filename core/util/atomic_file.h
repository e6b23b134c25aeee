#pragma once

#include <string>

namespace qnn {

/** Writes a file so that readers see either the old bytes or the new ones,
 *  never a mix: data goes to a temporary file beside the target, is flushed
 *  to disk, and replaces the target by rename() only in commit(). Destroyed
 *  without commit() (an error, an exception, a crash), it removes the
 *  temporary file and the old file stays as it was. */
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

/** Whole file into `out`; false with a sentence naming the file otherwise. */
bool readFile(const std::string& path, std::string& out, std::string& error);

} // namespace qnn
