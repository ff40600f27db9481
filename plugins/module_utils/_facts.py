# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Facts about an integration that its document does not hold: whether its creator and its post-as user are still
active, whether its channels still exist, and how its outgoing deliveries went. Each is read once per run, for only
what a selector asks for, and a fact that could not be established is Unknown with the reason: unknown never means
"dead"."""

from __future__ import annotations

import datetime
import re
import typing as t
from dataclasses import dataclass, field

from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import InvalidInput, RocketChatError
from ansible_collections.chatops.rocketchat.plugins.module_utils._integration import OUTGOING, SCOPED_CHANNELS
from ansible_collections.chatops.rocketchat.plugins.module_utils._workers import run_in_order

AGE = re.compile(r'^(\d+)d$')
ROCKET_CHAT_ID = re.compile(r'^[A-Za-z0-9]{17}$|^[0-9a-f]{24}$')
USER_NOT_FOUND = 'User not found.'
ROOM_NOT_FOUND = 'error-room-not-found'
USERS_PERMISSION = 'view-full-other-user-info'
HISTORY_PERMISSION = 'manage-outgoing-integrations'
ROOM_ACCESS = 'membership of the room (or a token that may access it)'


@dataclass(frozen=True)
class Unknown:
    """A fact that could not be established: why, and what would settle it."""

    reason: str
    settled_by: str


@dataclass(frozen=True)
class Pending(Unknown):
    """A lookup the reader has not made yet: with a deferred reader, the planner collects them, has them made on the
    workers (fetch_pending), and plans again."""


PENDING = Pending('not looked up yet', 'nothing')


@dataclass(frozen=True)
class History:
    """The newest deliveries of an outgoing integration (newest first) and how many there are in all."""

    rows: list[dict]
    total: int


def parse_moment(value: str, now: datetime.datetime, where: str) -> datetime.datetime:
    """An ISO 8601 date or date-time (UTC when no offset is given), or an age '<N>d' counted back from `now`."""
    text = str(value).strip()
    age = AGE.match(text)
    if age:
        return now - datetime.timedelta(days=int(age.group(1)))
    try:
        moment = datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))
    except ValueError:
        raise InvalidInput('%s %r is neither an ISO 8601 date or date-time (2025-01-31, 2025-01-31T12:00:00Z) nor an '
                           'age like 90d.' % (where, value)) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def stored_moment(value: t.Any) -> datetime.datetime | None:
    """A date as the server stores it in JSON (ISO string, or {"$date": ms} from older servers), or None."""
    if isinstance(value, dict) and '$date' in value:
        value = value['$date']
    if isinstance(value, (int, float)):
        return datetime.datetime.fromtimestamp(value / 1000.0, tz=datetime.timezone.utc)
    if isinstance(value, str) and value:
        try:
            moment = datetime.datetime.fromisoformat(value.replace('Z', '+00:00'))
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)
    return None


def delivery_failed(row: dict) -> bool | None:
    """A delivery that ended in an error (a script or HTTP status error, or no HTTP answer at all): True; one that got
    its answer: False; one still under way: None. From Rocket.Chat's triggerHandler, which marks failures with
    `error: true` and a failed HTTP call with `httpError`."""
    if row.get('error') is True or row.get('httpError'):
        return True
    if row.get('finished') is True or row.get('httpResult') is not None:
        return False
    return None


def delivery_time(row: dict) -> datetime.datetime | None:
    return stored_moment(row.get('_createdAt')) or stored_moment(row.get('_updatedAt'))


class FactReader:
    """Reads facts through the API, each lookup once per run (users by id or name, rooms by name, one history call
    per outgoing integration)."""

    def __init__(self, api, view: dict, caller_id: str | None, history_count: int, deferred: bool = False):
        self.api = api
        self.view = view
        self.caller_id = caller_id
        self.history_count = max(history_count, 1)
        # deferred: a lookup not yet made answers PENDING and is queued for fetch_pending, so that the planner can
        # have all the lookups one planning pass needs made at once, on the workers.
        self.deferred = deferred
        self._wanted: dict[tuple, t.Any] = {}
        self._users: dict[tuple, t.Any] = {}
        self._rooms: dict[str, t.Any] = {}
        self._histories: dict[str, t.Any] = {}

    def _defer(self, lookup: tuple, argument: t.Any = None) -> Pending:
        self._wanted.setdefault(lookup, argument)
        return PENDING

    def fetch_pending(self, parallel: int) -> bool:
        """Make the lookups queued since the last call, on up to `parallel` workers (each answer is cached; a
        failure is an Unknown, never an exception). False when there were none: the last pass was complete."""
        wanted, self._wanted = list(self._wanted.items()), {}
        if not wanted:
            return False
        run_in_order(wanted, self._fetch, parallel, stop_on_failure=False)
        return True

    def _fetch(self, lookup: tuple) -> None:
        (kind, key), argument = lookup
        if kind == 'user':
            self._users[key] = self._read_user(key)
        elif kind == 'room':
            self._rooms[key] = self._read_room(key)
        else:
            self._histories[key] = self._read_history(argument)

    # ---- users ---------------------------------------------------------------------------------
    def user(self, user_id: str | None = None, username: str | None = None) -> t.Any:
        """'active', 'inactive', 'missing', or Unknown."""
        key = ('id', user_id) if user_id else ('username', username)
        if not key[1]:
            return Unknown('the integration names no such user', 'nothing: the document lacks the field')
        if key not in self._users:
            if self.deferred:
                return self._defer(('user', key))
            self._users[key] = self._read_user(key)
        return self._users[key]

    def _read_user(self, key: tuple) -> t.Any:
        try:
            user = self.api.user_info(**{'user_id' if key[0] == 'id' else 'username': key[1]})
        except RocketChatError as error:
            if error.status == 400 and error.error_text == USER_NOT_FOUND:
                return 'missing'
            return Unknown('users.info for %s %s answered %s' % (key[0], key[1], short(error)), USERS_PERMISSION)
        if not isinstance(user.get('active'), bool):
            return Unknown('users.info for %s %s did not say whether the user is active' % key, USERS_PERMISSION)
        return 'active' if user['active'] else 'inactive'

    # ---- channels ------------------------------------------------------------------------------
    def target(self, target: str) -> t.Any:
        """'exists', 'missing' or Unknown, for one `#room` or `@user` of an integration's channel."""
        target = target.strip()
        if target.lower() in SCOPED_CHANNELS:
            return 'exists'
        if target.startswith('@'):
            user = self.user(username=target[1:])
            return user if isinstance(user, Unknown) else ('missing' if user == 'missing' else 'exists')
        name = target[1:] if target.startswith('#') else target
        if name not in self._rooms:
            if self.deferred:
                return self._defer(('room', name))
            self._rooms[name] = self._read_room(name)
        return self._rooms[name]

    def _read_room(self, name: str) -> t.Any:
        answer = self._room_by('room_name', name)
        if answer == 'missing' and ROCKET_CHAT_ID.match(name):
            return self._room_by('room_id', name)  # '#<id>' is a room id to Rocket.Chat as well
        return answer

    def _room_by(self, kind: str, value: str) -> t.Any:
        try:
            self.api.room_info(**{kind: value})
        except RocketChatError as error:
            if error.status == 400 and error.error_type == ROOM_NOT_FOUND:
                return 'missing'
            return Unknown('rooms.info for %s answered %s' % (value, short(error)), ROOM_ACCESS)
        return 'exists'

    def missing_channels(self, doc: dict) -> t.Any:
        """The targets of the integration's channel that no longer resolve (a list), or Unknown when some could not
        be looked up and none is known to be missing."""
        missing, unknown = [], []
        pending = False
        for target in doc.get('channel') or []:
            state = self.target(target)  # every target, as an undeferred reader would look them all up
            pending = pending or isinstance(state, Pending)
            if state == 'missing':
                missing.append(target)
            elif isinstance(state, Unknown):
                unknown.append(state)
        if pending:
            return PENDING
        if missing or not unknown:
            return missing
        return unknown[0]

    # ---- deliveries ----------------------------------------------------------------------------
    def history(self, doc: dict) -> t.Any:
        """History of an outgoing integration, or Unknown."""
        if doc.get('type') != OUTGOING:
            return Unknown('incoming integrations have no delivery history', 'nothing')
        if doc['_id'] not in self._histories:
            if self.deferred:
                return self._defer(('history', doc['_id']), doc)
            self._histories[doc['_id']] = self._read_history(doc)
        return self._histories[doc['_id']]

    def _read_history(self, doc: dict) -> t.Any:
        creator = (doc.get('_createdBy') or {}).get('_id')
        if self.view.get(OUTGOING) != 'all' and (not creator or creator != self.caller_id):
            # An own-only token gets an empty history for someone else's integration: that is not "no deliveries".
            return Unknown('this token sees the delivery history of its own outgoing integrations only',
                           HISTORY_PERMISSION)
        try:
            answer = self.api.history(doc['_id'], self.history_count)
        except RocketChatError as error:
            return Unknown('integrations.history answered %s' % short(error), HISTORY_PERMISSION)
        rows = answer.get('history')
        if not isinstance(rows, list) or not isinstance(answer.get('total'), int):
            return Unknown('integrations.history answered without history and total', HISTORY_PERMISSION)
        return History(rows, answer['total'])


def short(error: RocketChatError) -> str:
    return 'HTTP %s (%s)' % (error.status, error.error_text or error.error_type or 'no detail') if error.status \
        else error.message


@dataclass
class Verdict:
    """Whether one selector matches one integration: True, False, or None (a fact it needs is Unknown), with the
    facts that matched, or the Unknown that left it open."""

    matched: bool | None
    reasons: list[str] = field(default_factory=list)
    unknown: list[Unknown] = field(default_factory=list)
    pending: bool = False  # a lookup it needs has not been made yet (a deferred reader): plan again after it


FACT_KEYS = ('enabled', 'created_before', 'updated_before', 'created_by', 'creator_active', 'post_as_active',
             'channel_exists', 'failing', 'idle_since')
OUTGOING_ONLY = ('failing', 'idle_since')
DATE_KEYS = ('created_before', 'updated_before', 'idle_since')


def facts_needed(entries: t.Iterable[dict]) -> set[str]:
    return {key for entry in entries for key in FACT_KEYS if entry.get(key) is not None}


def _user_fact(state: t.Any, who: str, wanted: bool) -> tuple[bool | None, str, Unknown | None]:
    if isinstance(state, Unknown):
        return None, '', state
    active = state == 'active'
    text = '%s %s' % (who, {'active': 'active', 'inactive': 'deactivated', 'missing': 'gone'}[state])
    return active == wanted, text, None


def evaluate_fact(key: str, wanted: t.Any, doc: dict, reader: FactReader) -> tuple[bool | None, str, Unknown | None]:
    """(matches, what matched, Unknown) for one fact key of a selector; `wanted` is already parsed (dates as
    datetimes)."""
    if key == 'enabled':
        return doc.get('enabled') is wanted, 'enabled' if wanted else 'disabled', None
    if key == 'created_by':
        return (doc.get('_createdBy') or {}).get('username') == wanted, 'created by %s' % wanted, None
    if key in ('created_before', 'updated_before'):
        moment = stored_moment(doc.get('_createdAt' if key == 'created_before' else '_updatedAt'))
        if moment is None:
            return None, '', Unknown('the integration has no %s' % ('_createdAt' if key == 'created_before'
                                                                    else '_updatedAt'), 'nothing')
        text = '%s %s' % ('created' if key == 'created_before' else 'last updated', moment.date().isoformat())
        return moment < wanted, text, None
    if key == 'creator_active':
        return _user_fact(reader.user(user_id=(doc.get('_createdBy') or {}).get('_id')), 'creator', wanted)
    if key == 'post_as_active':
        state = reader.user(user_id=doc['userId']) if doc.get('userId') else reader.user(username=doc.get('username'))
        return _user_fact(state, 'post-as user', wanted)
    if key == 'channel_exists':
        missing = reader.missing_channels(doc)
        if isinstance(missing, Unknown):
            return None, '', missing
        if missing:
            return wanted is False, 'channel %s gone' % ', '.join(missing), None
        return wanted is True, 'channels exist', None
    history = reader.history(doc)
    if isinstance(history, Unknown):
        return None, '', history
    if key == 'failing':
        newest = history.rows[:wanted]
        failed = len(newest) == wanted and history.total >= wanted and all(delivery_failed(row) for row in newest)
        return failed, 'last %d deliveries failed' % wanted, None
    # idle_since
    times = [moment for moment in (delivery_time(row) for row in history.rows) if moment is not None]
    if times:
        return max(times) < wanted, 'no delivery since %s' % wanted.date().isoformat(), None
    if history.total:
        return None, '', Unknown('integrations.history rows carry no date', 'nothing')
    created = stored_moment(doc.get('_createdAt'))
    if created is None:
        return None, '', Unknown('the integration has no _createdAt', 'nothing')
    return created < wanted, 'never delivered, created %s' % created.date().isoformat(), None


def failing_streak(history: History) -> int:
    streak = 0
    for row in history.rows:
        if not delivery_failed(row):
            break
        streak += 1
    return streak


def facts_of(doc: dict, reader: FactReader) -> dict:
    """What rocketchat_integration_info shows with facts: true, the values the selectors use."""
    def shown(state):
        return 'undetermined: %s' % state.reason if isinstance(state, Unknown) else state

    creator = reader.user(user_id=(doc.get('_createdBy') or {}).get('_id'))
    post_as = reader.user(user_id=doc['userId']) if doc.get('userId') else reader.user(username=doc.get('username'))
    missing = reader.missing_channels(doc)
    facts = {'creator_active': shown(creator) if isinstance(creator, Unknown) else creator == 'active',
             'post_as_active': shown(post_as) if isinstance(post_as, Unknown) else post_as == 'active',
             'missing_channels': shown(missing)}
    if doc.get('type') == OUTGOING:
        history = reader.history(doc)
        if isinstance(history, Unknown):
            facts.update(last_delivery=shown(history), failing_streak=shown(history))
        else:
            newest = history.rows[0] if history.rows else None
            moment = delivery_time(newest) if newest else None
            facts['last_delivery'] = None if newest is None else {
                'time': moment.isoformat() if moment else None,
                'outcome': {True: 'failed', False: 'succeeded', None: 'pending'}[delivery_failed(newest)]}
            facts['failing_streak'] = failing_streak(history)
    return facts


def health(facts: dict) -> str:
    """One word for the compact listing: ok, or what is wrong."""
    problems = []
    for key, label in (('creator_active', 'creator'), ('post_as_active', 'post-as')):
        if facts.get(key) is False:
            problems.append('%s-inactive' % label)
    if isinstance(facts.get('missing_channels'), list) and facts['missing_channels']:
        problems.append('channel-gone')
    if isinstance(facts.get('failing_streak'), int) and facts['failing_streak'] > 0:
        problems.append('failing-%d' % facts['failing_streak'])
    if any(isinstance(value, str) and value.startswith('undetermined') for value in facts.values()):
        problems.append('undetermined')
    return ','.join(problems) or 'ok'
