# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""What Rocket.Chat's integrations endpoints mean: list/get/create/update/remove, the permission view, the
server's "not found" answers, and finding the one integration a task names. HTTP itself is in ``_client.py``."""

from __future__ import annotations

import typing as t

from ansible_collections.chatops.rocketchat.plugins.module_utils._client import RocketChatClient
from ansible_collections.chatops.rocketchat.plugins.module_utils._definition import PresentPlan
from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import PlanRefused, RocketChatError
from ansible_collections.chatops.rocketchat.plugins.module_utils._deliveries import stored_moment
from ansible_collections.chatops.rocketchat.plugins.module_utils._integration import (
    INCOMING,
    OUTGOING,
    Integration,
    exact_name_matches,
    request_body,
)

LIST_PAGE_SIZE = 100  # the server's cap on count
# Without a sort on a unique key the server sorts by a field integrations lack, and MongoDB returns ties in no
# stable order under skip/limit: pages would repeat some integrations and miss others.
STABLE_SORT = '{"_id":1}'
# Exact error texts of the server (tests/rocketchat_double/README.md, "Endpoints").
NOT_FOUND_TEXT = 'No integration found.'  # update and remove of an id that does not exist
GET_MISSING_TEXT = 'The integration does not exists.'  # get of an id that does not exist
GET_FORBIDDEN_TEXT = 'not-authorized'  # get of an integration the user may not manage
PERMISSIONS = ('manage-incoming-integrations', 'manage-own-incoming-integrations', 'manage-outgoing-integrations',
               'manage-own-outgoing-integrations')
UNKNOWN_VIEW = {INCOMING: 'unknown', OUTGOING: 'unknown'}


def oldest_first(doc: Integration) -> tuple:
    """The order two racing runs agree on without talking to each other: _createdAt, then _id (both set by the
    server, never changed)."""
    moment = stored_moment(doc.created_at)
    return (moment is None, moment.isoformat() if moment else '', doc.id)


def winners(created: list[Integration], listing: list[Integration]) -> dict[str, Integration]:
    """For each integration this run created: the one of its name and type that stays, the oldest. Another run that
    created the same name at the same time reads the same listing order and comes to the same answer."""
    chosen = {}
    for doc in created:
        same = exact_name_matches(listing, doc.name, doc.type)
        if not any(other.id == doc.id for other in same):
            same.append(doc)  # not listed yet: it still counts, with its own _createdAt
        chosen[doc.id] = min(same, key=oldest_first)
    return chosen


def describe_candidate(doc: Integration) -> str:
    """One of several integrations that share a name, with what tells it apart from the others."""
    return '%s (channel %s, created by %s on %s)' % (
        doc.id, ', '.join(doc.channel) or 'none', doc.created_by or '?', (doc.created_at or '?')[:10])


def shared_name_warning(docs: list[Integration], integration_type: str, name: str | None) -> str | None:
    """When several integrations of the type share `name`: which one a run that takes the oldest manages."""
    same = sorted(exact_name_matches(docs, name, integration_type), key=oldest_first) if name else []
    if len(same) < 2:
        return None
    return ('%d %s integrations are named %r; this run manages the oldest, %s, and leaves %s alone. A run that created '
            'one of them at the same time removes its own; otherwise remove the others, or select one with '
            'integration_id.' % (len(same), integration_type, name, describe_candidate(same[0]),
                                 ', '.join(doc.id for doc in same[1:])))


def is_not_found(error: RocketChatError) -> bool:
    """The server's answer when the integration to update or remove does not exist."""
    return error.status == 400 and error.error_text == NOT_FOUND_TEXT


def explain_permission_error(error: RocketChatError) -> RocketChatError:
    """Name the integration permissions in a denial; other errors pass unchanged."""
    if error.status == 403:
        return error.with_message('%s It needs one of the permissions %s.'
                                  % (error.message.rstrip('.'), ', '.join(PERMISSIONS)))
    if error.error_type == 'not_authorized' or error.error_text == GET_FORBIDDEN_TEXT:
        return error.with_message(
            'Rocket.Chat refused %s %s (HTTP %s: %s): the user may not manage this kind of integration, or not this '
            'one. It needs manage-incoming-integrations / manage-outgoing-integrations, or the manage-own-* '
            'permission for integrations it created.' % (error.method, error.url, error.status, error.error_text))
    return error


def select_integration(docs: list[Integration], integration_type: str, integration_id: str | None = None,
                       name: str | None = None, target_url: str | None = None, oldest_of_a_name: bool = False
                       ) -> Integration | None:
    """The one integration of `docs` the identity options point at (by id, outgoing target_url, or exact name within
    the type), or None. Raises PlanRefused for an id of the other type, or when several match.

    oldest_of_a_name: when several share the name, the oldest is the one (as settle_created decides after a create):
    a run that lists while a concurrent run's duplicate still exists, before that run removes it, then plans on the
    integration that stays instead of failing."""
    if integration_id:
        found = [doc for doc in docs if doc.id == integration_id]
        if found and found[0].type != integration_type:
            raise PlanRefused(
                'Integration %s is of type %s, not %s; refusing to touch it (the API looks integrations up by id '
                'only, so a wrong type would act on the wrong kind of integration). Fix type or integration_id.'
                % (integration_id, found[0].type, integration_type))
        return found[0] if found else None
    if target_url:
        candidates = [doc for doc in docs if doc.type == integration_type and target_url in doc.urls]
        what = 'target_url %r' % target_url
    else:
        candidates = exact_name_matches(docs, name, integration_type)
        what = 'name %r' % name
        if oldest_of_a_name and candidates:
            return min(candidates, key=oldest_first)
    if len(candidates) > 1:
        raise PlanRefused(
            '%d %s integrations match %s: %s. Nothing was changed; select one with integration_id.'
            % (len(candidates), integration_type, what,
               '; '.join(describe_candidate(doc) for doc in sorted(candidates, key=lambda doc: doc.id))))
    return candidates[0] if candidates else None


class IntegrationsApi:
    """The integrations endpoints over one client."""

    def __init__(self, client: RocketChatClient):
        self.client = client
        self.username: str | None = None  # the token's user, as /me names it (read by view)

    def _call(self, method: str, endpoint: str, **kwargs) -> dict:
        try:
            return self.client.request(method, endpoint, **kwargs)
        except RocketChatError as error:
            raise explain_permission_error(error) from None

    def view(self) -> dict[str, str]:
        """What integrations.list shows this user, per type: 'all', 'own', 'none' or 'unknown'.

        Rocket.Chat lists only the caller's own integrations when it holds just manage-own-* permissions,
        so "not listed" then does not mean "does not exist". Reads /me and permissions.listAll.
        """
        try:
            me = self.client.request('GET', 'me')
            roles = set(me.get('roles') or [])
            self.username = me.get('username') if isinstance(me.get('username'), str) else None
        except RocketChatError as error:
            if error.status == 401:
                raise
            return dict(UNKNOWN_VIEW)
        try:
            listing = self.client.request('GET', 'permissions.listAll')
        except RocketChatError as error:
            if error.status == 401:
                raise
            view = 'all' if 'admin' in roles else 'unknown'
            return {INCOMING: view, OUTGOING: view}
        held = {entry.get('_id') for entry in listing.get('update') or []
                if isinstance(entry, dict) and roles.intersection(entry.get('roles') or [])}
        manage_in, manage_out = 'manage-incoming-integrations' in held, 'manage-outgoing-integrations' in held
        own_in, own_out = 'manage-own-incoming-integrations' in held, 'manage-own-outgoing-integrations' in held
        if manage_in and manage_out:
            return {INCOMING: 'all', OUTGOING: 'all'}
        if own_in and own_out:
            return {INCOMING: 'own', OUTGOING: 'own'}
        return {INCOMING: 'all' if manage_in else 'own' if own_in else 'none',
                OUTGOING: 'all' if manage_out else 'own' if own_out else 'none'}

    def list_integrations(self, integration_type: str | None = None, name: str | None = None) -> list[Integration]:
        """Every page of integrations.list, in a stable order, each integration once. name narrows on the server
        (substring); callers match exactly."""
        found: list[Integration] = []
        seen: set = set()
        offset = 0
        while True:
            params: dict[str, t.Any] = {'offset': offset, 'count': LIST_PAGE_SIZE, 'sort': STABLE_SORT}
            if integration_type:
                params['type'] = integration_type
            if name:
                params['name'] = name
            page = self._call('GET', 'integrations.list', params=params)
            items = page.get('integrations') or []
            found.extend(Integration.from_api(doc) for doc in items if doc.get('_id') not in seen)
            seen.update(doc.get('_id') for doc in items)
            offset += len(items)
            total = page.get('total')
            if not items or not isinstance(total, int) or offset >= total:
                break
        if integration_type:
            # 6.x servers ignore the filters: apply them here as well.
            found = [doc for doc in found if doc.type == integration_type]
        return found

    def get(self, integration_id: str) -> Integration | None:
        """The integration, or None when the server says it does not exist."""
        try:
            answer = self.client.request('GET', 'integrations.get', params={'integrationId': integration_id})
        except RocketChatError as error:
            if error.status == 400 and error.error_text == GET_MISSING_TEXT:
                return None
            if error.status == 400 and error.error_text == GET_FORBIDDEN_TEXT:
                raise error.with_message(
                    'Integration %s exists, but this user may not manage it: it belongs to someone else and the user '
                    'holds only a manage-own-*-integrations permission.' % integration_id) from None
            raise explain_permission_error(error) from None
        found = answer.get('integration')
        return Integration.from_api(found) if isinstance(found, dict) else None

    def create_from(self, integration_type: str, plan: PresentPlan) -> Integration:
        """Create what a 'create' plan says; the stored document."""
        body = request_body(integration_type, plan.after)
        return Integration.from_api(
            self._call('POST', 'integrations.create', json_body=body, safe_to_retry=False)['integration'])

    def update_from(self, integration_type: str, plan: PresentPlan, integration_id: str) -> Integration:
        """Send what an 'update' plan says, and check that the server did it; the re-read document."""
        body = request_body(integration_type, plan.after, integration_id)
        try:
            updated = Integration.from_api(
                self._call('PUT', 'integrations.update', json_body=body, safe_to_retry=False)['integration'])
        except RocketChatError as error:
            if error.error_type == 'error-invalid-token':
                raise error.with_message('Rocket.Chat needs a token to update outgoing integration %s and none is '
                                         'stored; set the token option.' % integration_id) from None
            raise
        if 'username' in plan.changed_fields and updated.username != plan.after['username']:
            # Servers before 7.0 keep the post-as user of an incoming integration and answer success.
            raise RocketChatError(
                'Rocket.Chat kept %r as the user incoming integration %s posts as, although the update asked for %r: '
                'this server version does not change it on update (Rocket.Chat 7.0 and later do). The other changes '
                'were applied. Set username: %s to match the server, or change the user in Rocket.Chat.'
                % (updated.username, integration_id, plan.after['username'], updated.username))
        return updated

    def settle_created(self, created: list[Integration]) -> tuple[dict[str, Integration], list[dict]]:
        """After creating: read back by exact name and type. Rocket.Chat has no unique name, so two runs that both
        saw "missing" both create; when several exist, the oldest stays and each run removes only the duplicates it
        created itself. Returns the winner for each created id, and what was resolved."""
        if not created:
            return {}, []
        if len(created) == 1:
            listing = self.list_integrations(created[0].type, created[0].name)
        else:
            listing = self.list_integrations()
        chosen = winners(created, listing)
        resolved = []
        for doc in created:
            kept = chosen[doc.id]
            if kept.id != doc.id:
                self.remove(doc.type, doc.id)
                resolved.append({'name': doc.name, 'type': doc.type, 'kept': kept.id, 'removed': doc.id})
        return chosen, resolved

    def remove(self, integration_type: str, integration_id: str) -> bool:
        """Remove by id. True when this call removed it, False when it was already gone.

        Safe to retry: a repeat after a lost answer gets "No integration found.", which then means that the
        attempt whose answer was lost removed it.
        """
        try:
            self.client.request('POST', 'integrations.remove', safe_to_retry=True,
                                json_body={'type': integration_type, 'integrationId': integration_id})
        except RocketChatError as error:
            if is_not_found(error):
                return error.attempts > 1
            if error.error_type == 'error-invalid-integration':
                raise error.with_message(
                    'Integration %s cannot be removed by this user: it belongs to someone else and the user holds only '
                    'a manage-own-*-integrations permission (%s).' % (integration_id, error.error_text)) from None
            raise explain_permission_error(error) from None
        return True

    def lookup(self, integration_type: str | None = None, integration_id: str | None = None,
               name: str | None = None) -> list[Integration]:
        """The integrations a task could mean: the one with integration_id (get), else the listing of the type,
        narrowed on the server by name (a substring: callers match exactly)."""
        if integration_id:
            found = self.get(integration_id)
            return [found] if found is not None else []
        return self.list_integrations(integration_type, name)

    # ---- the lookups behind the prune's facts (_facts.py) ---------------------------------------
    def history(self, integration_id: str, count: int, offset: int = 0) -> dict:
        """One page of an outgoing integration's history rows (the server sorts by _updatedAt, newest first, and
        caps count at 100), and `total`."""
        return self.client.request('GET', 'integrations.history',
                                   params={'id': integration_id, 'count': count, 'offset': offset})

    def user_info(self, user_id: str | None = None, username: str | None = None) -> dict:
        """users.info by id or username: the user document (its `active` flag is visible to every caller)."""
        params = {'userId': user_id} if user_id else {'username': username}
        return self.client.request('GET', 'users.info', params=params).get('user') or {}

    def room_info(self, room_name: str | None = None, room_id: str | None = None) -> dict:
        """rooms.info by name or id: the room document."""
        params = {'roomName': room_name} if room_name else {'roomId': room_id}
        return self.client.request('GET', 'rooms.info', params=params).get('room') or {}

    def same_name_of_the_other_type(self, integration_type: str, name: str) -> list[Integration]:
        """Integrations named `name` of the type that is not `integration_type` (a task that named the wrong type)."""
        other = OUTGOING if integration_type == INCOMING else INCOMING
        return exact_name_matches(self.list_integrations(other, name), name, other)
