# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The double checks requests with Rocket.Chat's own published validators (@rocket.chat/rest-typings), and the check
can fail: an extra key, a missing required key and a wrong type are each rejected, in every dialect, with ajv's own
messages. `make double-tests` fetches the validators and names them in ROCKETCHAT_DOUBLE_REQUEST_SCHEMAS; without
them these tests fail (they do not skip)."""

from __future__ import annotations

import os

import pytest
import requests

from rocketchat_double.launcher import RunningDouble

INCOMING = {'type': 'webhook-incoming', 'name': 'checked', 'enabled': True, 'username': 'rocket.cat',
            'channel': '#general', 'scriptEnabled': False}


@pytest.fixture(scope='module', params=['v-a', 'v-b', 'v-c'])
def checked_double(request, tmp_path_factory):
    directory = os.environ.get('ROCKETCHAT_DOUBLE_REQUEST_SCHEMAS')
    assert directory, 'ROCKETCHAT_DOUBLE_REQUEST_SCHEMAS is not set: run `make double-tests`, which fetches them'
    with RunningDouble(str(tmp_path_factory.mktemp('checked')), idle_timeout=120, dialect=request.param,
                       request_schemas=directory) as double:
        created = double.control.add_user('checker', password='checker-password', roles=['admin', 'user'])
        session = requests.Session()
        session.headers.update({'X-User-Id': created['user']['_id'], 'X-Auth-Token': created['authToken']})
        yield double, session, request.param


def post(checked, endpoint, body):
    double, session, dummy = checked
    return session.post('%s/api/v1/%s' % (double.url, endpoint), json=body, timeout=20)


def rejections(checked):
    return checked[0].control.call('GET', 'schema_rejections')['rejections']


def test_a_valid_request_passes(checked_double):
    before = len(rejections(checked_double))
    answer = post(checked_double, 'integrations.create', INCOMING)
    assert answer.status_code == 200, answer.text
    assert len(rejections(checked_double)) == before


@pytest.mark.parametrize('change, message', [
    ({'bogus': 1}, 'must NOT have additional properties'),
    ({'channel': ['#general']}, 'must be string'),
    ({'enabled': 'yes'}, 'must be boolean'),
])
def test_rejected_bodies_get_the_servers_answer(checked_double, change, message):
    answer = post(checked_double, 'integrations.create', dict(INCOMING, **change))
    body = answer.json()
    assert answer.status_code == 400 and body['errorType'] == 'invalid-params'
    assert message in body['error'] and body['error'].endswith('must match exactly one schema in oneOf [invalid-params]')
    assert rejections(checked_double)[-1]['endpoint'] == 'integrations.create'


def test_null_for_a_non_nullable_field(checked_double):
    """6.x and 7.x compile with a plain Ajv and refuse null; 8.x's shared Ajv coerces types, and null becomes ''."""
    answer = post(checked_double, 'integrations.create', dict(INCOMING, name=None))
    if checked_double[2] == 'v-c':
        assert answer.status_code == 200 and answer.json()['integration']['name'] == ''
    else:
        assert answer.status_code == 400 and 'must be string' in answer.json()['error']


def test_a_missing_required_key_is_rejected(checked_double):
    body = {key: value for key, value in INCOMING.items() if key != 'scriptEnabled'}
    answer = post(checked_double, 'integrations.create', body)
    assert answer.status_code == 400 and "must have required property 'scriptEnabled'" in answer.json()['error']


def test_queries_are_checked_where_the_release_has_a_validator(checked_double):
    double, session, dialect = checked_double
    answer = session.get(double.url + '/api/v1/integrations.get', params={'bogus': 'x'}, timeout=20)
    assert answer.status_code == 400 and "must have required property 'integrationId'" in answer.json()['error']
    listed = session.get(double.url + '/api/v1/integrations.list', params={'bogus': 'x'}, timeout=20)
    # 6.x publishes no validator for integrations.list (it takes any query); 7.x and 8.x refuse unknown keys.
    assert listed.status_code == (200 if dialect == 'v-a' else 400)
