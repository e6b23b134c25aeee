#pragma once

#include "core/deploy/board.h"
#include "core/deploy/board_config.h"

#include <chrono>
#include <functional>
#include <memory>

namespace qnn::deploy {

/** How to treat host keys and log in; nothing here is ever saved. */
struct SshOptions {
    /** known_hosts file; empty = the board's own field, then ~/.ssh/known_hosts. */
    std::string knownHosts;
    /** Trust a host key seen for the first time (never a changed one) and add it to known_hosts. */
    bool acceptNewHostKey = false;
    /** "SHA256:..." the user approved: a host key seen for the first time is
     *  trusted (and added to known_hosts) only when it has this fingerprint;
     *  any other key is refused with nothing sent. */
    std::string acceptHostKey;
    /** Used when the board has no key file; held in memory only. */
    std::string password;
    /** Limit for the TCP connection and the SSH handshake. */
    int connectTimeoutMs = 5000;
};

/** A PYNQ-style board over SSH (libssh): commands by exec, files as one tar
 *  stream into the board's `tar -xf -` (file by file into `cat` on a board
 *  without tar), host keys checked as OpenSSH does.
 *  The runner is `python3 runner.py` in the deployment folder; checksums
 *  come from the board's sha256sum. */
class SshBoard : public Board
{
public:
    SshBoard(BoardConfig config, SshOptions options);
    ~SshBoard() override;

    bool connect(std::string& error) override;
    bool describe(BoardInfo& info, std::string& error) override;
    bool machine(std::string& unameM, std::string& error) override;
    bool checksums(const std::string& deployment, const std::vector<std::string>& files,
                   std::map<std::string, std::string>& sha256, std::string& error) override;
    bool switchCurrent(const std::string& deployment, std::string& error) override;
    bool run(const std::string& deployment, std::string& resultLine, std::string& error) override;
    bool current(CurrentDeployment& out, std::string& error) override;
    void disconnect() override;
    std::string address() const override { return where(); }

    /** Set when connect() stopped at a host key (unknown or changed). */
    const HostKeyProblem& hostKeyProblem() const { return m_hostKeyProblem; }
    /** "SHA256:..." of the key the board presented (after connect). */
    const std::string& hostKeyFingerprint() const { return m_fingerprint; }
    const std::string& hostKeyType() const { return m_keyType; }

    /** Runs a shell command on the board; false on transport failure,
     *  timeout or cancel (a non-zero exit status is not a failure). */
    bool exec(const std::string& command, std::string& out, std::string& err, int& exitStatus, std::string& error,
              bool ignoreCancel = false);

    /** Most bytes one command may print before it is stopped (a board that
     *  streams without end must not fill this machine's memory). */
    static constexpr size_t kMaxOutputBytes = 16u << 20;

protected:
    bool uploadFiles(const std::string& deployment, const std::vector<UploadItem>& files, const ProgressFn& progress,
                     std::string& error) override;
    void removeDeploymentFolder(const std::string& deployment) override;
    std::vector<std::string> removeAbandonedUploads() override;
    bool removeUploadMarker(const std::string& deployment, std::string& error) override;

private:
    using SendFn = std::function<bool(const char*, size_t)>;
    /** Streams the files as one tar archive into `tar -xf -` in `base`. */
    bool streamArchive(const std::string& base, const std::vector<UploadItem>& files, const ProgressFn& progress,
                       std::string& error);
    /** The same files one channel each into `cat > FILE`: for a board without tar. */
    bool streamFiles(const std::string& base, const std::vector<UploadItem>& files, const ProgressFn& progress,
                     std::string& error);
    /** Runs `command` on the board with what `body` sends as its input; `what`
     *  names it in the error when it exits non-zero. Cancel and the step time
     *  limit (counted from `start`) stop it, and everything it started. */
    bool pipeToBoard(const std::string& command, const std::string& what,
                     std::chrono::steady_clock::time_point start,
                     const std::function<bool(const SendFn&, std::string&)>& body, std::string& error);
    /** Sends one file's bytes, counting them into `done` for the progress. */
    bool sendFile(const UploadItem& f, const SendFn& send, const ProgressFn& progress, uint64_t& done, uint64_t total,
                  std::string& error);
    void killRemoteGroup(long processGroup);
    struct Impl;
    bool openSocket(int& fd, std::string& error);
    bool checkHostKey(std::string& error);
    bool authenticate(std::string& error);
    std::string knownHostsFile() const;
    std::string remoteDir() const;
    std::string where() const;

    BoardConfig m_config;
    SshOptions m_options;
    std::unique_ptr<Impl> m_impl;
    HostKeyProblem m_hostKeyProblem;
    std::string m_fingerprint;
    std::string m_keyType;
};

/** A string quoted for a POSIX shell. */
std::string shellQuote(const std::string& s);

} // namespace qnn::deploy
