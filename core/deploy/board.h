#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
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
    /** Creates deployments/<deployment>/ (it must not exist) and copies the files into it. */
    virtual bool upload(const std::string& deployment, const std::vector<UploadItem>& files,
                        const ProgressFn& progress, std::string& error) = 0;
    /** SHA-256 of each file of the deployment, computed on the board. */
    virtual bool checksums(const std::string& deployment, const std::vector<std::string>& files,
                           std::map<std::string, std::string>& sha256, std::string& error) = 0;
    /** Points `current` at the deployment atomically (temporary link, then rename). */
    virtual bool switchCurrent(const std::string& deployment, std::string& error) = 0;
    /** Runs the deployment's runner; `resultLine` is the JSON line it printed. */
    virtual bool run(const std::string& deployment, std::string& resultLine, std::string& error) = 0;
    virtual bool current(CurrentDeployment& out, std::string& error) = 0;
    /** Best effort: removes a deployment that failed before it became current. */
    virtual void removeDeployment(const std::string& deployment) = 0;
    virtual void disconnect() = 0;
    /** user@host:port, or the board's folder: for messages. */
    virtual std::string address() const = 0;

    /** Compares checksums() with `expected` (file → hex); the error names
     *  every file that differs or is missing. */
    bool verify(const std::string& deployment, const std::map<std::string, std::string>& expected,
                std::string& error);

    /** Steps poll this flag and stop with "cancelled" when it is set. */
    void setCancelFlag(const std::atomic<bool>* flag) { m_cancel = flag; }
    /** Limit of one step (upload, verify, run, ...) in milliseconds. */
    void setStepTimeoutMs(int ms) { m_stepTimeoutMs = ms; }
    int stepTimeoutMs() const { return m_stepTimeoutMs; }

protected:
    bool cancelled() const { return m_cancel && m_cancel->load(); }

private:
    const std::atomic<bool>* m_cancel = nullptr;
    int m_stepTimeoutMs = 300000;
};

} // namespace qnn::deploy
