#include "core/deploy/ssh_board.h"

#include "core/deploy/tar_stream.h"

#include <libssh/libssh.h>

#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace qnn::deploy {

namespace {

using Clock = std::chrono::steady_clock;

int64_t millisSince(Clock::time_point t)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

// OpenSSH names key types in upper case in its prompts ("ED25519 key fingerprint is ...").
std::string opensshKeyName(const std::string& type)
{
    if (type == "ssh-ed25519")
        return "ED25519";
    if (type == "ssh-rsa")
        return "RSA";
    if (type.rfind("ecdsa", 0) == 0)
        return "ECDSA";
    return type;
}

std::string parentDir(const std::string& path)
{
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

} // namespace

std::string shellQuote(const std::string& s)
{
    std::string q = "'";
    for (char c : s) {
        if (c == '\'')
            q += "'\\''";
        else
            q += c;
    }
    return q + "'";
}

struct SshBoard::Impl {
    ssh_session session = nullptr;

    ~Impl() { close(); }
    void close()
    {
        if (session) {
            if (ssh_is_connected(session))
                ssh_disconnect(session);
            ssh_free(session);
            session = nullptr;
        }
    }
};

SshBoard::SshBoard(BoardConfig config, SshOptions options)
    : m_config(std::move(config))
    , m_options(std::move(options))
{
}

SshBoard::~SshBoard()
{
    disconnect();
}

std::string SshBoard::where() const
{
    return m_config.user + "@" + m_config.host + ":" + std::to_string(m_config.port);
}

std::string SshBoard::knownHostsFile() const
{
    if (!m_options.knownHosts.empty())
        return m_options.knownHosts;
    if (!m_config.knownHosts.empty())
        return m_config.knownHosts;
    const char* home = std::getenv("HOME");
    return std::string(home ? home : ".") + "/.ssh/known_hosts";
}

std::string SshBoard::remoteDir() const
{
    std::string dir = m_config.remoteDir.empty() ? std::string("qnn-workbench") : m_config.remoteDir;
    if (dir.rfind("~/", 0) == 0)
        dir = dir.substr(2);
    while (dir.size() > 1 && dir.back() == '/')
        dir.pop_back();
    return dir;
}

bool SshBoard::openSocket(int& fd, std::string& error)
{
    fd = -1;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const std::string port = std::to_string(m_config.port);
    if (int rc = getaddrinfo(m_config.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
        error = "cannot find host '" + m_config.host + "' (" + gai_strerror(rc) + ")";
        return false;
    }
    const auto start = Clock::now();
    std::string lastWhy;
    for (addrinfo* a = found; a; a = a->ai_next) {
        int s = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (s < 0)
            continue;
        int rc = ::connect(s, a->ai_addr, a->ai_addrlen);
        int err = rc == 0 ? 0 : errno;
        if (rc != 0 && err == EINPROGRESS) {
            err = ETIMEDOUT;
            while (millisSince(start) < m_options.connectTimeoutMs) {
                if (cancelled()) {
                    ::close(s);
                    freeaddrinfo(found);
                    error = "cancelled while connecting to " + m_config.host;
                    return false;
                }
                pollfd p{s, POLLOUT, 0};
                if (::poll(&p, 1, 100) > 0) {
                    socklen_t len = sizeof err;
                    getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
                    break;
                }
            }
        }
        if (err == 0) {
            fcntl(s, F_SETFL, fcntl(s, F_GETFL) & ~O_NONBLOCK);
            fd = s;
            break;
        }
        ::close(s);
        if (err == ECONNREFUSED)
            lastWhy = "nothing accepts connections on " + m_config.host + " port " + port +
                      " (connection refused): is the board on and its SSH server running, and is the port right?";
        else if (err == ETIMEDOUT)
            lastWhy = m_config.host + " port " + port + " did not answer within " +
                      std::to_string(m_options.connectTimeoutMs / 1000) +
                      " s: check the address and that the board is on and on this network";
        else
            lastWhy = "cannot reach " + m_config.host + " port " + port + " (" + std::strerror(err) +
                      "): check the address and the network cable";
    }
    freeaddrinfo(found);
    if (fd < 0) {
        error = lastWhy.empty() ? "cannot open a socket to " + m_config.host : lastWhy;
        return false;
    }
    return true;
}

bool SshBoard::connect(std::string& error)
{
    disconnect();
    m_hostKeyProblem = {};
    int fd = -1;
    if (!openSocket(fd, error))
        return false;
    m_impl = std::make_unique<Impl>();
    ssh_session s = ssh_new();
    m_impl->session = s;
    const bool no = false;
    long timeoutSeconds = std::max(1, m_options.connectTimeoutMs / 1000);
    const std::string known = knownHostsFile();
    ssh_options_set(s, SSH_OPTIONS_HOST, m_config.host.c_str());
    ssh_options_set(s, SSH_OPTIONS_PORT, &m_config.port);
    ssh_options_set(s, SSH_OPTIONS_USER, m_config.user.c_str());
    // A board deploy must not depend on the user's ~/.ssh/config.
    ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no);
    ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, known.c_str());
    ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeoutSeconds);
    socket_t sock = fd;
    ssh_options_set(s, SSH_OPTIONS_FD, &sock);
    if (ssh_connect(s) != SSH_OK) {
        error = "the SSH handshake with " + where() + " failed: " + ssh_get_error(s);
        disconnect();
        return false;
    }
    if (!checkHostKey(error) || !authenticate(error)) {
        disconnect();
        return false;
    }
    long stepSeconds = std::max(1, stepTimeoutMs() / 1000);
    ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &stepSeconds);
    // No SFTP session: files travel as a tar stream over an exec channel
    // (streamArchive), so a board whose sshd has no sftp subsystem works too.
    return true;
}

bool SshBoard::checkHostKey(std::string& error)
{
    ssh_session s = m_impl->session;
    ssh_key key = nullptr;
    if (ssh_get_server_publickey(s, &key) != SSH_OK) {
        error = "the board at " + where() + " sent no host key: " + ssh_get_error(s);
        return false;
    }
    unsigned char* hash = nullptr;
    size_t hashLength = 0;
    ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hashLength);
    char* fingerprint = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hashLength);
    m_fingerprint = fingerprint ? fingerprint : "";
    m_keyType = opensshKeyName(ssh_key_type_to_char(ssh_key_type(key)));
    ssh_string_free_char(fingerprint);
    ssh_clean_pubkey_hash(&hash);
    ssh_key_free(key);

    const std::string known = knownHostsFile();
    const std::string hostName =
        m_config.port == 22 ? m_config.host : "[" + m_config.host + "]:" + std::to_string(m_config.port);
    if (!m_options.acceptHostKey.empty() && m_fingerprint != m_options.acceptHostKey) {
        // The key approved a moment ago is the only one this connection may trust.
        m_hostKeyProblem = {"mismatch", hostName, m_keyType, m_fingerprint, known};
        error = "the board at " + hostName + " presented the " + m_keyType + " host key " + m_fingerprint +
                ", not the key you approved (" + m_options.acceptHostKey +
                "): nothing was sent and " + known +
                " was not changed. Someone may be between you and the board; check the key on the board "
                "(ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) before you approve another one.";
        return false;
    }
    switch (ssh_session_is_known_server(s)) {
    case SSH_KNOWN_HOSTS_OK:
        return true;
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
        m_hostKeyProblem = {"changed", hostName, m_keyType, m_fingerprint, known};
        // OpenSSH's own warning, in words, so that a user recognizes it.
        error = "WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING "
                "NASTY! Someone could be eavesdropping on you right now (man-in-the-middle attack)! It is also "
                "possible that a host key has just been changed. The fingerprint for the " +
                m_keyType + " key sent by the remote host is " + m_fingerprint + ". Host key for " + hostName +
                " has changed in " + known +
                " and you have requested strict checking: nothing was sent. If the board was reinstalled, remove "
                "the old key with: ssh-keygen -f " +
                shellQuote(known) + " -R " + shellQuote(hostName);
        return false;
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND:
        if (m_options.acceptNewHostKey || !m_options.acceptHostKey.empty()) {
            std::error_code ec;
            if (!parentDir(known).empty())
                fs::create_directories(parentDir(known), ec);
            if (ssh_session_update_known_hosts(s) != SSH_OK) {
                error = "cannot add the host key of " + hostName + " to " + known + ": " + ssh_get_error(s);
                return false;
            }
            return true;
        }
        m_hostKeyProblem = {"unknown", hostName, m_keyType, m_fingerprint, known};
        error = "The authenticity of host '" + hostName + "' can't be established. " + m_keyType +
                " key fingerprint is " + m_fingerprint +
                ". If this is your board, accept this key (--accept-host-key " + m_fingerprint + ") and it is added to " + known +
                "; nothing was sent.";
        return false;
    case SSH_KNOWN_HOSTS_ERROR:
    default:
        error = "cannot check the host key of " + hostName + " against " + known + ": " + ssh_get_error(s);
        return false;
    }
}

bool SshBoard::authenticate(std::string& error)
{
    ssh_session s = m_impl->session;
    // "none" first: it asks the server which methods it offers.
    int rc = ssh_userauth_none(s, nullptr);
    if (rc == SSH_AUTH_SUCCESS)
        return true;
    if (rc == SSH_AUTH_ERROR) {
        error = "the board at " + where() + " dropped the connection during login: " + ssh_get_error(s);
        return false;
    }
    if (!m_config.keyPath.empty()) {
        ssh_key key = nullptr;
        if (ssh_pki_import_privkey_file(m_config.keyPath.c_str(), nullptr, nullptr, nullptr, &key) != SSH_OK) {
            error = "cannot read the private key " + m_config.keyPath +
                    " (missing, not a private key, or protected by a passphrase: load it into ssh-agent instead)";
            return false;
        }
        rc = ssh_userauth_publickey(s, nullptr, key);
        ssh_key_free(key);
        if (rc == SSH_AUTH_SUCCESS)
            return true;
        error = "the board at " + where() + " refused the key " + m_config.keyPath + " for user " + m_config.user +
                ": add " + m_config.keyPath + ".pub to ~/.ssh/authorized_keys of " + m_config.user +
                " on the board (ssh-copy-id does it)";
        return false;
    }
    if (!m_options.password.empty()) {
        rc = ssh_userauth_password(s, nullptr, m_options.password.c_str());
        if (rc == SSH_AUTH_SUCCESS)
            return true;
        error = "the board at " + where() + " refused the password for user " + m_config.user +
                " (wrong password, or password login is disabled on the board)";
        return false;
    }
    rc = ssh_userauth_publickey_auto(s, nullptr, nullptr);
    if (rc == SSH_AUTH_SUCCESS)
        return true;
    error = "cannot log in to " + where() +
            ": the board accepts none of your keys and no password was given (add a key with --key, or give a "
            "password)";
    return false;
}

void SshBoard::disconnect()
{
    m_impl.reset();
}

namespace {

// The first line every command prints: the process group its shell leads
// (sshd starts each command in a session of its own), so that a cancel or a
// timeout can stop everything the command started, not just close the channel.
constexpr const char* kGroupMarker = "qnnw-pgid=";

} // namespace

bool SshBoard::exec(const std::string& command, std::string& out, std::string& err, int& exitStatus,
                    std::string& error, bool ignoreCancel)
{
    out.clear();
    err.clear();
    exitStatus = -1;
    if (!m_impl || !m_impl->session) {
        error = "not connected to " + where();
        return false;
    }
    const std::string wrapped = std::string("echo ") + kGroupMarker + "$$; " + command;
    ssh_channel ch = ssh_channel_new(m_impl->session);
    if (!ch || ssh_channel_open_session(ch) != SSH_OK || ssh_channel_request_exec(ch, wrapped.c_str()) != SSH_OK) {
        error = "cannot run a command on " + where() + ": " + ssh_get_error(m_impl->session);
        if (ch)
            ssh_channel_free(ch);
        return false;
    }
    const auto start = Clock::now();
    char buffer[16384];
    bool ok = true;
    long group = 0;
    bool markerRead = false;
    const auto readMarker = [&] {
        // Until the marker line is whole, nothing of the command's own output is in `out`.
        const auto newline = out.find('\n');
        if (newline == std::string::npos)
            return;
        if (out.compare(0, std::strlen(kGroupMarker), kGroupMarker) == 0)
            group = std::atol(out.c_str() + std::strlen(kGroupMarker));
        out.erase(0, newline + 1);
        markerRead = true;
    };
    while (true) {
        int n = ssh_channel_read_timeout(ch, buffer, sizeof buffer, 0, 100);
        if (n > 0) {
            out.append(buffer, n);
            if (!markerRead)
                readMarker();
        }
        int e = 0;
        while ((e = ssh_channel_read_nonblocking(ch, buffer, sizeof buffer, 1)) > 0) {
            err.append(buffer, e);
            // Only the end of stderr is ever shown; keep that much.
            if (err.size() > 65536)
                err.erase(0, err.size() - 65536);
        }
        if (n == SSH_ERROR || e == SSH_ERROR) {
            error = "the connection to " + where() + " broke: " + ssh_get_error(m_impl->session);
            ok = false;
            break;
        }
        if (ssh_channel_is_eof(ch) && n == 0)
            break;
        if (out.size() > kMaxOutputBytes) {
            error = "the board printed more than " + std::to_string(kMaxOutputBytes >> 20) + " MB in answer to '" +
                    command.substr(0, 60) + "'; it was stopped";
            ok = false;
            break;
        }
        if (!ignoreCancel && cancelled()) {
            error = "cancelled";
            ok = false;
            break;
        }
        if (millisSince(start) > stepTimeoutMs()) {
            error = "the board did not finish '" + command.substr(0, 60) + "' within " +
                    std::to_string(stepTimeoutMs() / 1000) + " s; it was stopped";
            ok = false;
            break;
        }
    }
    if (ok) {
        ssh_channel_send_eof(ch);
        exitStatus = ssh_channel_get_exit_status(ch);
    }
    ssh_channel_close(ch);
    ssh_channel_free(ch);
    if (!ok && group > 1)
        killRemoteGroup(group);
    return ok;
}

void SshBoard::killRemoteGroup(long processGroup)
{
    // Closing a channel without a terminal sends no signal: the runner would
    // go on. TERM first so that it can clean up, KILL for whatever is left.
    if (!m_impl || !m_impl->session || !ssh_is_connected(m_impl->session))
        return;
    const std::string g = std::to_string(processGroup);
    const std::string cmd = "kill -TERM -- -" + g + " 2>/dev/null; for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 -- -" +
                            g + " 2>/dev/null || exit 0; sleep 0.2; done; kill -KILL -- -" + g + " 2>/dev/null; true";
    ssh_channel ch = ssh_channel_new(m_impl->session);
    if (!ch)
        return;
    if (ssh_channel_open_session(ch) == SSH_OK && ssh_channel_request_exec(ch, cmd.c_str()) == SSH_OK) {
        char buffer[256];
        const auto start = Clock::now();
        while (!ssh_channel_is_eof(ch) && millisSince(start) < 10000)
            if (ssh_channel_read_timeout(ch, buffer, sizeof buffer, 0, 100) == SSH_ERROR)
                break;
    }
    ssh_channel_close(ch);
    ssh_channel_free(ch);
}

bool SshBoard::describe(BoardInfo& info, std::string& error)
{
    info = {};
    info.address = where();
    info.hostKeyFingerprint = m_fingerprint;
    info.hostKeyType = m_keyType;
    const std::string dir = shellQuote(remoteDir());
    // One round trip; each answer on its own tagged line.
    const std::string probe =
        "echo python=$(python3 --version 2>&1 | grep Python);"
        "echo bnn=$(python3 -c 'import bnn,os;print(os.path.dirname(bnn.__file__))' 2>/dev/null);"
        "echo qnnw=$(command -v qnnw);"
        "mkdir -p " + dir + " 2>/dev/null; echo free=$(df -Pk " + dir + " 2>/dev/null | tail -1 | awk '{print $4}')";
    std::string out, err;
    int status = 0;
    if (!exec(probe, out, err, status, error))
        return false;
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
        const auto eq = line.find('=');
        if (eq == std::string::npos)
            continue;
        const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
        if (key == "python")
            info.python = value;
        else if (key == "bnn")
            info.bnn = value;
        else if (key == "qnnw")
            info.qnnw = value;
        else if (key == "free" && !value.empty())
            info.freeBytes = std::atoll(value.c_str()) * 1024;
    }
    return true;
}

bool SshBoard::machine(std::string& unameM, std::string& error)
{
    unameM.clear();
    std::string out, err;
    int status = 0;
    if (!exec("uname -m", out, err, status, error))
        return false;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ' '))
        out.pop_back();
    if (status != 0 || out.empty() || out.find_first_of(" \n") != std::string::npos) {
        error = "the board at " + where() + " did not say which CPU it has (uname -m: " +
                (err.empty() ? out.substr(0, 80) : err.substr(0, 200)) + ")";
        return false;
    }
    unameM = out;
    return true;
}

bool SshBoard::uploadFiles(const std::string& deployment, const std::vector<UploadItem>& files,
                           const ProgressFn& progress, std::string& error)
{
    if (!m_impl || !m_impl->session) {
        error = "not connected to " + where();
        return false;
    }
    const std::string base = remoteDir() + "/deployments/" + deployment;
    std::set<std::string> dirs;
    for (const auto& f : files)
        if (const std::string d = parentDir(f.remotePath); !d.empty())
            dirs.insert(base + "/" + d);
    // A plain mkdir of the deployment itself fails on an existing folder: two
    // deploys can never share one, and a failed one never removes another's.
    std::string mk = "mkdir -p " + shellQuote(remoteDir() + "/deployments") + " && { mkdir " + shellQuote(base) +
                     " 2>/dev/null || { test -e " + shellQuote(base) + " && { echo exists; exit 3; }; mkdir " +
                     shellQuote(base) + "; }; } && printf %s " + std::to_string(abandonAfterSeconds()) + " > " +
                     shellQuote(base + "/" + kUploadMarker) + " && { command -v tar >/dev/null 2>&1 || echo no-tar; }";
    std::string out, err;
    int status = 0;
    if (!exec(mk, out, err, status, error))
        return false;
    if (status != 0) {
        error = status == 3 ? "the board already has a deployment " + base + " (it was left untouched)"
                            : "cannot create " + base + " on the board: " + err;
        return false;
    }
    noteCreated(deployment);
    // A board without tar (a minimal busybox) gets the files one by one through
    // `cat`: a round trip each, but the same bytes, checked by the same SHA-256 step.
    const bool tar = out.find("no-tar") == std::string::npos;
    if (!dirs.empty()) {
        std::string sub = "mkdir -p";
        for (const auto& d : dirs)
            sub += " " + shellQuote(d);
        if (!exec(sub, out, err, status, error))
            return false;
        if (status != 0) {
            error = "cannot create folders in " + base + " on the board: " + err;
            return false;
        }
    }
    if (!(tar ? streamArchive(base, files, progress, error) : streamFiles(base, files, progress, error)))
        return false;
    // The marker stays until verify() removes it; written again, its time
    // counts from here, so that it outlasts the checksum check.
    if (!exec("printf %s " + std::to_string(abandonAfterSeconds()) + " > " + shellQuote(base + "/" + kUploadMarker),
              out, err, status, error) ||
        status != 0) {
        if (error.empty())
            error = "cannot finish the upload into " + base + " on the board: " + err;
        return false;
    }
    return true;
}

bool SshBoard::removeUploadMarker(const std::string& deployment, std::string& error)
{
    const std::string marker = remoteDir() + "/deployments/" + deployment + "/" + kUploadMarker;
    std::string out, err;
    int status = 0;
    if (!exec("rm -f " + shellQuote(marker), out, err, status, error))
        return false;
    if (status != 0) {
        error = "cannot remove " + marker + " on the board: " + err;
        return false;
    }
    return true;
}

bool SshBoard::pipeToBoard(const std::string& command, const std::string& what, Clock::time_point start,
                           const std::function<bool(const SendFn&, std::string&)>& body, std::string& error)
{
    // The group marker comes first, so that a cancel or a timeout can stop the
    // command on the board, not just close its channel.
    const std::string wrapped = std::string("echo ") + kGroupMarker + "$$; " + command;
    ssh_session session = m_impl->session;
    ssh_channel ch = ssh_channel_new(session);
    if (!ch || ssh_channel_open_session(ch) != SSH_OK || ssh_channel_request_exec(ch, wrapped.c_str()) != SSH_OK) {
        error = "cannot start the upload on " + where() + ": " + ssh_get_error(session);
        if (ch)
            ssh_channel_free(ch);
        return false;
    }
    const auto timedOut = [&] { return millisSince(start) > stepTimeoutMs(); };
    const std::string timeoutMessage =
        "the upload did not finish within " + std::to_string(stepTimeoutMs() / 1000) + " s";
    std::string out, err;
    char buffer[32768];
    long group = 0;
    bool ok = true;
    while (ok && out.find('\n') == std::string::npos) {
        const int n = ssh_channel_read_timeout(ch, buffer, sizeof buffer, 0, 100);
        if (n > 0)
            out.append(buffer, n);
        if (n == SSH_ERROR || (n == 0 && ssh_channel_is_eof(ch))) {
            error = "the upload to " + where() + " could not start: " + ssh_get_error(session);
            ok = false;
        } else if (cancelled()) {
            error = "cancelled before the upload";
            ok = false;
        } else if (timedOut()) {
            error = timeoutMessage;
            ok = false;
        }
    }
    if (out.compare(0, std::strlen(kGroupMarker), kGroupMarker) == 0)
        group = std::atol(out.c_str() + std::strlen(kGroupMarker));
    const SendFn send = [&](const char* data, size_t n) {
        while (n > 0) {
            const int written = ssh_channel_write(ch, data, static_cast<uint32_t>(n));
            if (written == SSH_ERROR || written < 0) {
                // The command may have stopped (a full disk): its own words say more than the channel's.
                std::string said;
                char text[4096];
                int e = 0;
                while (said.size() < 4096 && (e = ssh_channel_read_nonblocking(ch, text, sizeof text, 1)) > 0)
                    said.append(text, size_t(e));
                error = said.empty() ? "the connection to " + where() + " broke during the upload: " +
                                           ssh_get_error(session)
                                     : "the board stopped the upload: " + said.substr(0, 400);
                return false;
            }
            data += written;
            n -= static_cast<size_t>(written);
            if (cancelled()) {
                error = "cancelled during the upload";
                return false;
            }
            if (timedOut()) {
                error = timeoutMessage;
                return false;
            }
        }
        return true;
    };
    // The body, the end of its input; then the command's verdict.
    if (ok && body(send, error)) {
        ssh_channel_send_eof(ch);
        while (true) {
            const int n = ssh_channel_read_timeout(ch, buffer, sizeof buffer, 0, 100);
            int e = 0;
            while ((e = ssh_channel_read_nonblocking(ch, buffer, sizeof buffer, 1)) > 0) {
                err.append(buffer, size_t(e));
                if (err.size() > 4096)
                    err.erase(0, err.size() - 4096);
            }
            if (n == SSH_ERROR || e == SSH_ERROR) {
                error = "the connection to " + where() + " broke at the end of the upload: " + ssh_get_error(session);
                ok = false;
                break;
            }
            if (n == 0 && ssh_channel_is_eof(ch))
                break;
            if (timedOut()) {
                error = timeoutMessage;
                ok = false;
                break;
            }
        }
        const int status = ok ? ssh_channel_get_exit_status(ch) : 0;
        if (ok && status != 0) {
            error = what + " on the board failed (exit status " + std::to_string(status) + "): " + err.substr(0, 400);
            ok = false;
        }
    } else {
        ok = false;
    }
    ssh_channel_close(ch);
    ssh_channel_free(ch);
    if (!ok && group > 1)
        killRemoteGroup(group);
    return ok;
}

bool SshBoard::sendFile(const UploadItem& f, const SendFn& send, const ProgressFn& progress, uint64_t& done,
                        uint64_t total, std::string& error)
{
    std::ifstream in(f.localPath, std::ios::binary);
    std::error_code ec;
    const uint64_t size = fs::file_size(f.localPath, ec);
    if (!in || ec) {
        error = "cannot read " + f.localPath;
        return false;
    }
    char buffer[32768];
    uint64_t sent = 0;
    while (sent < size) {
        in.read(buffer, std::streamsize(std::min<uint64_t>(sizeof buffer, size - sent)));
        const std::streamsize n = in.gcount();
        if (n <= 0) {
            error = f.localPath + " changed during the upload (it is shorter than it was)";
            return false;
        }
        if (!send(buffer, size_t(n)))
            return false;
        sent += uint64_t(n);
        done += uint64_t(n);
        if (progress)
            progress(done, total);
    }
    return true;
}

bool SshBoard::streamArchive(const std::string& base, const std::vector<UploadItem>& files,
                             const ProgressFn& progress, std::string& error)
{
    uint64_t total = 0, done = 0;
    for (const auto& f : files) {
        std::error_code ec;
        total += fs::file_size(f.localPath, ec);
    }
    // One channel, one `tar -xf -` in the new folder: the files travel as one
    // stream, with no round trip per file.
    const std::string zeros(2 * kTarBlock, '\0');
    return pipeToBoard(
        "cd " + shellQuote(base) + " && tar -xf -", "unpacking the upload in " + base + " (tar -xf -)", Clock::now(),
        [&](const SendFn& send, std::string& e) {
            for (const UploadItem& f : files) {
                std::error_code ec;
                const uint64_t size = fs::file_size(f.localPath, ec);
                std::string header;
                if (ec) {
                    e = "cannot read " + f.localPath;
                    return false;
                }
                if (!tarFileHeader(f.remotePath, size, f.executable, header, e) || !send(header.data(), header.size()) ||
                    !sendFile(f, send, progress, done, total, e) || !send(zeros.data(), tarPadding(size)))
                    return false;
            }
            return send(zeros.data(), zeros.size()); // the end of the archive
        },
        error);
}

bool SshBoard::streamFiles(const std::string& base, const std::vector<UploadItem>& files, const ProgressFn& progress,
                           std::string& error)
{
    uint64_t total = 0, done = 0;
    for (const auto& f : files) {
        std::error_code ec;
        total += fs::file_size(f.localPath, ec);
    }
    // One channel per file into `cat`; the time limit holds for them all, as for one archive.
    const auto start = Clock::now();
    for (const UploadItem& f : files) {
        const std::string target = shellQuote(f.remotePath);
        std::string command = "cd " + shellQuote(base) + " && cat > " + target;
        if (f.executable)
            command += " && chmod 755 " + target;
        if (!pipeToBoard(
                command, "writing " + base + "/" + f.remotePath + " (cat)", start,
                [&](const SendFn& send, std::string& e) { return sendFile(f, send, progress, done, total, e); }, error))
            return false;
    }
    return true;
}

std::vector<std::string> SshBoard::removeAbandonedUploads()
{
    // One round trip: each folder whose marker is older than the limit its
    // upload wrote into it, and that `current` does not name, is removed and
    // its name printed. A marker without a number counts as an hour.
    const std::string marker = kUploadMarker;
    const std::string cmd =
        "cd " + shellQuote(remoteDir() + "/deployments") +
        " 2>/dev/null || exit 0; cur=$(readlink ../current 2>/dev/null); now=$(date +%s); "
        "for m in */" + marker + "; do [ -f \"$m\" ] || continue; d=${m%/" + marker +
        "}; [ -L \"$d\" ] && continue; lim=$(head -c 12 \"$m\" | tr -cd 0-9); [ -n \"$lim\" ] || lim=3600; "
        "t=$(stat -c %Y \"$m\" 2>/dev/null) || continue; "
        "if [ $((now - t)) -gt \"$lim\" ] && [ \"deployments/$d\" != \"$cur\" ]; then rm -rf -- \"$d\" && echo \"$d\"; fi; "
        "done";
    std::string out, err, error;
    int status = 0;
    std::vector<std::string> removed;
    if (!exec(cmd, out, err, status, error))
        return removed;
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line))
        if (isSafeDeploymentName(line))
            removed.push_back(line);
    return removed;
}

bool SshBoard::checksums(const std::string& deployment, const std::vector<std::string>& files,
                         std::map<std::string, std::string>& sha256, std::string& error)
{
    sha256.clear();
    std::string cmd = "cd " + shellQuote(remoteDir() + "/deployments/" + deployment) + " && sha256sum --";
    for (const auto& f : files)
        cmd += " " + shellQuote(f);
    std::string out, err;
    int status = 0;
    if (!exec(cmd, out, err, status, error))
        return false;
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
        // "<64 hex>  <name>"; a leading backslash marks escaped names, which ours never need.
        if (line.size() < 67 || line[64] != ' ')
            continue;
        sha256[line.substr(66)] = line.substr(0, 64);
    }
    if (sha256.empty() && status != 0) {
        error = "sha256sum failed on the board: " + err;
        return false;
    }
    return true;
}

bool SshBoard::switchCurrent(const std::string& deployment, std::string& error)
{
    // mv -T renames the temporary link over `current` in one rename(2).
    const std::string tmp = ".current-" + deployment;
    const std::string cmd = "cd " + shellQuote(remoteDir()) + " && test -d " +
                            shellQuote("deployments/" + deployment) + " && ln -sfn " +
                            shellQuote("deployments/" + deployment) + " " + shellQuote(tmp) + " && mv -Tf " +
                            shellQuote(tmp) + " current";
    std::string out, err;
    int status = 0;
    if (!exec(cmd, out, err, status, error))
        return false;
    if (status != 0) {
        error = "cannot switch `current` to deployments/" + deployment + " on the board: " + err;
        return false;
    }
    return true;
}

bool SshBoard::run(const std::string& deployment, std::string& resultLine, std::string& error)
{
    const std::string cmd = "cd " + shellQuote(remoteDir() + "/deployments/" + deployment) + " && python3 runner.py";
    std::string out, err;
    int status = 0;
    if (!exec(cmd, out, err, status, error))
        return false;
    // The runner prints one JSON line last; anything before it (warnings of the bnn package) is noise.
    std::istringstream lines(out);
    std::string line;
    resultLine.clear();
    while (std::getline(lines, line))
        if (!line.empty() && line.front() == '{')
            resultLine = line;
    if (resultLine.empty()) {
        error = "the runner on the board printed no result (exit status " + std::to_string(status) + ")" +
                (err.empty() ? std::string() : ": " + err.substr(err.size() > 800 ? err.size() - 800 : 0));
        return false;
    }
    return true;
}

bool SshBoard::current(CurrentDeployment& out, std::string& error)
{
    out = {};
    const std::string cmd = "cd " + shellQuote(remoteDir()) +
                            " 2>/dev/null || exit 0; readlink current || exit 0; echo; cat current/deploy.json "
                            "2>/dev/null | tr -d '\\n'; echo; cat current/result.json 2>/dev/null | tr -d '\\n'";
    std::string text, err;
    int status = 0;
    if (!exec(cmd, text, err, status, error))
        return false;
    std::istringstream lines(text);
    std::string link, deployJson, resultJson;
    std::getline(lines, link);
    std::getline(lines, deployJson); // the empty line of `echo`
    std::getline(lines, deployJson);
    std::getline(lines, resultJson);
    if (link.empty())
        return true;
    out.present = true;
    out.folder = link;
    auto d = nlohmann::json::parse(deployJson, nullptr, false);
    if (d.is_object()) {
        // Read from the board: a member of another type is left out, never thrown.
        if (d.contains("run") && d["run"].is_string())
            out.run = d["run"].get<std::string>();
        if (d.contains("time") && d["time"].is_string())
            out.time = d["time"].get<std::string>();
    }
    auto r = nlohmann::json::parse(resultJson, nullptr, false);
    if (r.is_object() && r.contains("accuracy") && r["accuracy"].is_number())
        out.accuracy = r["accuracy"].get<double>();
    return true;
}

void SshBoard::removeDeploymentFolder(const std::string& deployment)
{
    std::string out, err, error;
    int status = 0;
    const std::string cmd = "rm -rf " + shellQuote(remoteDir() + "/deployments/" + deployment);
    if (exec(cmd, out, err, status, error, true))
        return;
    // The connection dropped mid-upload: one new connection to clean up what this deploy created.
    std::string why;
    if (connect(why))
        exec(cmd, out, err, status, error, true);
}

} // namespace qnn::deploy
