#include "core/deploy/local_board.h"

#include "core/deploy/deployment_runner.h"
#include "core/util/sha256.h"
#include "core/util/atomic_file.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace qnn::deploy {

LocalBoard::LocalBoard(std::string folder)
    : m_folder(std::move(folder))
{
}

bool LocalBoard::connect(std::string& error)
{
    std::error_code ec;
    fs::create_directories(fs::path(m_folder) / "deployments", ec);
    if (ec) {
        error = "cannot create the board folder " + m_folder + ": " + ec.message();
        return false;
    }
    return true;
}

bool LocalBoard::describe(BoardInfo& info, std::string& /*error*/)
{
    info = {};
    info.address = m_folder;
    info.qnnw = "(in-process integer engine)";
    struct statvfs s {};
    if (statvfs(m_folder.c_str(), &s) == 0)
        info.freeBytes = static_cast<int64_t>(s.f_bavail) * static_cast<int64_t>(s.f_frsize);
    return true;
}

namespace {

bool writeMarker(const fs::path& path, int seconds)
{
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return false;
    const std::string text = std::to_string(seconds);
    const bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size());
    return ::close(fd) == 0 && ok;
}

} // namespace

bool LocalBoard::uploadFiles(const std::string& deployment, const std::vector<UploadItem>& files,
                             const ProgressFn& progress, std::string& error)
{
    const fs::path base = fs::path(m_folder) / "deployments" / deployment;
    // mkdir, not create_directories: it fails on an existing folder, so two
    // deploys can never share (or later remove) one folder.
    if (::mkdir(base.c_str(), 0755) != 0) {
        error = errno == EEXIST ? "the board already has a deployment " + base.string() + " (it was left untouched)"
                                : "cannot create " + base.string() + ": " + std::strerror(errno);
        return false;
    }
    noteCreated(deployment);
    const fs::path marker = base / kUploadMarker;
    if (!writeMarker(marker, abandonAfterSeconds())) {
        error = "cannot write " + marker.string() + ": " + std::strerror(errno);
        return false;
    }
    std::error_code ec;
    uint64_t total = 0, done = 0;
    for (const auto& f : files)
        total += fs::file_size(f.localPath, ec);
    std::vector<char> buffer(1 << 16);
    for (const auto& f : files) {
        const fs::path target = base / f.remotePath;
        fs::create_directories(target.parent_path(), ec);
        std::ifstream in(f.localPath, std::ios::binary);
        // O_EXCL | O_NOFOLLOW: a file or link that appeared in our new folder is never written through.
        const int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                                f.executable ? 0755 : 0644);
        if (!in || fd < 0) {
            error = "cannot copy " + f.localPath + " to " + target.string() +
                    (fd < 0 ? std::string(": ") + std::strerror(errno) : std::string());
            if (fd >= 0)
                ::close(fd);
            return false;
        }
        bool ok = true;
        while (in && ok) {
            in.read(buffer.data(), buffer.size());
            const std::streamsize n = in.gcount();
            if (n <= 0)
                break;
            for (std::streamsize off = 0; off < n;) {
                const ssize_t w = ::write(fd, buffer.data() + off, static_cast<size_t>(n - off));
                if (w < 0 && errno == EINTR)
                    continue;
                if (w <= 0) {
                    error = "writing " + target.string() + " failed: " + std::strerror(errno);
                    ok = false;
                    break;
                }
                off += w;
            }
            done += static_cast<uint64_t>(n);
            if (ok && progress)
                progress(done, total);
            if (ok && cancelled()) {
                error = "cancelled during the upload of " + f.remotePath;
                ok = false;
            }
        }
        if (::close(fd) != 0 && ok) {
            error = "writing " + target.string() + " failed (disk full?)";
            ok = false;
        }
        if (!ok)
            return false;
    }
    // The marker stays until verify() removes it; written again, its time
    // counts from here, so that it outlasts the checksum check.
    if (!fs::remove(marker, ec) || !writeMarker(marker, abandonAfterSeconds())) {
        error = "cannot finish the upload into " + base.string() + ": " +
                (ec ? ec.message() : std::string(std::strerror(errno)));
        return false;
    }
    return true;
}

bool LocalBoard::removeUploadMarker(const std::string& deployment, std::string& error)
{
    const fs::path marker = fs::path(m_folder) / "deployments" / deployment / kUploadMarker;
    std::error_code ec;
    fs::remove(marker, ec);
    if (ec) {
        error = "cannot remove " + marker.string() + ": " + ec.message();
        return false;
    }
    return true;
}

std::vector<std::string> LocalBoard::removeAbandonedUploads()
{
    std::vector<std::string> removed;
    std::error_code ec;
    const fs::path deployments = fs::path(m_folder) / "deployments";
    const fs::path current = fs::read_symlink(fs::path(m_folder) / "current", ec);
    for (const auto& entry : fs::directory_iterator(deployments, ec)) {
        std::error_code e;
        const std::string name = entry.path().filename().string();
        if (entry.is_symlink(e) || !entry.is_directory(e) || !isSafeDeploymentName(name) ||
            current == fs::path("deployments") / name)
            continue;
        const fs::path marker = entry.path() / kUploadMarker;
        struct stat st {};
        if (::lstat(marker.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        long limit = 3600;
        if (std::FILE* f = std::fopen(marker.c_str(), "r")) {
            if (std::fscanf(f, "%ld", &limit) != 1 || limit < 0)
                limit = 3600;
            std::fclose(f);
        }
        if (std::time(nullptr) - st.st_mtime <= limit)
            continue;
        fs::remove_all(entry.path(), e);
        if (!e)
            removed.push_back(name);
    }
    return removed;
}

bool LocalBoard::checksums(const std::string& deployment, const std::vector<std::string>& files,
                           std::map<std::string, std::string>& sha256, std::string& /*error*/)
{
    sha256.clear();
    const fs::path base = fs::path(m_folder) / "deployments" / deployment;
    for (const auto& f : files) {
        std::string hex, why;
        if (sha256File((base / f).string(), hex, why))
            sha256[f] = hex;
    }
    return true;
}

bool LocalBoard::switchCurrent(const std::string& deployment, std::string& error)
{
    const fs::path folder(m_folder);
    const fs::path tmp = folder / (".current-" + deployment);
    std::error_code ec;
    fs::remove(tmp, ec);
    if (::symlink(("deployments/" + deployment).c_str(), tmp.c_str()) != 0 ||
        ::rename(tmp.c_str(), (folder / "current").c_str()) != 0) {
        error = "cannot switch " + (folder / "current").string() + " to deployments/" + deployment + ": " +
                std::strerror(errno);
        fs::remove(tmp, ec);
        return false;
    }
    return true;
}

bool LocalBoard::run(const std::string& deployment, std::string& resultLine, std::string& error)
{
    const fs::path dir = fs::path(m_folder) / "deployments" / deployment;
    nlohmann::json result;
    if (!runDeployment(dir.string(), result, error))
        return false;
    resultLine = result.dump();
    std::string ignored;
    writeFileAtomic((dir / "result.json").string(), resultLine + "\n", ignored);
    return true;
}

bool readCurrentDeployment(const std::string& boardFolder, CurrentDeployment& out, std::string& /*error*/)
{
    out = {};
    const fs::path link = fs::path(boardFolder) / "current";
    std::error_code ec;
    if (!fs::is_symlink(link, ec))
        return true;
    out.present = true;
    out.folder = fs::read_symlink(link, ec).string();
    std::string text, why;
    if (readFile((link / "deploy.json").string(), text, why)) {
        auto d = nlohmann::json::parse(text, nullptr, false);
        if (d.is_object()) {
            // Read from the board: a member of another type is left out, never thrown.
            if (d.contains("run") && d["run"].is_string())
                out.run = d["run"].get<std::string>();
            if (d.contains("time") && d["time"].is_string())
                out.time = d["time"].get<std::string>();
        }
    }
    if (readFile((link / "result.json").string(), text, why)) {
        auto r = nlohmann::json::parse(text, nullptr, false);
        if (r.is_object() && r.contains("accuracy") && r["accuracy"].is_number())
            out.accuracy = r["accuracy"].get<double>();
    }
    return true;
}

bool LocalBoard::current(CurrentDeployment& out, std::string& error)
{
    return readCurrentDeployment(m_folder, out, error);
}

void LocalBoard::removeDeploymentFolder(const std::string& deployment)
{
    std::error_code ec;
    fs::remove_all(fs::path(m_folder) / "deployments" / deployment, ec);
}

} // namespace qnn::deploy
