#pragma once

#include <functional>
#include <string>

namespace qnn {

struct Project;

/** The advisory lock every writer of a project file holds while it reads,
 *  changes and rewrites it: `qnnw train` adding its run to the "runs" list,
 *  `qnnw estimate --save-folding`, and the window's saves. Without it the
 *  last writer wins: a train that read the file before the window saved an
 *  edit wrote the old graph back, and a window that saved after a train
 *  dropped the run from the list.
 *
 *  The lock is flock(2) on a sibling file `.<file name>.lock` (the project
 *  file itself is replaced by rename() on every save, so a lock on it would
 *  guard an inode nobody opens again). The lock file is left in place:
 *  removing it would let two writers lock two different files. Readers take
 *  no lock: saves are atomic. */
class ProjectLock
{
public:
    ProjectLock() = default;
    ~ProjectLock() { release(); }
    ProjectLock(const ProjectLock&) = delete;
    ProjectLock& operator=(const ProjectLock&) = delete;

    /** Waits up to `timeoutMs` for the lock of `projectPath`; false with a
     *  sentence when another program held it all that time, or when the lock
     *  file cannot be made (a read-only folder). */
    bool acquire(const std::string& projectPath, int timeoutMs, std::string& error);
    void release();
    bool held() const { return m_fd >= 0; }

    /** `.<name>.lock` beside the project file. */
    static std::string lockPathFor(const std::string& projectPath);

private:
    int m_fd = -1;
};

/** How long a writer waits for another one to finish (a save takes
 *  milliseconds; this only guards against a stuck process). */
constexpr int kProjectLockTimeoutMs = 10000;

/** Under the lock: loads the file, applies `change`, and saves it again when
 *  `change` returns true. The error names the file. */
bool updateProjectFile(const std::string& projectPath, const std::function<bool(Project&)>& change,
                       std::string& error);

} // namespace qnn
