#pragma once

#include <QWidget>

class GraphDocument;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

/** The project's "training" and "dataset" sections as a form. Every change
 *  is an undo step on the document's stack (SetTrainingCommand) and follows
 *  undo/redo back into the fields. A dataset that cannot be found is a
 *  sentence saying where its files must go, with a button for the built-in
 *  synthetic digits. */
class TrainingSettingsForm : public QWidget
{
    Q_OBJECT
public:
    explicit TrainingSettingsForm(GraphDocument* document, QWidget* parent = nullptr);

    QComboBox* datasetBox() const { return m_dataset; }
    QLineEdit* folderEdit() const { return m_folder; }
    QSpinBox* epochsBox() const { return m_epochs; }
    QSpinBox* batchBox() const { return m_batch; }
    QDoubleSpinBox* lrBox() const { return m_lr; }
    QComboBox* optimizerBox() const { return m_optimizer; }
    QComboBox* scheduleBox() const { return m_schedule; }
    QComboBox* lossBox() const { return m_loss; }
    QComboBox* weightInitBox() const { return m_weightInit; }
    QSpinBox* stepEpochsBox() const { return m_stepEpochs; }
    QDoubleSpinBox* stepGammaBox() const { return m_stepGamma; }
    QDoubleSpinBox* finalRateBox() const { return m_lrEnd; }
    QComboBox* selectByBox() const { return m_selectBy; }
    QSpinBox* randomShiftBox() const { return m_randomShift; }
    QSpinBox* seedBox() const { return m_seed; }
    /** Empty when the dataset is found; otherwise the sentence shown. */
    QString datasetProblem() const;
    QPushButton* useSyntheticButton() const { return m_useSynthetic; }
    QComboBox* recipeBox() const { return m_recipe; }
    QPushButton* applyRecipeButton() const { return m_applyRecipe; }
    /** The recipe line under the list: what the chosen preset does, or why it could not be applied. */
    QString recipeNote() const;
    /** Shown when the dataset is missing and the workbench can download it. */
    QPushButton* downloadButton() const { return m_downloadData; }
    /** Looks for the dataset again (after a download, for one). */
    void checkDataset();

private:
    void enableScheduleFields();
    void load();
    /** One undo step; `merges` for numbers typed digit by digit. */
    void commit(const QString& field, bool merges = false);
    void applyChosenRecipe();
    void showRecipe();

    GraphDocument* m_document;
    QComboBox* m_dataset;
    QLineEdit* m_folder;
    QPushButton* m_browse;
    QLabel* m_datasetNote;
    QPushButton* m_useSynthetic;
    QPushButton* m_downloadData;
    QSpinBox* m_epochs;
    QSpinBox* m_batch;
    QComboBox* m_optimizer;
    QDoubleSpinBox* m_lr;
    QDoubleSpinBox* m_lrEnd;
    QComboBox* m_schedule;
    QComboBox* m_loss;
    QComboBox* m_weightInit;
    QSpinBox* m_stepEpochs;
    QDoubleSpinBox* m_stepGamma;
    QComboBox* m_selectBy;
    QSpinBox* m_randomShift;
    QSpinBox* m_seed;
    QSpinBox* m_threads;
    QComboBox* m_recipe;
    QPushButton* m_applyRecipe;
    QLabel* m_recipeNote;
    bool m_loading = false;
};
