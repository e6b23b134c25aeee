#include "core/fetch/dataset_fetcher.h"

#include "core/fetch/file_hash.h"
#include "core/fetch/http_download.h"
#include "core/fetch/tar_extract.h"
#include "core/util/json_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/file.h>
#include <unistd.h>

namespace qnn {

namespace fs = std::filesystem;

namespace {

// Written beside unpacked files: what the archive was and what it unpacked to,
// so that `data list` can say the files are the verified ones.
constexpr const char* kRecordName = ".qnn-verified.json";

// A CIFAR batch is 30,730,000 bytes; anything far larger is not a member we want.
constexpr unsigned long long kMaxMemberBytes = 64ull << 20;

class LockFile
{
public:
    ~LockFile()
    {
        if (m_fd >= 0)
            ::close(m_fd); // releases the flock
    }
    bool take(const std::string& path, const std::string& name, std::string& error)
    {
        m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (m_fd < 0) {
            error = "cannot create the lock file " + path + ": " + std::strerror(errno);
            return false;
        }
        if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
            error = "another fetch of " + name + " is running (a window or a terminal holds " + path +
                    "); wait for it to finish, then fetch again";
            return false;
        }
        return true;
    }

private:
    int m_fd = -1;
};

void syncDir(const std::string& dir)
{
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

// Empty when the file matches; otherwise "expected sha256 A, got B".
std::string mismatch(const CatalogFile& file, const FileHashes& got)
{
    if (!file.sha256.empty() && file.sha256 != got.sha256)
        return "expected sha256 " + file.sha256 + ", got " + got.sha256;
    if (!file.md5.empty() && file.md5 != got.md5)
        return "expected md5 " + file.md5 + ", got " + got.md5;
    return {};
}

bool matches(const CatalogFile& file, const std::string& path)
{
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        return false;
    FileHashes h;
    std::string ignored;
    return hashFile(path, h, ignored) && mismatch(file, h).empty();
}

uint64_t fileSize(const std::string& path)
{
    std::error_code ec;
    const auto n = fs::file_size(path, ec);
    return ec ? 0 : static_cast<uint64_t>(n);
}

std::string joinUrl(std::string base, const std::string& name)
{
    if (!base.empty() && base.back() != '/')
        base += '/';
    return base + name;
}

bool writeRecord(const CatalogEntry& entry, const std::string& dir, std::string& error)
{
    nlohmann::json record{{"dataset", entry.name}, {"archives", nlohmann::json::object()}, {"files", nlohmann::json::object()}};
    for (const CatalogFile& f : entry.files)
        record["archives"][f.name] = {{"md5", f.md5}, {"sha256", f.sha256}};
    for (const std::string& name : entry.unpacked) {
        FileHashes h;
        if (!hashFile(dir + "/" + name, h, error))
            return false;
        record["files"][name] = h.sha256;
    }
    return writeJsonFile(dir + "/" + kRecordName, record, error);
}

bool unpackedPresent(const CatalogEntry& entry, const std::string& dir)
{
    std::error_code ec;
    for (const std::string& name : entry.unpacked)
        if (!fs::is_regular_file(dir + "/" + name, ec))
            return false;
    return fs::is_regular_file(dir + "/" + kRecordName, ec);
}

} // namespace

bool fetchDataset(const CatalogEntry& entry, const FetchOptions& o, FetchResult& result, std::string& error)
{
    result = FetchResult{};
    const std::string dir = o.root + "/" + entry.name;
    result.dir = dir;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        error = "cannot create " + dir + ": " + ec.message();
        return false;
    }
    LockFile lock;
    if (!lock.take(o.root + "/." + entry.name + ".lock", entry.name, error))
        return false;
    auto step = [&](const std::string& s) {
        if (o.step)
            o.step(s);
    };
    const std::vector<std::string>& sources = o.sources.empty() ? entry.sources : o.sources;

    if (entry.archive && unpackedPresent(entry, dir)) {
        result.alreadyThere = true;
        return true;
    }
    FetchProgress progress;
    progress.total = entry.totalBytes();
    bool anyDownloaded = false;
    for (const CatalogFile& file : entry.files) {
        const std::string target = dir + "/" + file.name;
        const std::string part = target + ".part";
        if (matches(file, target)) {
            progress.done += file.bytes ? file.bytes : fileSize(target);
            continue;
        }
        std::string errors;
        bool verified = false;
        for (const std::string& base : sources) {
            const std::string url = joinUrl(base, file.name);
            // A part as long as the file (a crash before the check) needs no network.
            if (file.bytes == 0 || fileSize(part) != file.bytes) {
                step("downloading " + file.name + " from " + url);
                HttpDownload download(url, part);
                download.setCancelFlag(o.cancel);
                download.setStallSeconds(o.stallSeconds);
                const uint64_t before = progress.done;
                const uint64_t partBefore = fileSize(part);
                download.setProgress([&](uint64_t done, uint64_t total) {
                    progress.file = file.name;
                    progress.fileDone = done;
                    progress.fileTotal = total ? total : file.bytes;
                    progress.done = before + done;
                    if (o.progress)
                        o.progress(progress);
                });
                std::string why;
                const bool ok = download.run(why);
                const uint64_t partAfter = fileSize(part);
                result.downloaded += partAfter > partBefore ? partAfter - partBefore : 0;
                progress.done = before;
                if (!ok) {
                    if (download.failure() == DownloadFailure::Cancelled) {
                        result.cancelled = true;
                        error = why;
                        return false;
                    }
                    if (download.failure() == DownloadFailure::DiskFull) {
                        error = why;
                        return false;
                    }
                    errors += (errors.empty() ? "" : "; ") + why;
                    continue;
                }
                anyDownloaded = true;
            }
            step("verifying " + file.name);
            FileHashes got;
            if (!hashFile(part, got, error))
                return false;
            const std::string bad = mismatch(file, got);
            if (!bad.empty()) {
                fs::remove(part, ec); // never used, and never resumed from
                errors += std::string(errors.empty() ? "" : "; ") + "checksum mismatch for " + url + ": " + bad +
                          " (the download was deleted)";
                continue;
            }
            if (::rename(part.c_str(), target.c_str()) != 0) {
                error = "cannot rename " + part + " to " + target + ": " + std::strerror(errno);
                return false;
            }
            syncDir(dir);
            verified = true;
            break;
        }
        if (!verified) {
            error = sources.size() == 1 ? errors
                                        : "could not download " + file.name + " from any of " +
                                              std::to_string(sources.size()) + " sources: " + errors;
            return false;
        }
        progress.done += file.bytes ? file.bytes : fileSize(target);
        progress.file = file.name;
        progress.fileDone = progress.fileTotal = fileSize(target);
        if (o.progress)
            o.progress(progress);
    }
    result.alreadyThere = !anyDownloaded && !entry.archive;

    if (entry.archive) {
        for (const CatalogFile& file : entry.files) {
            const std::string archive = dir + "/" + file.name;
            step("unpacking " + file.name);
            if (!extractTarGz(archive, entry.unpacked, dir, kMaxMemberBytes, error))
                return false;
        }
        if (!writeRecord(entry, dir, error))
            return false;
        for (const CatalogFile& file : entry.files)
            fs::remove(dir + "/" + file.name, ec);
        syncDir(dir);
    }
    return true;
}

DatasetState inspectDataset(const CatalogEntry& entry, const std::string& dir)
{
    DatasetState s;
    s.dir = dir;
    if (dir.empty()) {
        s.verification = "not found";
        return s;
    }
    std::error_code ec;
    for (const auto& item : fs::directory_iterator(dir, ec))
        if (item.is_regular_file(ec))
            s.bytes += item.file_size(ec);
    if (entry.archive) {
        nlohmann::json record;
        std::string error;
        std::string base = dir;
        if (!fs::exists(base + "/" + kRecordName, ec) && fs::exists(base + "/cifar-10-batches-bin", ec))
            base += "/cifar-10-batches-bin";
        if (!fs::exists(base + "/" + kRecordName, ec)) {
            s.verification = "not checked: unpacked files have no published checksum, and these were not "
                             "downloaded by qnnw data fetch";
            return s;
        }
        if (!readJsonFile(base + "/" + kRecordName, record, error) || !record.contains("files") ||
            !record["files"].is_object()) {
            s.verification = "not checked: " + (error.empty() ? base + "/" + kRecordName + " is not a record" : error);
            return s;
        }
        for (const std::string& name : entry.unpacked) {
            FileHashes h;
            if (!hashFile(base + "/" + name, h, error)) {
                s.verified = 0;
                s.verification = error;
                return s;
            }
            if (record["files"].value(name, std::string()) != h.sha256) {
                s.verified = 0;
                s.verification = name + " changed since it was unpacked from the verified archive";
                return s;
            }
        }
        s.verified = 1;
        s.verification = "unpacked from an archive that matched the published md5, files unchanged since";
        return s;
    }
    for (const CatalogFile& file : entry.files) {
        const std::string path = dir + "/" + file.name;
        if (!fs::is_regular_file(path, ec)) {
            s.verification = "not checked: " + file.name + " is not there (unpacked copies have no published checksum)";
            return s;
        }
        FileHashes h;
        std::string error;
        if (!hashFile(path, h, error)) {
            s.verified = 0;
            s.verification = error;
            return s;
        }
        const std::string bad = mismatch(file, h);
        if (!bad.empty()) {
            s.verified = 0;
            s.verification = file.name + " does not match the published checksum: " + bad;
            return s;
        }
    }
    s.verified = 1;
    s.verification = "every file matches the published checksums";
    return s;
}

} // namespace qnn
