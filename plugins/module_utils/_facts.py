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
from dataclasses import dataclass, field, replace

from ansible_collections.chatops.rocketchat.plugins.module_utils._deliveries import (
    Delivery,
    DeliveryLog,
    failing_streak,
    failing_verdict,
    history_window_start,
    idle_verdict,
    stored_moment,
)
from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import InvalidInput, RocketChatError
from ansible_collections.chatops.rocketchat.plugins.module_utils._integration import OUTGOING, SCOPED_CHANNELS, Integration
from ansible_collections.chatops.rocketchat.plugins.module_utils._workers import run_in_order

AGE = re.compile(r'^(\d+)d$')
USER_NOT_FOUND = 'User not found.'
ROOM_NOT_FOUND = 'error-room-not-found'
ROOM_ARCHIVED = 'error-room-archived'  # rooms.info of an archived room, 6.4-7.x: it exists
ROOM_NOT_ALLOWED = 'not-allowed'  # rooms.info of a room the caller may not access (no admin bypass)
USERS_PERMISSION = 'view-full-other-user-info'
HISTORY_PERMISSION = 'manage-outgoing-integrations'
ROOM_MEMBERSHIP = 'membership: add the token\'s user to the room'
ROOM_ACCESS = 'a token that may read rooms.info'
HISTORY_PAGE = 100  # the server's cap on count
FAILING_LIMIT = 1000  # the largest failing: N a selector may ask for (history read page by page)
HISTORY_PAGES_LIMIT = 60  # 6,000 rows: N deliveries with up to 5 attempts each, and room to spare


@dataclass(frozen=True)
class Unknown:
    """A fact that could not be established: why, what would settle it, and whom or what it is about (a user by
    username, a room), for the warning that groups them by what settles them."""

    reason: str
    settled_by: str
    subject: str = ''


def fix_for(settled_by: str, subjects: t.Sequence[str]) -> str:
    """What the user can do about Unknowns settled by `settled_by`, as the start of a sentence; '' for nothing."""
    named = ', '.join(subjects)
    if settled_by == USERS_PERMISSION:
        return "grant the token's user the permission view-full-other-user-info (it reads %s)" % (named or 'users')
    if settled_by == HISTORY_PERMISSION:
        return "use a token whose user holds manage-outgoing-integrations (it reads every outgoing hook's history)"
    if settled_by == ROOM_MEMBERSHIP:
        return "add the token's user to %s" % (named or 'the private rooms')
    if settled_by == ROOM_ACCESS:
        return 'use a token that may read rooms.info (%s)' % (named or 'rooms')
    return ''


@dataclass(frozen=True)
class Pending(Unknown):
    """A lookup the reader has not made yet: with a deferred reader, the planner collects them, has them made on the
    workers (fetch_pending), and plans again."""


PENDING = Pending('not looked up yet', 'nothing')


@dataclass(frozen=True)
class History:
    """The newest deliveries of an outgoing integration (newest first), counted from its history rows."""

    deliveries: list[Delivery]
    rows: int  # how many rows were read
    complete: bool  # every row the server keeps was read


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
                           'age like 30d.' % (where, value)) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def parse_failing(value: t.Any, where: str) -> int:
    """failing: N is a whole number of deliveries from 1 to FAILING_LIMIT; true/false are refused (YAML's yes would
    otherwise become 1 and select a hook whose last delivery failed once)."""
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())):
        raise InvalidInput('%s.failing must be a whole number of deliveries (for example 3: the newest 3 deliveries '
                           'all failed), got %r.' % (where, value))
    number = int(value)
    if not 1 <= number <= FAILING_LIMIT:
        raise InvalidInput('%s.failing must be from 1 to %d (the number of newest deliveries that all failed), got %d.'
                           % (where, FAILING_LIMIT, number))
    return number


class FactReader:
    """Reads facts through the API, each lookup once per run (users by id or name, rooms by name then id, the
    history of each outgoing integration page by page until it holds the deliveries asked for)."""

    def __init__(self, api, view: dict, caller_id: str | None, history_count: int, deferred: bool = False,
                 now: datetime.datetime | None = None):
        self.api = api
        self.view = view
        self.caller_id = caller_id
        self.history_count = max(history_count, 1)
        self.now = now or datetime.datetime.now(datetime.timezone.utc)
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
    def _user_record(self, user_id: str | None = None, username: str | None = None) -> t.Any:
        """(state, username) with state 'active', 'inactive' or 'missing'; or Unknown (Pending while deferred).
        users.info matches either parameter against _id or username, as Rocket.Chat resolves '@x' targets."""
        key = ('id', user_id) if user_id else ('username', username)
        if not key[1]:
            return Unknown('the integration names no such user', 'nothing: the document lacks the field')
        if key not in self._users:
            if self.deferred:
                return self._defer(('user', key))
            self._users[key] = self._read_user(key)
        return self._users[key]

    def user(self, user_id: str | None = None, username: str | None = None) -> t.Any:
        """'active', 'inactive', 'missing', or Unknown."""
        record = self._user_record(user_id, username)
        return record if isinstance(record, Unknown) else record[0]

    def _read_user(self, key: tuple) -> t.Any:
        try:
            user = self.api.user_info(**{'user_id' if key[0] == 'id' else 'username': key[1]})
        except RocketChatError as error:
            if error.status == 400 and error.error_text == USER_NOT_FOUND:
                return ('missing', None)
            return Unknown('users.info for %s %s answered %s' % (key[0], key[1], short(error)), USERS_PERMISSION)
        if not isinstance(user.get('active'), bool):
            return Unknown('users.info for %s %s did not say whether the user is active' % key, USERS_PERMISSION)
        return ('active' if user['active'] else 'inactive', user.get('username'))

    def post_as(self, doc: Integration) -> t.Any:
        """The user the integration posts as, resolved as Rocket.Chat resolves it when it posts: an incoming hook by
        its userId (the hooks API), an outgoing one by its username ignoring case (triggerHandler)."""
        if doc.type != OUTGOING or not doc.username:
            return self.user(user_id=doc.user_id) if doc.user_id else self.user(username=doc.username)
        if doc.user_id:
            # The stored post-as user by id, when its name is the username but for case, is the user Rocket.Chat
            # finds (usernames are unique ignoring case). Read by id first: the creator's lookup is by id too, so a
            # user both creates and posts with one users.info.
            record = self._user_record(user_id=doc.user_id)
            if isinstance(record, Unknown):
                return record
            if record[0] != 'missing' and isinstance(record[1], str) and record[1].lower() == doc.username.lower():
                return record[0]
        # renamed since, or no id stored: whoever has that name now (users.info matches the exact name)
        return self.user(username=doc.username)

    # ---- channels ------------------------------------------------------------------------------
    def target(self, target: str) -> t.Any:
        """'exists', 'missing' or Unknown, for one `#room` or `@user` of an integration's channel."""
        target = target.strip()
        if target.lower() in SCOPED_CHANNELS:
            return 'exists'
        if target.startswith('@'):
            user = self.user(username=target[1:])  # users.info matches _id or username: '@<user id>' too
            return user if isinstance(user, Unknown) else ('missing' if user == 'missing' else 'exists')
        name = target[1:] if target.startswith('#') else target
        if name not in self._rooms:
            if self.deferred:
                return self._defer(('room', name))
            self._rooms[name] = self._read_room(name)
        return self._rooms[name]

    def _read_room(self, name: str) -> t.Any:
        """Rocket.Chat accepts '#<name>' and '#<room id>' (any id: GENERAL, a direct message's, an imported one):
        by name first, then by id."""
        answer = self._room_by('room_name', name)
        return self._room_by('room_id', name) if answer == 'missing' else answer

    def _room_by(self, kind: str, value: str) -> t.Any:
        try:
            self.api.room_info(**{kind: value})
        except RocketChatError as error:
            if error.status == 400 and error.error_type == ROOM_NOT_FOUND:
                return 'missing'
            if error.status == 400 and error.error_type == ROOM_ARCHIVED:
                return 'exists'  # archived rooms exist (6.4-7.x answer so; 8.x returns the room)
            if error.status == 400 and ROOM_NOT_ALLOWED in (error.error_text, error.error_type):
                return Unknown('rooms.info for %s answered not-allowed: the token\'s user may not read this private '
                               'room or direct message' % value, ROOM_MEMBERSHIP, '#' + value)
            return Unknown('rooms.info for %s answered %s' % (value, short(error)), ROOM_ACCESS, '#' + value)
        return 'exists'

    def missing_channels(self, doc: Integration) -> t.Any:
        """The targets of the integration's channel that no longer resolve (a list), or Unknown when some could not
        be looked up and none is known to be missing."""
        missing, unknown = [], []
        pending = False
        for target in doc.channel:
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
    def history(self, doc: Integration) -> t.Any:
        """The deliveries of an outgoing integration (History), or Unknown."""
        if doc.type != OUTGOING:
            return Unknown('incoming integrations have no delivery history', 'nothing')
        if doc.id not in self._histories:
            if self.deferred:
                return self._defer(('history', doc.id), doc)
            self._histories[doc.id] = self._read_history(doc)
        return self._histories[doc.id]

    def _read_history(self, doc: Integration) -> t.Any:
        creator = doc.created_by_id
        if self.view.get(OUTGOING) != 'all' and (not creator or creator != self.caller_id):
            # An own-only token gets an empty history for someone else's integration: that is not "no deliveries".
            return Unknown('this token sees the delivery history of its own outgoing integrations only',
                           HISTORY_PERMISSION)
        log, offset = DeliveryLog(), 0
        for _page in range(HISTORY_PAGES_LIMIT):
            try:
                answer = self.api.history(doc.id, HISTORY_PAGE, offset)
            except RocketChatError as error:
                return Unknown('integrations.history answered %s' % short(error), HISTORY_PERMISSION)
            rows, total = answer.get('history'), answer.get('total')
            if not isinstance(rows, list) or not isinstance(total, int):
                return Unknown('integrations.history answered without history and total', HISTORY_PERMISSION)
            log.add(rows)
            offset += len(rows)
            if not rows or offset >= total:
                return History(log.deliveries, offset, True)
            if len(log.deliveries) >= self.history_count:
                return History(log.deliveries, offset, False)
        return Unknown('the newest %d history rows hold fewer than %d deliveries' % (offset, self.history_count),
                       'nothing: ask for fewer deliveries in failing')


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


FACT_KEYS = ('enabled', 'created_before', 'updated_before', 'created_by', 'updated_by', 'creator_active',
             'post_as_active', 'channel_exists', 'failing', 'idle_since')
OUTGOING_ONLY = ('failing', 'idle_since')
DATE_KEYS = ('created_before', 'updated_before', 'idle_since')
UNSETTLED_DELIVERY = 'nothing: a later delivery, or the end of this one, decides'


def facts_needed(entries: t.Iterable[dict]) -> set[str]:
    return {key for entry in entries for key in FACT_KEYS if entry.get(key) is not None}


def _user_fact(state: t.Any, who: str, wanted: bool, name: str | None) -> tuple[bool | None, str, Unknown | None]:
    if isinstance(state, Unknown):
        return None, '', state if isinstance(state, Pending) else replace(state, subject='%s %s' % (who, name or '?'))
    active = state == 'active'
    text = '%s %s' % (who, {'active': 'active', 'inactive': 'deactivated', 'missing': 'gone'}[state])
    return active == wanted, text, None


def _document_fact(key: str, wanted: t.Any, doc: Integration) -> tuple[bool | None, str, Unknown | None]:
    if key == 'enabled':
        return doc.enabled is wanted, 'enabled' if wanted else 'disabled', None
    if key == 'created_by':
        return doc.created_by == wanted, 'created by %s' % wanted, None
    if key == 'updated_by':  # _updatedBy: written by every update, absent on a hook never updated
        return doc.updated_by == wanted, 'last changed by %s' % wanted, None
    field_name = '_createdAt' if key == 'created_before' else '_updatedAt'
    moment = stored_moment(doc.created_at if key == 'created_before' else doc.updated_at)
    if moment is None:
        return None, '', Unknown('the integration has no %s' % field_name, 'nothing')
    text = '%s %s' % ('created' if key == 'created_before' else 'last updated', moment.date().isoformat())
    return moment < wanted, text, None


def _delivery_fact(key: str, wanted: t.Any, doc: Integration, reader: FactReader) -> tuple[bool | None, str, Unknown | None]:
    history = reader.history(doc)
    if isinstance(history, Unknown):
        return None, '', history
    if key == 'failing':
        matched, text = failing_verdict(history.deliveries, wanted)
        return matched, text, (Unknown(text, UNSETTLED_DELIVERY) if matched is None else None)
    matched, text, why = idle_verdict(history.deliveries, wanted, stored_moment(doc.created_at), reader.now)
    return matched, text, (Unknown(why, 'nothing') if matched is None else None)


def evaluate_fact(key: str, wanted: t.Any, doc: Integration,
                  reader: FactReader | None) -> tuple[bool | None, str, Unknown | None]:
    """(matches, what matched, Unknown) for one fact key of a selector; `wanted` is already parsed (dates as
    datetimes). The document answers some keys; the others need a reader (fact_reader makes one)."""
    if key in ('enabled', 'created_by', 'updated_by', 'created_before', 'updated_before'):
        return _document_fact(key, wanted, doc)
    if reader is None:
        raise ValueError('the fact %s needs a FactReader' % key)
    if key == 'creator_active':
        return _user_fact(reader.user(user_id=doc.created_by_id), 'creator', wanted, doc.created_by)
    if key == 'post_as_active':
        return _user_fact(reader.post_as(doc), 'post-as user', wanted, doc.username)
    if key == 'channel_exists':
        missing = reader.missing_channels(doc)
        if isinstance(missing, Unknown):
            return None, '', missing
        if missing:
            return wanted is False, 'channel %s gone' % ', '.join(missing), None
        return wanted is True, 'channels exist', None
    return _delivery_fact(key, wanted, doc, reader)


def facts_of(doc: Integration, reader: FactReader) -> dict:
    """What rocketchat_integration_info shows with facts: true. Each fact keeps its type whether or not it was
    established (a list stays a list); one that was not is null, with the reason under `undetermined`."""
    undetermined: dict[str, str] = {}

    def known(name: str, state: t.Any, value: t.Callable[[t.Any], t.Any]) -> t.Any:
        if isinstance(state, Unknown):
            undetermined[name] = state.reason
            return None
        return value(state)

    facts = {'creator_active': known('creator_active', reader.user(user_id=doc.created_by_id),
                                     lambda state: state == 'active'),
             'post_as_active': known('post_as_active', reader.post_as(doc), lambda state: state == 'active'),
             'missing_channels': known('missing_channels', reader.missing_channels(doc), list)}
    if doc.type == OUTGOING:
        history = reader.history(doc)
        newest = None if isinstance(history, Unknown) or not history.deliveries else history.deliveries[0]
        facts.update(
            last_delivery=None if newest is None else {
                'time': newest.time.isoformat() if newest.time else None, 'outcome': newest.outcome,
                'why': newest.why, 'attempts': newest.attempts},
            failing_streak=known('failing_streak', history, lambda found: failing_streak(found.deliveries)),
            # Rocket.Chat disables a hook itself when the receiver answers 410 Gone with a body
            disabled_by_server=bool(doc.enabled is False and newest is not None
                                    and newest.step == 'after-process-http-status-410'))
        if isinstance(history, Unknown):
            undetermined['last_delivery'] = history.reason
    facts['undetermined'] = undetermined
    return facts


IDLE_DAYS = 14  # rocketchat_integration_info's idle_days default
# The kinds of problem health() names, in the order the info table lists them. Every word health() writes starts
# with its kind; the unit tests check each branch.
HEALTH_KINDS = ('failing', 'channel missing', 'creator inactive', 'post-as user inactive', 'never delivered', 'idle',
                'disabled', 'undetermined')


def kind_of(word: str) -> str:
    """The kind a health word names; a word of no known kind stands for itself (it is counted, and sorts last)."""
    return next((kind for kind in HEALTH_KINDS if word.startswith(kind)), word)


def health(doc: Integration, facts: dict, now: datetime.datetime, idle_days: int = IDLE_DAYS) -> list[str]:
    """What is wrong with an integration, in words (the compact table's health column), or ['ok']. Only what was
    established: a fact that was not is 'undetermined: <why>', never a problem or its absence."""
    words = []
    if doc.enabled is False:
        words.append('disabled after 410' if facts.get('disabled_by_server') else 'disabled')
    if facts.get('creator_active') is False:
        words.append('creator inactive')
    if facts.get('post_as_active') is False:
        words.append('post-as user inactive')
    if facts.get('missing_channels'):
        words.append('channel missing: %s' % ', '.join(facts['missing_channels']))
    if doc.type == OUTGOING:
        words += _delivery_health(doc, facts, now, idle_days)
    words += ['undetermined: %s' % why for why in dict.fromkeys(facts.get('undetermined', {}).values())]
    return words or ['ok']


def _delivery_health(doc: Integration, facts: dict, now: datetime.datetime, idle_days: int) -> list[str]:
    if 'last_delivery' in facts.get('undetermined', {}):
        return []
    if facts.get('failing_streak'):
        return ['failing %d' % facts['failing_streak']]
    if doc.enabled is False:
        return []  # a disabled hook delivers nothing: idle says nothing more
    last = facts.get('last_delivery')
    if last is None:
        # no delivery in the history Rocket.Chat keeps (30 days, less a day for the clocks)
        window = history_window_start(now)
        created = stored_moment(doc.created_at)
        if created is not None and created >= window:
            return ['never delivered']
        return ['idle since before %s' % window.date().isoformat()]
    moment = stored_moment(last.get('time'))
    if moment is not None and now - moment > datetime.timedelta(days=idle_days):
        return ['idle since %s' % moment.date().isoformat()]
    return []
