# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The filter collab.uc.md_text is the collection's one Markdown rule (module_utils/domain/_markdown.py), for
templates."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.collab.uc.plugins.filter.md_text import FilterModule
from ansible_collections.collab.uc.plugins.module_utils.domain._markdown import md_text


def test_the_filter_is_the_module_utils_rule():
    assert FilterModule().filters()['md_text'] is md_text


@pytest.mark.parametrize('value, escaped', [
    ('E\\|x', 'E\\\\\\|x'),
    ('<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'),
    ('![i](//e.example/x.png)', '\\!\\[i\\](//e.example/x.png)'),
    ('a\nb\x7fc', 'a b c'),
    (None, ''),
    (42, '42'),
])
def test_values_in_a_template_stay_plain_text(value, escaped):
    assert FilterModule().filters()['md_text'](value) == escaped
