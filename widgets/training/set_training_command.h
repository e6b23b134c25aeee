#pragma once

#include "core/project/project.h"

#include <QUndoCommand>

class GraphDocument;

/** Changes the project's training and dataset sections as one undo step;
 *  consecutive edits of one number (typing in a spin box) merge into one. */
class SetTrainingCommand : public QUndoCommand
{
public:
    SetTrainingCommand(GraphDocument* doc, qnn::TrainingConfig training, qnn::DatasetChoice dataset,
                       const QString& field, bool merges = false, QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;
    int id() const override;
    bool mergeWith(const QUndoCommand* other) override;

private:
    GraphDocument* m_doc;
    qnn::TrainingConfig m_beforeTraining, m_afterTraining;
    qnn::DatasetChoice m_beforeDataset, m_afterDataset;
    QString m_field;
    bool m_merges;
};
