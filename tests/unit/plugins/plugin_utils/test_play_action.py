# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The run-once action plugins' shared part: ``compiled_once``, which keeps a compiled template for every host's
templar within a block (issue 20: the 50-cluster plan step compiled each module_defaults string once per host)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from unittest import mock

import pytest

from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ansible_collections.collab.uc.plugins.plugin_utils import _play_action
from ansible_collections.collab.uc.plugins.plugin_utils._play_action import compiled_once, trust_as_template

ENGINE = _play_action._TemplateEngine
needs_engine = pytest.mark.skipif(ENGINE is None, reason='ansible-core before 2.19 has no template engine to keep for')


def render(text, **variables):
    return Templar(loader=DataLoader(), variables=variables).template(trust_as_template(text))


@pytest.fixture
def compiles():
    """The real compilations of templates (a spy on the engine's own method, under compiled_once's keeping)."""
    with mock.patch.object(ENGINE, '_compile_template', autospec=True,
                           side_effect=ENGINE._compile_template) as spy:
        yield spy


@needs_engine
def test_a_template_is_compiled_once_and_each_host_gets_its_own_values(compiles):
    with compiled_once():
        assert [render('{{ name | upper }}-{{ port }}', name=n, port=p) for n, p in (('a', 1), ('b', 2), ('c', 3))] \
            == ['A-1', 'B-2', 'C-3']
    assert compiles.call_count == 1
    render('{{ name | upper }}-{{ port }}', name='d', port=4)          # after the block: compiled anew each time
    render('{{ name | upper }}-{{ port }}', name='e', port=5)
    assert compiles.call_count == 3


@needs_engine
def test_other_texts_are_kept_apart(compiles):
    with compiled_once():
        assert render('{{ name }}', name='x') == 'x'
        assert render('{{ name }}!', name='x') == 'x!'
        assert render('{{ name }}', name='y') == 'y'
    assert compiles.call_count == 2


@needs_engine
def test_a_template_that_fails_to_compile_is_not_kept_and_fails_every_time(compiles):
    with compiled_once():
        with pytest.raises(Exception) as first:
            render('{{ name | }}', name='x')
        with pytest.raises(Exception) as second:
            render('{{ name | }}', name='x')
    assert str(first.value) == str(second.value) and 'syntax' in str(first.value).lower(), str(first.value)
    assert compiles.call_count == 2


@needs_engine
def test_the_engine_is_itself_again_after_the_block_even_after_an_error():
    before = ENGINE.__dict__['_compile_template']
    with pytest.raises(RuntimeError):
        with compiled_once():
            assert ENGINE.__dict__['_compile_template'] is not before
            raise RuntimeError('stop')
    assert ENGINE.__dict__['_compile_template'] is before


def test_without_the_engine_the_block_changes_nothing(monkeypatch):
    monkeypatch.setattr(_play_action, '_TemplateEngine', None)
    with compiled_once():
        assert render('{{ name }}', name='z') == 'z'
