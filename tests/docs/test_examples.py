# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every example a user may copy (module EXAMPLES, guides, docs/examples) is valid YAML and uses FQCNs."""

from __future__ import annotations

import glob
import importlib
import os
import re

import pytest
import yaml

from ansible.playbook.block import Block
from ansible_collections.chatops.rocketchat.plugins.module_utils._definition import definition_argument_spec
from ansible.playbook.play import Play
from ansible.playbook.task import Task

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TASK_KEYWORDS = set(Task.fattributes) | set(Block.fattributes) | {'local_action', 'with_items', 'with_dict'}
PLAY_KEYWORDS = set(Play.fattributes)
FQCN = re.compile(r'^[a-z0-9_]+\.[a-z0-9_]+\.[a-z0-9_.]+$')
DEFINITION_TYPES = ('webhook-incoming', 'webhook-outgoing')
CODE_BLOCK = re.compile(r'^\.\. code-block:: (yaml|yaml\+jinja)\n\n((?:(?:   .*)?\n)+)', re.MULTILINE)


def actions(tasks, where):
    """(action name, where) for every task, through blocks."""
    for index, task in enumerate(tasks or []):
        assert isinstance(task, dict), '%s: task %d is not a mapping' % (where, index)
        for section in ('block', 'rescue', 'always'):
            if section in task:
                yield from actions(task[section], '%s[%d].%s' % (where, index, section))
        if not {'block', 'rescue', 'always'} & set(task):
            names = [key for key in task if key not in TASK_KEYWORDS]
            assert len(names) == 1, '%s: task %d has actions %s' % (where, index, names)
            yield names[0], '%s[%d]' % (where, index)


def check_document(document, where):
    """A playbook, a task list or a variables file; returns how many actions and roles were checked."""
    checked = 0
    if isinstance(document, list) and document and isinstance(document[0], dict) and 'hosts' in document[0]:
        for play in document:
            for section in ('pre_tasks', 'tasks', 'post_tasks', 'handlers'):
                for action, place in actions(play.get(section), where):
                    assert FQCN.match(action), '%s: %r is not a fully qualified collection name' % (place, action)
                    checked += 1
            for role in play.get('roles', []):
                name = role['role'] if isinstance(role, dict) else role
                assert FQCN.match(name), '%s: role %r is not a fully qualified collection name' % (where, name)
                checked += 1
    elif isinstance(document, list) and all(isinstance(item, dict) and item.get('type') in DEFINITION_TYPES
                                            for item in document):
        # a declaration file for rocketchat_integrations: every key must be an option of a definition
        for index, item in enumerate(document):
            unknown = set(item) - set(definition_argument_spec())
            assert not unknown, '%s: definition %d has unknown options %s' % (where, index, sorted(unknown))
            checked += 1
    elif isinstance(document, list):
        for action, place in actions(document, where):
            assert FQCN.match(action), '%s: %r is not a fully qualified collection name' % (place, action)
            checked += 1
    return checked


MODULES = sorted(os.path.splitext(os.path.basename(path))[0]
                 for path in glob.glob(os.path.join(ROOT, 'plugins', 'modules', '*.py')))
GUIDES = sorted(glob.glob(os.path.join(ROOT, 'docs', 'docsite', 'rst', '*.rst')))
PLAYBOOKS = sorted(glob.glob(os.path.join(ROOT, 'docs', 'examples', '*.yml'))
                   + glob.glob(os.path.join(ROOT, 'docs', 'examples', 'webhooks', '*.yml')))


@pytest.mark.parametrize('name', MODULES)
def test_module_examples(name):
    module = importlib.import_module('ansible_collections.chatops.rocketchat.plugins.modules.%s' % name)
    tasks = yaml.safe_load(module.EXAMPLES)
    assert check_document(tasks, name) >= 3
    used = {action for action, _where in actions(tasks, name)}
    assert 'chatops.rocketchat.%s' % name in used


@pytest.mark.parametrize('name', MODULES)
def test_module_documentation_parses(name):
    """ansible-doc and sanity's validate-modules read these; a YAML slip (a ': ' in a plain description) fails them
    only in the slow sanity run, so catch it here, in make check."""
    module = importlib.import_module('ansible_collections.chatops.rocketchat.plugins.modules.%s' % name)
    documentation = yaml.safe_load(module.DOCUMENTATION)
    returns = yaml.safe_load(module.RETURN)
    assert documentation['module'] == name and documentation['options']
    assert all('description' in value and 'returned' in value for value in returns.values()), name


@pytest.mark.parametrize('path', GUIDES, ids=os.path.basename)
def test_guide_code_blocks(path):
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    blocks = [(match.start(), '\n'.join(line[3:] for line in match.group(2).splitlines()))
              for match in CODE_BLOCK.finditer(text)]
    for offset, block in blocks:
        where = '%s at character %d' % (os.path.basename(path), offset)
        document = yaml.safe_load(block)
        assert document is not None, where
        check_document(document, where)


@pytest.mark.parametrize('path', PLAYBOOKS, ids=os.path.basename)
def test_example_files(path):
    with open(path, encoding='utf-8') as handle:
        document = yaml.safe_load(handle)
    check_document(document, os.path.basename(path))


def test_every_module_and_guide_was_found():
    assert MODULES == ['rocketchat_integration', 'rocketchat_integration_info', 'rocketchat_integration_prune',
                       'rocketchat_integrations']
    assert len(GUIDES) == 7 and len(PLAYBOOKS) == 12
    blocks = 0
    for path in GUIDES:
        with open(path, encoding='utf-8') as handle:
            blocks += len(CODE_BLOCK.findall(handle.read()))
    assert blocks >= 5, 'the YAML code blocks of the guides were not found'


def test_the_dead_webhooks_guide_shows_its_playbooks_as_they_are():
    """The guide's complete playbook and restore playbook are docs/examples' files, word for word: what a reader
    copies is what make demo and the reliability tests run."""
    with open(os.path.join(ROOT, 'docs', 'docsite', 'rst', 'dead_webhooks.rst'), encoding='utf-8') as handle:
        guide = handle.read()
    blocks = [block for _kind, block in CODE_BLOCK.findall(guide)]
    for name in ('dead_webhooks.yml', 'restore_webhooks.yml'):
        with open(os.path.join(ROOT, 'docs', 'examples', name), encoding='utf-8') as handle:
            text = handle.read()
        shown = ''.join(('   ' + line if line.strip() else '') + '\n' for line in text.rstrip('\n').split('\n'))
        assert any(block.startswith(shown) for block in blocks), '%s differs from its copy in the guide' % name
