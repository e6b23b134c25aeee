#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace qnn::deploy {

/** What `board test` prints about a board. Empty strings mean "absent". */
struct BoardInfo {
    /** user@host:port, or the folder of a local board. */
    std::string address;
    /** "SHA256:..." of the host key (SSH boards). */
    std::string hostKeyFingerprint;
    std::string hostKeyType;
    /** "Python 3.6.5"; empty when the board has no python3. */
    std::string python;
    /** Where `import bnn` finds the package; empty when it is missing. */
    std::string bnn;
    /** Path of a qnnw on the board; empty when there is none. */
    std::string qnnw;
    /** Free bytes in the board's deploy folder; -1 when unknown. */
    int64_t freeBytes = -1;
};

/** What the board's `current` link points to, and what ran there. */
struct CurrentDeployment {
    bool present = false;
    /** deployments/<time>-<run> */
    std::string folder;
    std::string run;
    std::string time;
    /** The board's accuracy when it last ran; negative when unknown. */
    double accuracy = -1;
};

/** One file to upload: local path and path inside the deployment folder. */
struct UploadItem {
    std::string localPath;
    std::string remotePath;
    /** Created with mode 0755 (qnn-run) instead of 0644. */
    bool executable = false;
};

/** A host key the user has to decide on (first contact) or that changed. */
struct HostKeyProblem {
    /** "unknown" or "changed"; empty when there is none. */
    std::string kind;
    std::string host;
    std::string keyType;
    std::string fingerprint;
    std::string knownHostsFile;
};

/** Bytes done and bytes in all of an upload. */
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

/** A place a packed model can be deployed to and run: a PYNQ board over SSH,
 *  a folder on this machine, an XRT device. Every step returns false with a
 *  sentence in `error` when it fails, is cancelled (see setCancelFlag) or
 *  runs past its timeout; it never throws for a board's fault.
 *
 *  Layout on every board, under its folder: `deployments/<name>/` (one per
 *  deploy, never modified after verification) and `current`, a symbolic link
 *  to one of them, replaced only by rename() so that it always points to a
 *  whole, verified deployment. */
class Board
{
public:
    virtual ~Board() = default;

    virtual bool connect(std::string& error) = 0;
    virtual bool describe(BoardInfo& info, std::string& error) = 0;
    /** The board's CPU as `uname -m` names it ("aarch64", "armv7l"), for the
     *  qnn-run build to upload; empty (and true) for a board that runs a
     *  deployment in this process and needs none. */
    virtual bool machine(std::string& unameM, std::string& error)
    {
        (void)error;
        unameM.clear();
        return true;
    }
    /** False with a sentence when this kind of board cannot run a deployment
     *  at all; checked before anything is packed or uploaded. */
    virtual bool canDeploy(std::string& why) const
    {
        (void)why;
        return true;
    }
    /** Creates deployments/<deployment>/ (it must not exist: an existing
     *  folder is never touched) and copies the files into it. Refuses a
     *  deployment name or a file path that could leave the folder (see
     *  isSafeDeploymentName, isSafeDeploymentPath) before it touches the board.
     *  A folder this call created and could not fill is removed again. */
    bool upload(const std::string& deployment, const std::vector<UploadItem>& files, const ProgressFn& progress,
                std::string& error);
    /** SHA-256 of each file of the deployment, computed on the board. */
    virtual bool checksums(const std::string& deployment, const std::vector<std::string>& files,
                           std::map<std::string, std::string>& sha256, std::string& error) = 0;
    /** Points `current` at the deployment atomically (temporary link, then rename). */
    virtual bool switchCurrent(const std::string& deployment, std::string& error) = 0;
    /** Runs the deployment's runner; `resultLine` is the JSON line it printed. */
    virtual bool run(const std::string& deployment, std::string& resultLine, std::string& error) = 0;
    virtual bool current(CurrentDeployment& out, std::string& error) = 0;
    /** Best effort: removes a deployment that failed before it became current,
     *  but only one that upload() on this object created; any other name
     *  (an older deployment, the live one) is left alone and false returned. */
    bool removeDeployment(const std::string& deployment);
    virtual void disconnect() = 0;
    /** user@host:port, or the board's folder: for messages. */
    virtual std::string address() const = 0;

    /** Folders the last upload() found left half-uploaded by an earlier
     *  deploy (its connection dropped, or it was killed) and removed first. */
    const std::vector<std::string>& removedAbandoned() const { return m_removedAbandoned; }

    /** Compares checksums() with `expected` (file → hex); the error names
     *  every file that differs or is missing. When every file matches and
     *  upload() on this object created the deployment, its upload marker is
     *  removed: from then on the folder is a whole, verified deployment. */
    bool verify(const std::string& deployment, const std::map<std::string, std::string>& expected,
                std::string& error);

    /** Steps poll this flag and stop with "cancelled" when it is set. */
    void setCancelFlag(const std::atomic<bool>* flag) { m_cancel = flag; }
    /** Limit of one step (upload, verify, run, ...) in milliseconds. */
    void setStepTimeoutMs(int ms) { m_stepTimeoutMs = ms; }
    int stepTimeoutMs() const { return m_stepTimeoutMs; }

protected:
    bool cancelled() const { return m_cancel && m_cancel->load(); }
    /** Copies the files into deployments/<deployment>/, which the
     *  implementation creates atomically (mkdir, never mkdir -p on it); it
     *  calls noteCreated() as soon as the folder is its own. */
    virtual bool uploadFiles(const std::string& deployment, const std::vector<UploadItem>& files,
                             const ProgressFn& progress, std::string& error) = 0;
    /** Removes deployments/<deployment>/ and everything in it. */
    virtual void removeDeploymentFolder(const std::string& deployment) = 0;
    void noteCreated(const std::string& deployment) { m_created.insert(deployment); }

    /** An upload keeps this file in its new folder until every file is
     *  there and verify() found each one whole: a folder with it is never a
     *  deployment. It holds the seconds after which its deploy has certainly
     *  moved past verification (abandonAfterSeconds()): a folder whose marker
     *  is older was cut off (a connection that dropped mid-upload or between
     *  the upload and the checksum check and could not be reopened to clean
     *  up, a killed qnnw) and is removed by the next upload to the board.
     *  uploadFiles() writes it when it creates the folder and writes it again
     *  (a fresh time) when the last file is there, for the verification. */
    static constexpr const char* kUploadMarker = ".uploading";
    /** Twice the step limit, plus a second: an upload, and then the checksum
     *  check, each stop at the step limit. */
    int abandonAfterSeconds() const { return 2 * ((m_stepTimeoutMs + 999) / 1000) + 1; }
    /** Removes the upload marker of a deployment whose files were verified. */
    virtual bool removeUploadMarker(const std::string& deployment, std::string& error) = 0;
    /** Removes the deployments/ folders whose upload marker is older than the
     *  limit written in it, never the one `current` names; their names. */
    virtual std::vector<std::string> removeAbandonedUploads() { return {}; }

private:
    const std::atomic<bool>* m_cancel = nullptr;
    std::set<std::string> m_created;
    std::vector<std::string> m_removedAbandoned;
    int m_stepTimeoutMs = 300000;
};

/** A name that can be a folder under deployments/: not empty, no '/', no
 *  '\\', not "." or "..", no control characters, not starting with '-' or '.'. */
bool isSafeDeploymentName(const std::string& name);

/** A relative path inside a deployment: one or more safe names joined by
 *  '/' (no absolute path, no "..", no empty component). */
bool isSafeDeploymentPath(const std::string& path);

} // namespace qnn::deploy
