#pragma once

#include "core/data/image_set.h"
#include "core/data/dataset_choice.h"

#include <string>
#include <vector>

namespace qnn {

/** The three parts a run uses: train to learn, validation to pick the best
 *  epoch, test for the accuracy a user reports. */
struct DatasetSplits {
    ImageSet train;
    ImageSet validation;
    ImageSet test;
    /** Where the data came from: a folder, or "built-in generator". */
    std::string source;
};

/** Which dataset and where to look for it. */
struct DatasetRequest {
    DatasetChoice choice;
    /** A folder the user named (--data); wins over everything else. */
    std::string dataDir;
    /** Folder of the project file: relative dataset paths and the default place are found from here. */
    std::string projectDir;
    /** The run trains on the first N training images only (--train-limit); 0 = all. The built-in
     *  generator then makes only those (image i depends on i alone, so they are the same bytes);
     *  datasets read from files are read whole. */
    size_t trainImages = 0;
};

/** Dataset names a project may use. */
const std::vector<std::string>& knownDatasets();

/** The folders loadDataset() tries, in order: --data, the project's dataset
 *  path, $QNN_DATASETS/<name>, the user's data folder (userDatasetsDir(), where
 *  `qnnw data fetch` downloads to), then <ancestor>/shared/datasets/<name> for each
 *  ancestor of the project folder and of the working folder (a checkout at
 *  /work/main finds /work/shared/datasets: "../shared/datasets" next to the repository). */
std::vector<std::string> datasetSearchPaths(const DatasetRequest& request);

/** The first search path that holds the dataset's files (for synthetic-digits
 *  and unknown names: empty), without reading them. */
std::string findDatasetDir(const DatasetRequest& request);

/** Loads and splits a dataset: MNIST/Fashion-MNIST (IDX, gzip or raw; the
 *  last 10,000 training images are the validation split, as in BinaryNet),
 *  CIFAR-10 binary batches (last 5,000 training images validate), an image
 *  folder (train/ and test/ sub-folders, or one folder split 8:1:1), or the
 *  synthetic digits (20,000 / 2,000 / 2,000, no files). A missing dataset
 *  gives a sentence saying which files to put where. */
bool loadDataset(const DatasetRequest& request, DatasetSplits& out, std::string& error);

/** The splits of training.select_by "test": the held-out validation images
 *  join the training set, and the test set picks the best epoch (Brevitas'
 *  and BNN-PYNQ's protocol). False with a sentence, splits unchanged, when
 *  the validation images are not the training images' size. */
bool selectOnTestSet(DatasetSplits& splits, std::string& error);

} // namespace qnn
