#include "widgets/training/set_training_command.h"

#include "widgets/editor/graph_document.h"

namespace {
// Distinct from the editor's merge ids (undo_commands.h keeps those below 100).
constexpr int kSetTrainingId = 701;
} // namespace

SetTrainingCommand::SetTrainingCommand(GraphDocument* doc, qnn::TrainingConfig training, qnn::DatasetChoice dataset,
                                       const QString& field, bool merges, QUndoCommand* parent)
    : QUndoCommand(QObject::tr("Training setting: %1").arg(field), parent)
    , m_doc(doc)
    , m_beforeTraining(doc->project().training)
    , m_afterTraining(std::move(training))
    , m_beforeDataset(doc->project().dataset)
    , m_afterDataset(std::move(dataset))
    , m_field(field)
    , m_merges(merges)
{
}

void SetTrainingCommand::redo() { m_doc->setTrainingRaw(m_afterTraining, m_afterDataset); }

void SetTrainingCommand::undo() { m_doc->setTrainingRaw(m_beforeTraining, m_beforeDataset); }

int SetTrainingCommand::id() const { return kSetTrainingId; }

bool SetTrainingCommand::mergeWith(const QUndoCommand* other)
{
    const auto* o = static_cast<const SetTrainingCommand*>(other);
    if (!m_merges || !o->m_merges || o->m_field != m_field)
        return false;
    m_afterTraining = o->m_afterTraining;
    m_afterDataset = o->m_afterDataset;
    return true;
}
