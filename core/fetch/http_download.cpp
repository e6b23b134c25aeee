#include "core/fetch/http_download.h"

#include <curl/curl.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>

namespace qnn {

namespace {

void initCurlOnce()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string hostOf(const std::string& url)
{
    size_t start = url.find("://");
    start = start == std::string::npos ? 0 : start + 3;
    size_t end = url.find_first_of(":/?#", start);
    return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

const char* env(const char* name)
{
    const char* v = std::getenv(name);
    return v && *v ? v : nullptr;
}

// The rules libcurl applies: no_proxy is a comma list of host suffixes, "*" for all.
bool noProxyCovers(const std::string& host)
{
    const char* list = env("no_proxy") ? env("no_proxy") : env("NO_PROXY");
    if (!list)
        return false;
    std::string all(list);
    size_t start = 0;
    while (start <= all.size()) {
        size_t end = all.find(',', start);
        if (end == std::string::npos)
            end = all.size();
        std::string item = all.substr(start, end - start);
        while (!item.empty() && item.front() == ' ')
            item.erase(0, 1);
        while (!item.empty() && item.back() == ' ')
            item.pop_back();
        if (!item.empty() && item.front() == '.')
            item.erase(0, 1);
        if (item == "*")
            return true;
        if (!item.empty() && (host == item || (host.size() > item.size() &&
                                               host.compare(host.size() - item.size(), item.size(), item) == 0 &&
                                               host[host.size() - item.size() - 1] == '.')))
            return true;
        start = end + 1;
    }
    return false;
}

std::string bytesText(uint64_t n)
{
    return std::to_string(n) + " bytes";
}

} // namespace

std::string proxyFor(const std::string& url)
{
    if (noProxyCovers(hostOf(url)))
        return {};
    const bool https = url.rfind("https://", 0) == 0;
    // libcurl reads only lowercase http_proxy (the uppercase one is set by CGI servers from a request header).
    const char* p = https ? (env("https_proxy") ? env("https_proxy") : env("HTTPS_PROXY")) : env("http_proxy");
    if (!p)
        p = env("all_proxy") ? env("all_proxy") : env("ALL_PROXY");
    return p ? p : "";
}

HttpDownload::HttpDownload(std::string url, std::string partPath)
    : m_url(std::move(url)), m_partPath(std::move(partPath))
{
}

size_t HttpDownload::onData(char* data, size_t size, size_t count, void* self)
{
    auto* d = static_cast<HttpDownload*>(self);
    const size_t bytes = size * count;
    if (!d->m_checkedStatus) {
        d->m_checkedStatus = true;
        long status = 0;
        curl_easy_getinfo(static_cast<CURL*>(d->m_curl), CURLINFO_RESPONSE_CODE, &status);
        // A server that ignores the Range header sends the whole file again: start over.
        if (status == 200 && d->m_offset > 0) {
            if (::ftruncate(d->m_fd, 0) != 0) {
                d->m_writeErrno = errno;
                return 0;
            }
            d->m_offset = 0;
        }
    }
    size_t done = 0;
    while (done < bytes) {
        const ssize_t n = ::write(d->m_fd, data + done, bytes - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            d->m_writeErrno = errno;
            return 0; // libcurl stops with CURLE_WRITE_ERROR
        }
        done += static_cast<size_t>(n);
    }
    d->m_written += bytes;
    return bytes;
}

int HttpDownload::onProgress(void* self, int64_t total, int64_t now, int64_t, int64_t)
{
    auto* d = static_cast<HttpDownload*>(self);
    if (d->m_cancel && d->m_cancel->load())
        return 1;
    if (d->m_progress)
        d->m_progress(d->m_offset + static_cast<uint64_t>(now),
                      total > 0 ? d->m_offset + static_cast<uint64_t>(total) : 0);
    return 0;
}

std::string HttpDownload::sentence(int code, long httpStatus, const char* curlMessage) const
{
    const std::string host = hostOf(m_url);
    const std::string proxy = proxyFor(m_url);
    const std::string detail = curlMessage && *curlMessage ? std::string(" (") + curlMessage + ")" : std::string();
    switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
        return "cannot download " + m_url + ": the name " + host +
               " could not be resolved (DNS failed: is this machine online?)" + detail;
    case CURLE_COULDNT_RESOLVE_PROXY:
        return "cannot download " + m_url + ": the proxy " + proxy +
               " (from the proxy environment variables) could not be resolved" + detail;
    case CURLE_COULDNT_CONNECT:
        if (!proxy.empty())
            return "cannot download " + m_url + ": the proxy " + proxy +
                   " (from the proxy environment variables) refused the connection or cannot be reached" + detail;
        return "cannot download " + m_url + ": cannot connect to " + host +
               " (no network, or the server refused the connection)" + detail;
    case CURLE_HTTP_RETURNED_ERROR:
        if (httpStatus == 404)
            return "cannot download " + m_url + ": the server has no such file (HTTP 404 Not Found)";
        if (httpStatus == 407)
            return "cannot download " + m_url + ": the proxy " + proxy +
                   " wants credentials (HTTP 407); put them in the proxy variable as http://user:password@host:port";
        return "cannot download " + m_url + ": the server answered HTTP " + std::to_string(httpStatus);
    case CURLE_TOO_MANY_REDIRECTS:
        return "cannot download " + m_url + ": the server redirects in a loop (more than 10 redirects)";
    case CURLE_OPERATION_TIMEDOUT:
        return "cannot download " + m_url + ": no data from " + host + " for " + std::to_string(m_stallSeconds) +
               " s (the server or the network stalled); fetch again to resume";
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
        return "the connection to " + host + " dropped after " + bytesText(m_offset + m_written) + " of " + m_url +
               "; the part is kept, and fetching again resumes from there" + detail;
    case CURLE_PROXY:
        return "cannot download " + m_url + ": the proxy " + proxy + " refused the request" + detail;
    case CURLE_UNSUPPORTED_PROTOCOL:
        return "cannot download " + m_url + ": only http:// and https:// URLs (and redirects to them) are used" +
               detail;
    default:
        break;
    }
    if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CONNECT_ERROR || code == CURLE_SSL_CACERT_BADFILE)
        return "cannot download " + m_url + ": the TLS connection to " + host + " failed" + detail;
    return "cannot download " + m_url + ": " + curl_easy_strerror(static_cast<CURLcode>(code)) + detail;
}

bool HttpDownload::run(std::string& error)
{
    initCurlOnce();
    m_failure = DownloadFailure::None;
    // O_NOFOLLOW: a link planted at the .part name is refused, not written through.
    m_fd = ::open(m_partPath.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (m_fd < 0) {
        error = "cannot write " + m_partPath + ": " + std::strerror(errno);
        m_failure = errno == ENOSPC || errno == EDQUOT ? DownloadFailure::DiskFull : DownloadFailure::Source;
        return false;
    }
    struct stat st {};
    ::fstat(m_fd, &st);
    m_offset = static_cast<uint64_t>(st.st_size);
    m_written = 0;
    m_checkedStatus = false;
    m_writeErrno = 0;

    CURL* curl = curl_easy_init();
    m_curl = curl;
    char message[CURL_ERROR_SIZE] = {};
    const std::string range = std::to_string(m_offset) + "-";
    curl_easy_setopt(curl, CURLOPT_URL, m_url.c_str());
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, message);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "qnn-workbench (libcurl)");
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
    // Stalled, not slow: less than one byte a second for the whole window.
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, m_stallSeconds);
    if (m_offset > 0)
        curl_easy_setopt(curl, CURLOPT_RANGE, range.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &HttpDownload::onData);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &HttpDownload::onProgress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, this);

    const CURLcode code = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);
    m_curl = nullptr;
    const bool synced = ::fsync(m_fd) == 0 || errno == EINVAL;
    const int syncErrno = errno;
    ::close(m_fd);
    m_fd = -1;

    // 416: the part is as long as the file or longer (a different file by that name): start over once.
    if (code == CURLE_HTTP_RETURNED_ERROR && status == 416 && m_offset > 0) {
        if (::truncate(m_partPath.c_str(), 0) != 0) {
            error = "cannot write " + m_partPath + ": " + std::strerror(errno);
            m_failure = DownloadFailure::DiskFull;
            return false;
        }
        return run(error);
    }
    if (code == CURLE_OK && synced)
        return true;
    if (code == CURLE_ABORTED_BY_CALLBACK) {
        error = "cancelled after " + bytesText(m_offset + m_written) + " of " + m_url + "; " + m_partPath +
                " is kept, and fetching again resumes from there";
        m_failure = DownloadFailure::Cancelled;
        return false;
    }
    const int writeErrno = code == CURLE_OK ? syncErrno : m_writeErrno;
    if (code == CURLE_WRITE_ERROR || code == CURLE_OK) {
        if (writeErrno == ENOSPC || writeErrno == EDQUOT || writeErrno == EFBIG) {
            error = "the disk is full (or a size limit was reached) writing " + m_partPath + " after " +
                    bytesText(m_offset + m_written) + " (" + std::strerror(writeErrno) +
                    "); free some space and fetch again to resume";
            m_failure = DownloadFailure::DiskFull;
        } else {
            error = "cannot write " + m_partPath + ": " + std::strerror(writeErrno);
            m_failure = DownloadFailure::DiskFull;
        }
        return false;
    }
    error = sentence(code, status, message);
    m_failure = DownloadFailure::Source;
    return false;
}

} // namespace qnn
