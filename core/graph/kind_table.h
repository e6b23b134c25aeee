#pragma once

#include "core/graph/layer_kind.h"

#include <string>
#include <utility>
#include <vector>

namespace qnn {

/** What one backend (the torch builder, the cost model, the QONNX exporter,
 *  the summary, the packer) declares about the layer kinds: one entry per
 *  kind, either a handler or the sentence a user gets when the backend
 *  deliberately does not handle it. tests/onnx/tst_layer_kinds checks every
 *  backend against the registry, so a kind added to the registry and
 *  forgotten in a backend fails a test naming both. */
class KindCoverage
{
public:
    explicit KindCoverage(std::string backend) : m_backend(std::move(backend)) {}
    virtual ~KindCoverage() = default;

    /** "the torch builder", as it reads in a sentence. */
    const std::string& backend() const { return m_backend; }
    /** The registry's kinds this backend has no entry for, by name, in the registry's order. */
    std::vector<std::string> missingKinds() const;
    /** Kinds with an entry, in the table's order. */
    std::vector<LayerKind> declaredKinds() const;
    bool declares(LayerKind kind) const;
    /** The sentence the table gives for a kind it does not handle; empty when it handles it. */
    std::string unsupportedReason(LayerKind kind) const;
    /** Why `kind` cannot go through this backend, as a sentence: the table's
     *  reason, or that the backend has no entry for it; empty when it can. */
    std::string refusal(LayerKind kind) const;

protected:
    void declare(LayerKind kind, std::string unsupported);

private:
    std::string m_backend;
    std::vector<std::pair<LayerKind, std::string>> m_declared;
};

/** A backend's table keyed by layer kind. `Handler` is whatever the backend
 *  does per kind (a function building a torch layer, writing ONNX nodes, ...). */
template <typename Handler>
class KindTable : public KindCoverage
{
public:
    struct Entry {
        LayerKind kind;
        Handler handler;
        /** Non-empty: the backend deliberately does not handle this kind, and this is what the user reads. */
        std::string unsupported;
    };

    /** An entry for a kind the backend refuses on purpose, with the user's sentence. */
    static Entry unsupported(LayerKind kind, std::string sentence) { return Entry{kind, Handler{}, std::move(sentence)}; }

    KindTable(std::string backend, std::vector<Entry> entries)
        : KindCoverage(std::move(backend)), m_entries(std::move(entries))
    {
        for (const Entry& e : m_entries)
            declare(e.kind, e.unsupported);
    }

    /** The handler for `kind`; null when the table refuses it or has no entry (see refusal()). */
    const Handler* handler(LayerKind kind) const
    {
        for (const Entry& e : m_entries)
            if (e.kind == kind)
                return e.unsupported.empty() ? &e.handler : nullptr;
        return nullptr;
    }

private:
    std::vector<Entry> m_entries;
};

} // namespace qnn
