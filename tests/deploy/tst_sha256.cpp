// The project's one SHA-256 (core/util/sha256, own code so that the static
// ARM qnn-run needs no libssl) gives OpenSSL's digests, byte for byte, on
// lengths around every padding boundary and on random data streamed in
// uneven pieces. The NIST vectors are in tst_packer.
#include "core/util/sha256.h"

#include <openssl/evp.h>

#include <QTest>

#include <random>

using namespace qnn;

namespace {

std::string opensslHex(const std::string& bytes)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
    static const char* digits = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < length; ++i) {
        hex.push_back(digits[digest[i] >> 4]);
        hex.push_back(digits[digest[i] & 15]);
    }
    return hex;
}

} // namespace

class TestSha256 : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void equalsOpenSslAtEveryLengthUpToThreeBlocks()
    {
        std::mt19937 random(17);
        std::string bytes;
        for (size_t n = 0; n <= 200; ++n) {
            QCOMPARE(sha256Hex(bytes), opensslHex(bytes));
            bytes.push_back(static_cast<char>(random()));
        }
    }

    void equalsOpenSslStreamedAndOnFiles()
    {
        std::mt19937 random(5);
        std::string bytes(300000, '\0');
        for (char& c : bytes)
            c = static_cast<char>(random());
        Sha256 streamed;
        for (size_t at = 0, piece = 1; at < bytes.size(); at += piece, piece = piece * 7 % 1009 + 1)
            streamed.update(bytes.data() + at, std::min(piece, bytes.size() - at));
        const std::string expected = opensslHex(bytes);
        QCOMPARE(streamed.hexDigest(), expected);

        QTemporaryDir dir;
        const std::string path = (dir.path() + "/data.bin").toStdString();
        QFile f(QString::fromStdString(path));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes.data(), qint64(bytes.size()));
        f.close();
        std::string hex, error;
        QVERIFY2(sha256File(path, hex, error), error.c_str());
        QCOMPARE(hex, expected);
        QVERIFY(!sha256File(path + ".missing", hex, error));
        QVERIFY2(error.find("data.bin.missing: cannot open") != std::string::npos, error.c_str());
    }
};

QTEST_GUILESS_MAIN(TestSha256)
#include "tst_sha256.moc"
