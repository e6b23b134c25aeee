#pragma once

#include "core/graph/edge.h"

#include <QMap>
#include <QWidget>

#include <vector>

class GraphDocument;
class QFormLayout;
class QLabel;

/** Edits the selected layers: name, the attributes their kinds declare in the
 *  LayerRegistry (spin boxes with the registry's ranges, combo boxes, check
 *  boxes, a list field for shapes) and the weight / activation bit-widths.
 *  With several layers selected it shows what they share; a change applies to
 *  all of them as one undo step. */
class PropertyInspector : public QWidget
{
    Q_OBJECT
public:
    explicit PropertyInspector(GraphDocument* document, QWidget* parent = nullptr);

    void setNodes(const std::vector<qnn::NodeId>& ids);
    const std::vector<qnn::NodeId>& nodes() const { return m_ids; }
    /** The editor of a field: "name", "weight_bits", "act_bits" or an attribute name; null when not shown. */
    QWidget* editor(const QString& field) const { return m_editors.value(field); }
    QStringList fields() const { return m_editors.keys(); }
    QString title() const;
    /** The last refused change, as a sentence (empty when the last change went through). */
    QString errorText() const;
    /** The cost rows shown (parameters, weight memory, MACs, BOPs), as rich text; empty when hidden. */
    QString costText() const;

Q_SIGNALS:
    void message(const QString& text);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void rebuild();
    void refreshCost();
    void refreshValues();
    void report(bool ok, const QString& error);
    void onNodeChanged(qnn::NodeId id);

    GraphDocument* m_document;
    std::vector<qnn::NodeId> m_ids;
    QMap<QString, QWidget*> m_editors;
    QLabel* m_title;
    QLabel* m_doc;
    QLabel* m_error;
    QLabel* m_cost;
    QWidget* m_formHost = nullptr;
    QFormLayout* m_form = nullptr;
    bool m_updating = false;
};
