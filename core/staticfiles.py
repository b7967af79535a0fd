"""The static files' storage in production (docs/deployment.md "Static files")."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed, content-hashed storage, with the page's ES modules'
    ``import … from "./x.js"`` and ``import("./x.js")`` rewritten to the hashed names too
    (Django leaves that off by default): a module loaded under a hashed name must load its
    dependencies under theirs, or an upgrade would mix new and cached old modules."""

    support_js_module_import_aggregation = True
