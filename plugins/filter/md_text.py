# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filter collab.uc.md_text: the collection's one Markdown escaping rule (module_utils/domain/_markdown.py), for
templates."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.collab.uc.plugins.module_utils.domain._markdown import md_text


class FilterModule(object):
    """collab.uc's filters."""

    def filters(self):
        return {'md_text': md_text}
