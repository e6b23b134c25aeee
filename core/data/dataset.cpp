#include "core/data/dataset.h"

#include "core/data/cifar10_reader.h"
#include "core/data/dataset_catalog.h"
#include "core/data/idx_reader.h"
#include "core/data/image_folder.h"
#include "core/data/synthetic_digits.h"

#include <algorithm>

#include <cstdlib>
#include <filesystem>

namespace qnn {

namespace fs = std::filesystem;

namespace {

// The generator's own seed: the data stays the same whatever training seed a run uses.
constexpr uint64_t kSyntheticSeed = 20240501;

bool pathExists(const fs::path& p)
{
    std::error_code ec;
    return fs::exists(p, ec);
}

std::string joinList(const std::vector<std::string>& items)
{
    std::string s;
    for (size_t i = 0; i < items.size(); ++i)
        s += (i ? ", " : "") + items[i];
    return s;
}

// "train-images-idx3-ubyte.gz" or the same name without .gz.
std::string idxFile(const fs::path& dir, const std::string& stem)
{
    const fs::path gz = dir / (stem + ".gz");
    if (pathExists(gz))
        return gz.string();
    for (const char* alt : {"", ".idx"}) // also accept the t10k-images.idx3-ubyte spelling of some mirrors
        if (pathExists(dir / (stem + alt)))
            return (dir / (stem + alt)).string();
    return gz.string();
}

enum class DatasetFormat { Generated, Idx, Cifar, ImageFolder };

struct DatasetKind {
    const char* name;
    DatasetFormat format;
};

// The one list of dataset names: the CLI's --dataset choices, the training
// form's box, validation and loadDataset read it. What can be downloaded,
// and from where, is the catalogue's (dataset_catalog.cpp).
const std::vector<DatasetKind>& datasetKinds()
{
    static const std::vector<DatasetKind> kinds = {{"synthetic-digits", DatasetFormat::Generated},
                                                   {"mnist", DatasetFormat::Idx},
                                                   {"fashion-mnist", DatasetFormat::Idx},
                                                   {"cifar10", DatasetFormat::Cifar},
                                                   {"image-folder", DatasetFormat::ImageFolder}};
    return kinds;
}

const DatasetKind* findDatasetKind(const std::string& name)
{
    for (const DatasetKind& k : datasetKinds())
        if (name == k.name)
            return &k;
    return nullptr;
}

const std::vector<std::string>& requiredFiles(DatasetFormat format)
{
    static const std::vector<std::string> idx{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                              "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};
    static const std::vector<std::string> cifar{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                                "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"};
    static const std::vector<std::string> none;
    switch (format) {
    case DatasetFormat::Idx: return idx;
    case DatasetFormat::Cifar: return cifar;
    case DatasetFormat::Generated:
    case DatasetFormat::ImageFolder: return none;
    }
    return none;
}

// True when dir looks like it holds the dataset (its first required file, gzip or raw).
bool holdsDataset(const fs::path& dir, DatasetFormat format)
{
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return false;
    if (format == DatasetFormat::ImageFolder)
        return true;
    if (requiredFiles(format).empty())
        return false;
    const std::string first = requiredFiles(format).front();
    if (format == DatasetFormat::Cifar)
        return pathExists(dir / first) || pathExists(dir / "cifar-10-batches-bin" / first);
    return pathExists(dir / first) || pathExists(dir / first.substr(0, first.size() - 3));
}

bool loadIdx(const fs::path& dir, DatasetSplits& out, std::string& error)
{
    ImageSet train, test;
    if (!readIdxPair(idxFile(dir, "train-images-idx3-ubyte"), idxFile(dir, "train-labels-idx1-ubyte"), 10, train,
                     error))
        return false;
    if (!readIdxPair(idxFile(dir, "t10k-images-idx3-ubyte"), idxFile(dir, "t10k-labels-idx1-ubyte"), 10, test,
                     error))
        return false;
    // BinaryNet recipe: the last 10k training images validate (fewer for a small file).
    const size_t validation = train.size() >= 20000 ? 10000 : train.size() / 6;
    out.train = train.slice(0, train.size() - validation);
    out.validation = train.slice(train.size() - validation, train.size());
    out.test = std::move(test);
    return true;
}

bool loadCifar(fs::path dir, DatasetSplits& out, std::string& error)
{
    if (!pathExists(dir / "data_batch_1.bin") && pathExists(dir / "cifar-10-batches-bin"))
        dir /= "cifar-10-batches-bin";
    ImageSet train, test;
    for (int i = 1; i <= 5; ++i)
        if (!readCifarBatch((dir / ("data_batch_" + std::to_string(i) + ".bin")).string(), train, error))
            return false;
    if (!readCifarBatch((dir / "test_batch.bin").string(), test, error))
        return false;
    std::vector<std::string> names;
    if (pathExists(dir / "batches.meta.txt")) {
        if (!readCifarMeta((dir / "batches.meta.txt").string(), names, error))
            return false;
        train.classNames = names;
        test.classNames = names;
    }
    const size_t validation = train.size() >= 10000 ? 5000 : train.size() / 10;
    out.train = train.slice(0, train.size() - validation);
    out.validation = train.slice(train.size() - validation, train.size());
    out.test = std::move(test);
    return true;
}

// Image i goes to `picked` when i % 10 is one of `positions`, else to `rest`.
// Class folders are read in order, so every class lands in both parts.
void splitByPosition(const ImageSet& all, std::initializer_list<int> positions, ImageSet& rest, ImageSet& picked)
{
    rest = all.slice(0, 0);
    picked = all.slice(0, 0);
    for (size_t i = 0; i < all.size(); ++i) {
        bool pick = false;
        for (int p : positions)
            pick = pick || static_cast<int>(i % 10) == p;
        ImageSet& to = pick ? picked : rest;
        to.labels.push_back(all.labels[i]);
        to.pixels.insert(to.pixels.end(), all.image(i), all.image(i) + all.imageBytes());
    }
}

bool loadImageFolder(const fs::path& dir, DatasetSplits& out, std::string& error)
{
    std::error_code ec;
    if (fs::is_directory(dir / "train", ec) && fs::is_directory(dir / "test", ec)) {
        ImageSet train, test;
        if (!readImageFolder((dir / "train").string(), train, error) ||
            !readImageFolder((dir / "test").string(), test, error))
            return false;
        if (test.imageBytes() != train.imageBytes() || test.classes != train.classes) {
            error = (dir / "test").string() + ": images or classes differ from " + (dir / "train").string();
            return false;
        }
        splitByPosition(train, {9}, out.train, out.validation);
        out.test = std::move(test);
        return true;
    }
    ImageSet all, heldOut;
    if (!readImageFolder(dir.string(), all, error))
        return false;
    // 8:1:1 by position: of each ten images, the ninth validates and the tenth tests.
    splitByPosition(all, {8, 9}, out.train, heldOut);
    splitByPosition(heldOut, {1, 3, 5, 7, 9}, out.validation, out.test);
    return true;
}

// Where a missing dataset should go: a shared/datasets folder that exists
// already, else the first place searched above the project's folder. Only
// the search paths decide: the data layer knows no source tree.
std::string defaultPlace(const std::vector<std::string>& places)
{
    std::error_code ec;
    for (const std::string& p : places) {
        const fs::path parent = fs::path(p).parent_path();
        if (parent.filename() == "datasets" && fs::is_directory(parent, ec))
            return p;
    }
    for (const std::string& p : places)
        if (fs::path(p).parent_path().filename() == "datasets")
            return p;
    return places.back();
}

// What the user reads when the dataset's files are nowhere: where to put them or how to fetch them.
std::string notFoundMessage(const DatasetRequest& r, DatasetFormat format, const std::vector<std::string>& places)
{
    const std::string& name = r.choice.name;
    const std::vector<std::string>& files = requiredFiles(format);
    const char* const gzipOrRaw = format == DatasetFormat::Cifar ? "" : " (gzip or raw)";
    std::string error = "dataset '" + name + "' not found";
    if (format == DatasetFormat::ImageFolder) {
        error += "; set the project's dataset path or pass --data DIR: a folder with one sub-folder per class";
    } else if (!r.dataDir.empty()) {
        error += " in " + r.dataDir + "; put " + joinList(files) + gzipOrRaw +
                 " there, or pass --data with the folder that holds them";
    } else {
        if (const CatalogEntry* e = findCatalogEntry(datasetCatalog(), name)) {
            const std::string user = userDatasetsDir();
            error += "; download it with `qnnw data fetch " + name + "` (" + formatBytes(e->totalBytes()) +
                     (user.empty() ? std::string() : ", into " + user + "/" + name) + "), or";
        } else {
            error += ";";
        }
        const std::string where = defaultPlace(places);
        error += " put " + joinList(files) + gzipOrRaw + " into " + where + " (any shared/datasets/" + name +
                 " folder above the project's folder is found), or pass --data DIR";
    }
    return error + ". Looked in: " + joinList(places);
}

} // namespace

const std::vector<std::string>& knownDatasets()
{
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const DatasetKind& k : datasetKinds())
            out.push_back(k.name);
        return out;
    }();
    return names;
}

std::vector<std::string> datasetSearchPaths(const DatasetRequest& r)
{
    std::vector<std::string> paths;
    auto add = [&](const fs::path& p) {
        const std::string s = p.lexically_normal().string();
        for (const std::string& have : paths)
            if (have == s)
                return;
        paths.push_back(s);
    };
    const fs::path projectDir = r.projectDir.empty() ? fs::path(".") : fs::path(r.projectDir);
    if (!r.dataDir.empty()) {
        add(r.dataDir);
        return paths; // a folder the user named is the only place looked at
    }
    if (!r.choice.path.empty()) {
        const fs::path p(r.choice.path);
        add(p.is_absolute() ? p : projectDir / p);
    }
    if (const char* env = std::getenv("QNN_DATASETS"); env && *env)
        add(fs::path(env) / r.choice.name);
    // Where `qnnw data fetch` puts what it downloads.
    if (const std::string user = userDatasetsDir(); !user.empty())
        add(fs::path(user) / r.choice.name);
    std::error_code ec;
    for (fs::path start : {fs::absolute(projectDir, ec), fs::current_path(ec)}) {
        for (fs::path a = start; !a.empty(); a = a.parent_path()) {
            add(a / "shared" / "datasets" / r.choice.name);
            if (a == a.parent_path())
                break;
        }
    }
    return paths;
}

std::string findDatasetDir(const DatasetRequest& r)
{
    const DatasetKind* kind = findDatasetKind(r.choice.name);
    if (!kind)
        return {};
    for (const std::string& p : datasetSearchPaths(r))
        if (holdsDataset(p, kind->format))
            return p;
    return {};
}

bool loadDataset(const DatasetRequest& r, DatasetSplits& out, std::string& error)
{
    const std::string& name = r.choice.name;
    const DatasetKind* kind = findDatasetKind(name);
    if (!kind) {
        error = "unknown dataset '" + name + "'; choose one of " + joinList(knownDatasets());
        return false;
    }
    if (kind->format == DatasetFormat::Generated) {
        // Drawing all 20000 took most of a short run's time (a sweep's points, the tests).
        const size_t train = r.trainImages > 0 ? std::min<size_t>(r.trainImages, 20000) : 20000;
        out.train = generateSyntheticDigits(train, kSyntheticSeed, 0);
        out.validation = generateSyntheticDigits(2000, kSyntheticSeed, 1000000);
        out.test = generateSyntheticDigits(2000, kSyntheticSeed, 2000000);
        out.source = "built-in generator";
        return true;
    }
    const std::vector<std::string> places = datasetSearchPaths(r);
    const fs::path dir = findDatasetDir(r);
    if (dir.empty()) {
        error = notFoundMessage(r, kind->format, places);
        return false;
    }
    out.source = dir.string();
    switch (kind->format) {
    case DatasetFormat::Idx: return loadIdx(dir, out, error);
    case DatasetFormat::Cifar: return loadCifar(dir, out, error);
    case DatasetFormat::ImageFolder: return loadImageFolder(dir, out, error);
    case DatasetFormat::Generated: break; // generated above
    }
    return true;
}

bool selectOnTestSet(DatasetSplits& splits, std::string& error)
{
    if (!splits.train.append(splits.validation)) {
        error = "the validation images are not the size of the training images, so they cannot join them "
                "for select_by \"test\"";
        return false;
    }
    splits.validation = splits.test;
    return true;
}

} // namespace qnn
