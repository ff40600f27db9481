# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures for the double's own tests. The double itself (`double`, `running_double`) comes from the shared
fixture module rocketchat_double.fixtures, which `make` loads with `-p rocketchat_double.fixtures`."""

from __future__ import annotations

import pytest
import requests


class Caller:
    """One authenticated API user over a keep-alive session."""

    def __init__(self, url: str, user_id: str | None = None, token: str | None = None):
        self.url = url
        self.session = requests.Session()
        if user_id:
            self.session.headers.update({'X-User-Id': user_id, 'X-Auth-Token': token})
        self.user_id = user_id

    def get(self, endpoint, **params):
        return self.session.get('%s/api/v1/%s' % (self.url, endpoint), params=params, timeout=10)

    def post(self, endpoint, body):
        return self.session.post('%s/api/v1/%s' % (self.url, endpoint), json=body, timeout=10)

    def put(self, endpoint, body):
        return self.session.put('%s/api/v1/%s' % (self.url, endpoint), json=body, timeout=10)


@pytest.fixture
def admin(double):
    created = double.control.add_user('admin', password='admin-secret', roles=['admin', 'user'])
    return Caller(double.url, created['user']['_id'], created['authToken'])


@pytest.fixture
def make_user(double):
    def make(username='user', roles=('user',), permissions=()):
        created = double.control.add_user(username, password='%s-secret' % username, roles=list(roles),
                                          permissions=list(permissions))
        return Caller(double.url, created['user']['_id'], created['authToken'])
    return make
