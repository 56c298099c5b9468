"""medkb's templates and assets on the theme's search path, as MkDocs' search plugin does.

Every partial, stylesheet and script medkb needs ships in ``templates/``
beside this module. Each medkb plugin calls :func:`use_medkb_theme` from
``on_config``: the folder goes after the site's ``theme.custom_dir`` (so a
site overrides any file by the same name) and before Material's own folders.
MkDocs then loads the templates from it and copies its non-template files
(``assets/``) into the site, as for any theme folder.
"""

from __future__ import annotations

import os

from markupsafe import Markup, escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

from medkb import TEMPLATES_DIR

#: Material partials medkb ships its own version of (see the README).
REPLACED_MATERIAL_PARTIALS = ("partials/header.html", "partials/content.html", "partials/nav.html", "partials/copyright.html", "404.html")


def use_medkb_theme(config: MkDocsConfig, plugin: str) -> None:
    """Put medkb's templates on the theme's path (once) and escape the site's strings for Material."""
    theme = config.theme
    if theme.name != "material":
        raise PluginError(
            f"{plugin}: theme '{theme.name}' is not supported; medkb builds on Material for MkDocs "
            "(theme: {name: material} in mkdocs.yml)"
        )
    dirs = theme.dirs
    ours = str(TEMPLATES_DIR)
    if ours not in dirs:
        custom = theme.custom_dir
        first_is_custom = bool(custom) and bool(dirs) and os.path.abspath(dirs[0]) == os.path.abspath(str(custom))
        dirs.insert(1 if first_is_custom else 0, ours)
    # Material prints the site name and description into attributes and text
    # without escaping; Markup carries them escaped exactly once.
    for key in ("site_name", "site_description"):
        value = config[key]
        if isinstance(value, str) and not isinstance(value, Markup):
            config[key] = Markup(escape(value))
