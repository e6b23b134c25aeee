#include "core/data/dataset_catalog.h"

#include "core/util/json_file.h"

#include <cstdio>
#include <cstdlib>

namespace qnn {

namespace {

// Checksums as published: MNIST's MD5s are the ones torchvision checks (the
// SHA-256s were computed from files matching them, see docs/datasets.md);
// Fashion-MNIST's MD5s are in Zalando's README; CIFAR-10's MD5 is on
// Krizhevsky's page next to the binary version.
std::vector<CatalogEntry> builtIn()
{
    std::vector<CatalogEntry> c;

    CatalogEntry mnist;
    mnist.name = "mnist";
    mnist.title = "MNIST handwritten digits";
    mnist.licence = "Yann LeCun and Corinna Cortes hold the copyright of MNIST, a derivative work of NIST's data; "
                    "made available under the terms of the Creative Commons Attribution-Share Alike 3.0 licence";
    mnist.homepage = "http://yann.lecun.com/exdb/mnist/";
    mnist.sources = {"http://yann.lecun.com/exdb/mnist/", "https://ossci-datasets.s3.amazonaws.com/mnist/"};
    mnist.files = {
        {"train-images-idx3-ubyte.gz", 9912422, "f68b3c2dcbeaaa9fbdd348bbdeb94873",
         "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"},
        {"train-labels-idx1-ubyte.gz", 28881, "d53e105ee54ea40749a09fcbcd1e9432",
         "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"},
        {"t10k-images-idx3-ubyte.gz", 1648877, "9fb629c4189551a2d022fa330f9573f3",
         "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"},
        {"t10k-labels-idx1-ubyte.gz", 4542, "ec29112dd5afa0611ce80d1b7f02629c",
         "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"},
    };
    c.push_back(mnist);

    CatalogEntry fashion;
    fashion.name = "fashion-mnist";
    fashion.title = "Fashion-MNIST (Zalando article images)";
    fashion.licence = "MIT licence, Copyright (c) 2017 Zalando SE";
    fashion.homepage = "https://github.com/zalandoresearch/fashion-mnist";
    fashion.sources = {"http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
                       "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/"};
    fashion.files = {
        {"train-images-idx3-ubyte.gz", 26421880, "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
         "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"},
        {"train-labels-idx1-ubyte.gz", 29515, "25c81989df183df01b3e8a0aad5dffbe",
         "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"},
        {"t10k-images-idx3-ubyte.gz", 4422102, "bef4ecab320f06d8554ea6380940ec79",
         "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"},
        {"t10k-labels-idx1-ubyte.gz", 5148, "bb300cfdad3c16e7a12a480ee83cd310",
         "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"},
    };
    c.push_back(fashion);

    CatalogEntry cifar;
    cifar.name = "cifar10";
    cifar.title = "CIFAR-10 (binary version)";
    cifar.licence = "Alex Krizhevsky, Learning Multiple Layers of Features from Tiny Images, 2009; "
                    "no licence is stated: cite the report when you use it";
    cifar.homepage = "https://www.cs.toronto.edu/~kriz/cifar.html";
    // torchvision downloads CIFAR-10 from this one place too; --mirror names another.
    cifar.sources = {"https://www.cs.toronto.edu/~kriz/"};
    cifar.files = {{"cifar-10-binary.tar.gz", 170052171, "c32a1d4ab5d03f1284b67883e8d87530", ""}};
    cifar.archive = true;
    cifar.unpacked = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                      "data_batch_5.bin", "test_batch.bin",   "batches.meta.txt"};
    c.push_back(cifar);
    return c;
}

bool isHex(const std::string& s, size_t length)
{
    if (s.size() != length)
        return false;
    for (char ch : s)
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
            return false;
    return true;
}

} // namespace

uint64_t CatalogEntry::totalBytes() const
{
    uint64_t sum = 0;
    for (const CatalogFile& f : files)
        sum += f.bytes;
    return sum;
}

const std::vector<CatalogEntry>& datasetCatalog()
{
    static const std::vector<CatalogEntry> catalog = builtIn();
    return catalog;
}

const CatalogEntry* findCatalogEntry(const std::vector<CatalogEntry>& catalog, const std::string& name)
{
    for (const CatalogEntry& e : catalog)
        if (e.name == name)
            return &e;
    return nullptr;
}

bool datasetCatalogWithOverrides(std::vector<CatalogEntry>& catalog, std::string& error)
{
    catalog = datasetCatalog();
    const char* path = std::getenv("QNN_DATASET_CHECKSUMS");
    if (!path || !*path)
        return true;
    nlohmann::json manifest;
    if (!readJsonFile(path, manifest, error))
        return false;
    const std::string where = std::string(path) + " ($QNN_DATASET_CHECKSUMS)";
    if (!manifest.is_object()) {
        error = where + ": expected an object of datasets";
        return false;
    }
    for (const auto& [dataset, files] : manifest.items()) {
        CatalogEntry* entry = nullptr;
        for (CatalogEntry& e : catalog)
            if (e.name == dataset)
                entry = &e;
        if (!entry) {
            error = where + ": unknown dataset '" + dataset + "'";
            return false;
        }
        if (!files.is_object()) {
            error = where + ": '" + dataset + "' must be an object of file names";
            return false;
        }
        for (const auto& [file, sums] : files.items()) {
            CatalogFile* target = nullptr;
            for (CatalogFile& f : entry->files)
                if (f.name == file)
                    target = &f;
            if (!target) {
                error = where + ": '" + dataset + "' has no file '" + file + "'";
                return false;
            }
            if (!sums.is_object()) {
                error = where + ": '" + dataset + "/" + file + "' must be an object with sha256 or md5";
                return false;
            }
            const std::string sha = sums.value("sha256", std::string());
            const std::string md5 = sums.value("md5", std::string());
            if ((sha.empty() && md5.empty()) || (!sha.empty() && !isHex(sha, 64)) || (!md5.empty() && !isHex(md5, 32))) {
                error = where + ": '" + dataset + "/" + file +
                        "' needs a sha256 of 64 or an md5 of 32 lowercase hex digits";
                return false;
            }
            target->sha256 = sha;
            target->md5 = md5;
            target->bytes = sums.contains("bytes") && sums["bytes"].is_number_unsigned() ? sums["bytes"].get<uint64_t>()
                                                                                         : 0;
        }
    }
    return true;
}

std::string userDatasetsDir()
{
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg == '/')
        return std::string(xdg) + "/qnn-workbench/datasets";
    if (const char* home = std::getenv("HOME"); home && *home)
        return std::string(home) + "/.local/share/qnn-workbench/datasets";
    return {};
}

std::string formatBytes(uint64_t bytes)
{
    char text[32];
    if (bytes >= 1000000)
        std::snprintf(text, sizeof text, "%.1f MB", bytes / 1e6);
    else if (bytes >= 1000)
        std::snprintf(text, sizeof text, "%.0f kB", bytes / 1e3);
    else
        std::snprintf(text, sizeof text, "%llu bytes", static_cast<unsigned long long>(bytes));
    return text;
}

} // namespace qnn
