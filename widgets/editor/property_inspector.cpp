#include "widgets/editor/property_inspector.h"

#include "core/graph/graph_summary.h"
#include "core/graph/layer_registry.h"
#include "widgets/editor/graph_document.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <climits>
#include <cmath>
#include <set>

using qnn::AttrSpec;
using qnn::AttrType;
using qnn::LayerRegistry;
using qnn::Node;

namespace {

QString listToText(const std::vector<int64_t>& v)
{
    QStringList parts;
    for (int64_t x : v)
        parts << QString::number(x);
    return parts.join(", ");
}

bool textToList(const QString& text, std::vector<int64_t>& out)
{
    out.clear();
    for (const QString& part : text.split(QRegularExpression("[,x×\\s]+"), Qt::SkipEmptyParts)) {
        bool ok = false;
        const qlonglong v = part.toLongLong(&ok);
        if (!ok)
            return false;
        out.push_back(v);
    }
    return !out.empty();
}

QString bitsLabel(int bits)
{
    if (bits == 1)
        return QObject::tr("1 (bipolar ±1)");
    if (bits == 32)
        return QObject::tr("32 (float)");
    return QString::number(bits);
}

QComboBox* makeBitsCombo(QWidget* parent)
{
    auto* combo = new QComboBox(parent);
    for (int b : qnn::allowedBitWidths())
        combo->addItem(bitsLabel(b), b);
    return combo;
}

} // namespace

PropertyInspector::PropertyInspector(GraphDocument* document, QWidget* parent) : QWidget(parent), m_document(document)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    m_title = new QLabel(this);
    m_title->setStyleSheet("font-weight: bold; font-size: 14px;");
    m_doc = new QLabel(this);
    m_doc->setWordWrap(true);
    m_doc->setStyleSheet("color: #616e7c;");
    m_cost = new QLabel(this);
    m_cost->setObjectName("cost");
    m_cost->setTextFormat(Qt::RichText);
    m_error = new QLabel(this);
    m_error->setWordWrap(true);
    m_error->setStyleSheet("color: #c62828;");
    m_error->hide();
    // The error goes below the fields: showing it must not move them under the pointer.
    layout->addWidget(m_title);
    layout->addWidget(m_doc);
    layout->addWidget(m_cost);
    layout->addWidget(m_error);
    layout->addStretch(1);
    connect(document, &GraphDocument::analysisChanged, this, &PropertyInspector::refreshCost);

    connect(document, &GraphDocument::graphReset, this, [this] { setNodes({}); });
    connect(document, &GraphDocument::nodeChanged, this, &PropertyInspector::onNodeChanged);
    connect(document, &GraphDocument::nodeRemoved, this, [this](qnn::NodeId id) {
        auto it = std::find(m_ids.begin(), m_ids.end(), id);
        if (it != m_ids.end()) {
            m_ids.erase(it);
            rebuild();
        }
    });
    rebuild();
}

QString PropertyInspector::title() const { return m_title->text(); }

QString PropertyInspector::errorText() const { return m_error->text(); }

void PropertyInspector::setNodes(const std::vector<qnn::NodeId>& ids)
{
    m_ids.clear();
    for (qnn::NodeId id : ids)
        if (m_document->graph().contains(id))
            m_ids.push_back(id);
    rebuild();
}

bool PropertyInspector::eventFilter(QObject* watched, QEvent* event)
{
    // Escape in the name field takes the edit back instead of committing it on focus loss.
    auto* name = qobject_cast<QLineEdit*>(m_editors.value("name"));
    if (watched == name && event->type() == QEvent::KeyPress &&
        static_cast<QKeyEvent*>(event)->key() == Qt::Key_Escape) {
        refreshValues();
        m_error->clear();
        m_error->hide();
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

void PropertyInspector::refreshCost()
{
    // The `qnnw summary` row of the selected layer, or the sum over a selection.
    int64_t params = 0, memoryBits = 0, macs = 0, bops = 0;
    bool any = false;
    for (const qnn::LayerSummary& row : m_document->summary().layers)
        if (std::find(m_ids.begin(), m_ids.end(), row.id) != m_ids.end()) {
            params += row.params;
            memoryBits += row.weightMemoryBits;
            macs += row.macs;
            bops += row.bops;
            any = true;
        }
    m_cost->setVisible(any);
    if (!any)
        return;
    auto cell = [](const QString& caption, const std::string& value) {
        return QStringLiteral("<tr><td style='color:#616e7c'>%1&nbsp;&nbsp;</td><td><b>%2</b></td></tr>")
            .arg(caption, QString::fromStdString(value));
    };
    m_cost->setText(QStringLiteral("<table>") + cell(tr("Parameters"), qnn::humanCount(double(params))) +
                    cell(tr("Weight memory"), qnn::humanBytes(double((memoryBits + 7) / 8))) +
                    cell(tr("MACs"), qnn::humanCount(double(macs))) + cell(tr("BOPs"), qnn::humanCount(double(bops))) +
                    QStringLiteral("</table>"));
}

QString PropertyInspector::costText() const { return m_cost->isHidden() ? QString() : m_cost->text(); }

void PropertyInspector::onNodeChanged(qnn::NodeId id)
{
    if (std::find(m_ids.begin(), m_ids.end(), id) == m_ids.end())
        return;
    // Concat's port count is an attribute, but no field depends on another; values are enough.
    refreshValues();
}

void PropertyInspector::report(bool ok, const QString& error)
{
    if (ok) {
        m_error->clear();
        m_error->hide();
        return;
    }
    m_error->setText(error);
    m_error->show();
    Q_EMIT message(error);
    refreshValues(); // put the editor back to what the model holds
}

void PropertyInspector::rebuild()
{
    delete m_formHost;
    m_formHost = nullptr;
    m_form = nullptr;
    m_editors.clear();
    m_error->clear();
    m_error->hide();

    refreshCost();
    const qnn::Graph& g = m_document->graph();
    if (m_ids.empty()) {
        m_title->setText(tr("No layer selected"));
        m_doc->setText(tr("Select a layer on the canvas to edit it. Select several to edit what they share."));
        return;
    }
    std::vector<const Node*> nodes;
    std::set<qnn::LayerKind> kinds;
    for (qnn::NodeId id : m_ids) {
        nodes.push_back(g.node(id));
        kinds.insert(nodes.back()->kind);
    }
    const Node& first = *nodes.front();
    const qnn::LayerSpec& firstSpec = LayerRegistry::spec(first.kind);
    if (nodes.size() == 1) {
        m_title->setText(QStringLiteral("%1 · %2").arg(QString::fromStdString(first.name),
                                                       QString::fromStdString(firstSpec.name)));
        m_doc->setText(QString::fromStdString(firstSpec.doc));
    } else {
        m_title->setText(tr("%n layers", nullptr, int(nodes.size())));
        QStringList names;
        for (const Node* n : nodes)
            names << QString::fromStdString(n->name);
        if (names.size() > 6)
            names = names.mid(0, 6) << QStringLiteral("…");
        m_doc->setText((kinds.size() == 1 ? tr("All %1: a change applies to each.").arg(QString::fromStdString(firstSpec.name))
                                          : tr("Mixed kinds: only the fields they share are shown.")) +
                       QStringLiteral("\n") + names.join(", "));
    }

    m_formHost = new QWidget(this);
    // Fixed height: a short panel scrolls (it sits in a scroll area) rather than squeezing the fields.
    m_formHost->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    m_form = new QFormLayout(m_formHost);
    m_form->setContentsMargins(0, 6, 0, 0);
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    static_cast<QVBoxLayout*>(layout())->insertWidget(layout()->indexOf(m_error), m_formHost);

    if (nodes.size() == 1) {
        auto* name = new QLineEdit(m_formHost);
        name->setToolTip(tr("Letters, digits, _, - and . (up to 64), starting with a letter or _."));
        name->installEventFilter(this);
        connect(name, &QLineEdit::editingFinished, this, [this, name] {
            if (m_updating || m_ids.size() != 1)
                return;
            QString error;
            const bool ok = m_document->renameNode(m_ids.front(), name->text().trimmed().toStdString(), &error);
            report(ok, error);
        });
        m_form->addRow(tr("Name"), name);
        m_editors["name"] = name;
    }

    // Attributes every selected kind declares with the same type.
    for (const AttrSpec& spec : firstSpec.attrs) {
        bool shared = true;
        for (qnn::LayerKind k : kinds) {
            const AttrSpec* other = LayerRegistry::spec(k).attr(spec.name);
            shared = shared && other && other->type == spec.type;
        }
        if (!shared)
            continue;
        const std::string attr = spec.name;
        auto apply = [this, attr](const qnn::AttrValue& value) {
            if (m_updating)
                return;
            QString error;
            const bool ok = m_document->setAttribute(m_ids, attr, value, &error);
            report(ok, error);
        };
        QWidget* editor = nullptr;
        switch (spec.type) {
        case AttrType::Int: {
            auto* box = new QSpinBox(m_formHost);
            box->setRange(int(std::max<double>(spec.min, INT_MIN)), int(std::min<double>(spec.max, INT_MAX)));
            box->setKeyboardTracking(false);
            box->setAccelerated(true);
            connect(box, &QSpinBox::valueChanged, this, [apply](int v) { apply(int64_t(v)); });
            editor = box;
            break;
        }
        case AttrType::Float: {
            auto* box = new QDoubleSpinBox(m_formHost);
            box->setDecimals(spec.max - spec.min <= 1.0 ? 6 : 4);
            box->setRange(spec.min, spec.max);
            box->setSingleStep(spec.max - spec.min <= 1.0 ? 0.01 : 0.1);
            box->setKeyboardTracking(false);
            connect(box, &QDoubleSpinBox::valueChanged, this, [apply](double v) { apply(v); });
            editor = box;
            break;
        }
        case AttrType::Bool: {
            auto* box = new QCheckBox(m_formHost);
            connect(box, &QCheckBox::toggled, this, [apply](bool v) { apply(v); });
            editor = box;
            break;
        }
        case AttrType::Enum: {
            auto* box = new QComboBox(m_formHost);
            for (const std::string& c : spec.choices)
                box->addItem(QString::fromStdString(c));
            connect(box, &QComboBox::currentTextChanged, this,
                    [apply](const QString& v) { apply(v.toStdString()); });
            editor = box;
            break;
        }
        case AttrType::IntList: {
            auto* edit = new QLineEdit(m_formHost);
            edit->setPlaceholderText(tr("e.g. 784 or 3, 32, 32"));
            connect(edit, &QLineEdit::editingFinished, this, [this, edit, apply, attr] {
                if (m_updating)
                    return;
                std::vector<int64_t> list;
                if (!textToList(edit->text(), list)) {
                    report(false, tr("%1: write whole numbers separated by commas, such as 3, 32, 32")
                                      .arg(QString::fromStdString(attr)));
                    return;
                }
                apply(list);
            });
            editor = edit;
            break;
        }
        }
        editor->setToolTip(QString::fromStdString(spec.doc));
        editor->setObjectName(QString::fromStdString(spec.name));
        auto* label = new QLabel(QString::fromStdString(spec.name), m_formHost);
        label->setToolTip(QString::fromStdString(spec.doc));
        m_form->addRow(label, editor);
        m_editors[QString::fromStdString(spec.name)] = editor;
    }

    bool allWeights = true, allActs = true;
    for (qnn::LayerKind k : kinds) {
        allWeights = allWeights && LayerRegistry::spec(k).hasWeights;
        allActs = allActs && LayerRegistry::spec(k).hasActivationBits;
    }
    if (allWeights) {
        QComboBox* combo = makeBitsCombo(m_formHost);
        combo->setToolTip(tr("Bits of each weight: 1 = binary ±1, 32 = float."));
        connect(combo, &QComboBox::currentIndexChanged, this, [this, combo](int) {
            if (m_updating)
                return;
            QString error;
            report(m_document->setBits(m_ids, combo->currentData().toInt(), std::nullopt, &error), error);
        });
        m_form->addRow(tr("Weight bits"), combo);
        m_editors["weight_bits"] = combo;
    }
    if (allActs) {
        QComboBox* combo = makeBitsCombo(m_formHost);
        combo->setToolTip(tr("Bits of the values this layer outputs: 1 = binary ±1, 32 = float."));
        connect(combo, &QComboBox::currentIndexChanged, this, [this, combo](int) {
            if (m_updating)
                return;
            QString error;
            report(m_document->setBits(m_ids, std::nullopt, combo->currentData().toInt(), &error), error);
        });
        m_form->addRow(tr("Activation bits"), combo);
        m_editors["act_bits"] = combo;
    }
    refreshValues();
}

void PropertyInspector::refreshValues()
{
    if (m_ids.empty() || !m_form)
        return;
    const qnn::Graph& g = m_document->graph();
    const Node* first = g.node(m_ids.front());
    if (!first)
        return;
    m_updating = true;
    // Fields whose value differs between the selected layers get an italic label.
    auto mixed = [&](auto get) {
        for (qnn::NodeId id : m_ids)
            if (const Node* n = g.node(id); n && !(get(*n) == get(*first)))
                return true;
        return false;
    };
    for (auto it = m_editors.begin(); it != m_editors.end(); ++it) {
        const QString field = it.key();
        QWidget* editor = it.value();
        bool isMixed = false;
        if (field == "name") {
            static_cast<QLineEdit*>(editor)->setText(QString::fromStdString(first->name));
        } else if (field == "weight_bits" || field == "act_bits") {
            const bool weights = field == "weight_bits";
            const int bits = weights ? first->quant.weightBits : first->quant.actBits;
            auto* combo = static_cast<QComboBox*>(editor);
            combo->setCurrentIndex(combo->findData(bits));
            isMixed = mixed([weights](const Node& n) { return weights ? n.quant.weightBits : n.quant.actBits; });
        } else {
            const std::string attr = field.toStdString();
            const AttrSpec* spec = LayerRegistry::spec(first->kind).attr(attr);
            if (!spec)
                continue;
            switch (spec->type) {
            case AttrType::Int:
                static_cast<QSpinBox*>(editor)->setValue(int(first->attrInt(attr)));
                break;
            case AttrType::Float:
                static_cast<QDoubleSpinBox*>(editor)->setValue(first->attrFloat(attr));
                break;
            case AttrType::Bool:
                static_cast<QCheckBox*>(editor)->setChecked(first->attrBool(attr));
                break;
            case AttrType::Enum:
                static_cast<QComboBox*>(editor)->setCurrentText(QString::fromStdString(first->attrString(attr)));
                break;
            case AttrType::IntList:
                static_cast<QLineEdit*>(editor)->setText(listToText(first->attrInts(attr)));
                break;
            }
            isMixed = mixed([&attr](const Node& n) {
                auto a = n.attrs.find(attr);
                return a == n.attrs.end() ? qnn::AttrValue() : a->second;
            });
        }
        if (QWidget* label = m_form->labelForField(editor)) {
            QFont f = label->font();
            f.setItalic(isMixed);
            label->setFont(f);
            label->setToolTip(isMixed ? tr("The selected layers differ here; a change sets all of them.")
                                      : editor->toolTip());
        }
    }
    m_updating = false;
}
