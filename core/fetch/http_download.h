#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace qnn {

/** Why a download stopped, so that a caller knows whether another source can help. */
enum class DownloadFailure {
    None,
    Cancelled, ///< the cancel flag was raised (Ctrl-C, Cancel); the .part file is kept for resume
    DiskFull,  ///< writing failed for lack of space or a size limit: another source will not help
    Source,    ///< this URL failed (network, DNS, HTTP status, redirect loop, proxy, dropped connection)
};

/** One HTTP(S) download through libcurl into a `.part` file, resumed with a
 *  Range request from the bytes the file already holds. libcurl reads the
 *  proxy variables (http_proxy, https_proxy, all_proxy, no_proxy) itself. */
class HttpDownload
{
public:
    /** Called about ten times a second: bytes of the file now in `partPath`,
     *  and the whole file's size (0 while unknown). */
    using Progress = std::function<void(uint64_t done, uint64_t total)>;

    HttpDownload(std::string url, std::string partPath);

    void setProgress(Progress progress) { m_progress = std::move(progress); }
    /** Raised from anywhere (a signal handler, another thread) to stop. */
    void setCancelFlag(const std::atomic<bool>* cancel) { m_cancel = cancel; }
    /** Seconds without a byte after which the transfer counts as stalled. */
    void setStallSeconds(long seconds) { m_stallSeconds = seconds; }

    /** Appends the rest of the file to the .part file. False with a sentence
     *  naming the URL (and, for a dropped connection, how far it got). */
    bool run(std::string& error);
    DownloadFailure failure() const { return m_failure; }

private:
    static size_t onData(char* data, size_t size, size_t count, void* self);
    static int onProgress(void* self, int64_t total, int64_t now, int64_t, int64_t);
    std::string sentence(int code, long httpStatus, const char* curlMessage) const;

    std::string m_url;
    std::string m_partPath;
    Progress m_progress;
    const std::atomic<bool>* m_cancel = nullptr;
    long m_stallSeconds = 30;
    DownloadFailure m_failure = DownloadFailure::None;

    // State of one transfer.
    void* m_curl = nullptr;
    int m_fd = -1;
    uint64_t m_offset = 0;  ///< bytes the .part file held when the transfer started
    uint64_t m_written = 0; ///< bytes appended in this transfer
    bool m_checkedStatus = false;
    int m_writeErrno = 0;
};

/** The proxy libcurl will use for `url` according to the environment, or "". */
std::string proxyFor(const std::string& url);

} // namespace qnn
