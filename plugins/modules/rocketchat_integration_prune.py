#!/usr/bin/python
# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: rocketchat_integration_prune
short_description: Remove the Rocket.Chat webhook integrations that should not exist, in one run
version_added: 0.1.0
description:
  - Lists every integration once (every page), decides which ones must go, and removes them, all in one module run.
  - O(remove) names integrations that must not exist. With O(exclusive=true), every integration in scope that no
    O(keep) selector matches must not exist either.
  - Only integrations in scope are ever touched, that is those whose type is in O(types) and, when
    O(scope_name_regex) is set, whose name it matches.
  - A plan larger than O(max_removals) fails before anything is removed, and lists what it would have removed.
  - This is the engine of the C(chatops.rocketchat.prune_webhooks) role.
author:
  - chatops.rocketchat maintainers (@chatops-rocketchat)
extends_documentation_fragment:
  - chatops.rocketchat._connection
  - chatops.rocketchat._plan_file
  - chatops.rocketchat._attributes
  - chatops.rocketchat._attributes.ACTIONGROUP_ROCKETCHAT
attributes:
  check_mode:
    support: full
    details:
      - Returns the exact plan in RV(removed) and removes nothing.
  diff_mode:
    support: full
    details:
      - Shows the integrations in scope before and after, one C(type name (id)) line each.
  idempotent:
    support: full
options:
  keep:
    description:
      - Integrations that should remain. Used with O(exclusive=true).
      - Each selector matches by O(keep[].id), exact O(keep[].name), or O(keep[].name_regex), and by facts the
        server knows (O(keep[].enabled), O(keep[].created_before), O(keep[].creator_active), O(keep[].failing), ...);
        keys given together must all match, and a fact key alone is a selector. O(keep[].type) narrows it to one
        type.
      - A fact that cannot be established (the token may not read a user, a room or a history) never decides; the
        integration is kept and reported in RV(undetermined), and a warning names what would settle it.
    type: list
    elements: dict
    default: []
    suboptions: &selector
      id:
        description: The integration's C(_id).
        type: str
      name:
        description: The integration's exact, case-sensitive name.
        type: str
      name_regex:
        description:
          - A Python regular expression searched for in the name; anchor it with C(^) and C($) to match the whole
            name.
        type: str
      type:
        description: Only integrations of this type.
        type: str
        choices: [webhook-incoming, webhook-outgoing]
      enabled:
        description: Only enabled (V(true)) or only disabled (V(false)) integrations.
        type: bool
      created_before:
        description:
          - Only integrations created (C(_createdAt)) before this moment, an ISO 8601 date or date-time (UTC when no
            offset is given, for example V(2025-01-31) or V(2025-01-31T12:00:00+02:00)), or an age V(<N>d) counted
            back from the module's start (V(90d)).
        type: str
      updated_before:
        description: Only integrations last changed (C(_updatedAt)) before this moment, given as for O(keep[].created_before).
        type: str
      created_by:
        description: Only integrations created by the user with exactly this username (C(_createdBy.username)).
        type: str
      updated_by:
        description:
          - Only integrations last changed by the user with exactly this username (C(_updatedBy.username), which every
            update writes; a hook never updated has none and does not match).
          - With O(keep[].enabled=false) and O(keep[].updated_before) it finds what an automation disabled and nobody touched
            since - the second phase of a quarantine (O(action=quarantine) builds that selector itself).
        type: str
      creator_active:
        description:
          - V(false) selects integrations whose creator is deactivated or no longer exists; V(true) those whose
            creator is active. One C(users.info) call per distinct user.
        type: bool
      post_as_active:
        description:
          - V(false) selects integrations whose post-as user is deactivated or no longer exists, so that the
            integration cannot post. The user is found as Rocket.Chat finds it when it posts - an incoming
            integration's by its C(userId), an outgoing one's by its C(username), ignoring case. Deleting a user
            also makes Rocket.Chat disable the integrations that post as it. One C(users.info) call per distinct
            user.
        type: bool
      channel_exists:
        description:
          - V(false) selects integrations of which at least one target in C(channel) no longer resolves; V(true)
            those whose targets all resolve. Outgoing integrations with an empty C(channel) (all rooms) never match
            V(false).
          - A C(#x) is looked up by room name, then by room id (Rocket.Chat accepts C(#<room id>) too - C(#GENERAL),
            a direct message's id, an imported id); an archived room exists. A private room or direct message the
            token's user may not read is undetermined - membership settles it, not a stronger role, since Rocket.Chat
            gives admins no way around it. An C(@x) is looked up as a user id or username.
          - One or two C(rooms.info) calls per distinct room, one C(users.info) call per distinct user.
        type: bool
      failing:
        description:
          - Outgoing only. Selects integrations whose newest O(keep[].failing) deliveries all failed, a whole number
            from 1 to 1000 (V(true) and V(false) are refused). A hook with fewer deliveries recorded does not match.
          - Deliveries are counted, not attempts - the retries of one message (C(retryFailedCalls)) count once, by
            their final outcome. A delivery failed only when the receiver did not take it - no HTTP answer, or an
            answer Rocket.Chat refused that carries a body. Rocket.Chat stores no status code, so a delivery whose
            outcome its history cannot tell (an empty body, a script error, one still under way) is undetermined, and
            a hook whose newest deliveries include one is undetermined, never selected.
          - 'How each history row C(step) counts: C(after-http-call) with a body, C(url-response-sent-message),
            C(after-http-call-send-message-failed): delivered. C(after-http-call) with C(httpResult) C("null") (no
            HTTP answer: refused, DNS, TLS, timeout), C(after-process-http-status-410) (Rocket.Chat also disables the
            hook), C(after-process-http-status-500): failed. C(failed-and-not-configured-to-retry),
            C(too-many-retries), C(failed-and-retry-delay-is-invalid): failed with a body, undetermined with an empty
            one (a 204 or an empty 2xx is recorded exactly like an empty 503). C(going-to-retry-<n>): an attempt
            whose retry follows (not counted alone; undetermined while the retry has not run).
            C(after-process-send-message), C(after-process-send-message-failed), C(after-process-false-result) (a
            response script handled the answer), C(execute-script-error-running-process_outgoing_response), and
            every earlier step (C(pre-http-call) and before: under way): undetermined. C(after-prepare-no-opts),
            C(after-prepare-no-url_or_method), C(after-prepare-send-message-failed) (the prepare script sent
            nothing): not sent, so not failed.'
          - The history is read page by page (100 rows a page) until it holds that many deliveries; usually one
            C(integrations.history) call per outgoing integration in scope.
          - An entry with O(keep[].type=webhook-incoming) and this key is refused before any request.
        type: raw
      idle_since:
        description:
          - Outgoing only. Selects integrations with no delivery recorded since this moment (given as for
            O(keep[].created_before)); one with no delivery at all counts as idle only when it was created before it.
          - Rocket.Chat keeps delivery history 30 days (a TTL index on C(_updatedAt)), so an empty history proves
            nothing about the time before that. A moment more than 29 days back (one day is kept for the difference
            between the server's clock and this machine's) cannot be established and leaves every hook without a
            newer delivery undetermined; use V(29d) or less. A delivery since the moment always decides V(false).
          - Rocket.Chat leaves no mark when a history is cleared (Clear history in the administration, or
            C(integrations.clearHistory)), so a history cleared since the moment reads as no delivery.
        type: str
  remove:
    description:
      - Integrations that must not exist. A selector that matches nothing is reported in RV(already_absent).
      - Selectors work as in O(keep).
    type: list
    elements: dict
    default: []
    suboptions: *selector
  exclusive:
    description:
      - Remove every integration in scope that no O(keep) selector matches.
      - With an empty O(keep), nothing in scope should exist.
    type: bool
    default: false
  types:
    description: The integration types in scope.
    type: list
    elements: str
    choices: [webhook-incoming, webhook-outgoing]
    default: [webhook-incoming, webhook-outgoing]
  scope_name_regex:
    description:
      - When set, only integrations whose name this Python regular expression is found in are in scope.
    type: str
  max_removals:
    description:
      - The most integrations one run may remove (or disable). A larger plan fails before removing anything.
    type: int
    default: 10
  max_removals_percent:
    description:
      - A second breaker, checked with O(max_removals) before any request that changes something - the most one run
        may remove (or disable), as a percentage from 1 to 100 of the integrations in scope. Unset, it does not
        apply.
    type: int
  action:
    description:
      - What to do with the integrations the selectors select.
      - V(remove) removes them (backed up first with O(backup_dir)). A removed incoming hook cannot come back with its
        URL - Rocket.Chat generates its token at creation and no update writes it.
      - V(disable) quarantines them instead - C(integrations.update) with C(enabled=false) and every other field as
        stored (an outgoing hook's stored token included). Rocket.Chat re-validates the whole integration on update,
        so one whose room or post-as user is gone is refused; it is reported in RV(not_disabled) with the server's
        reason, and a run asked to disable never removes anything.
      - V(quarantine) does both phases in one run, for a scheduled job - it removes what this token's user disabled
        more than O(grace_days) ago that is still disabled and untouched since (a human who re-enables or edits a
        hook takes it out), then disables what the selectors match now. RV(in_grace) lists the hooks still waiting,
        with the day their grace ends.
    type: str
    choices: [remove, disable, quarantine]
    default: remove
  grace_days:
    description:
      - With O(action=quarantine), how many days a hook this automation disabled waits before it is removed. A
        positive number.
    type: int
    default: 14
  notify_owners:
    description:
      - After a hook is disabled or removed, send its creator a direct message (C(chat.postMessage) to
        C(@<username>)) naming the hook, why it was selected, when it will be removed and how to keep it (re-enable
        it). It never carries a secret or a hook URL.
      - When the creator is inactive or gone, the message goes to O(notify_fallback_room) instead, or is not sent.
      - A notification that fails never fails the prune; RV(notifications) reports each one, and a warning the ones
        not sent. Not in check mode.
    type: bool
    default: false
  notify_fallback_room:
    description: With O(notify_owners), the room (V(#name) or V(#<room id>)) for hooks whose creator is inactive or gone.
    type: str
  backup_dir:
    description:
      - When set, the definition of each integration is written to C(<backup_dir>/<type>-<id>.json) (mode C(0600))
        before it is removed. The directory is created with mode C(0700) when missing.
      - A backup is in the shape the O(chatops.rocketchat.rocketchat_integrations#module:integrations) option of
        M(chatops.rocketchat.rocketchat_integrations) takes, so applying it restores the integration. A restored
        incoming integration gets a new hook URL, since the server generates its token.
    type: path
  backup_secrets:
    description:
      - Keep the token of an outgoing integration in its backup file, so that applying the file recreates it as it
        was. When V(false) the token is left out, and must be added before the backup can be applied.
    type: bool
    default: false
  parallel:
    description:
      - How many API calls the module may have in flight at once, from 1 (one at a time) to 64. The removals and the per
        integration lookups of the fact selectors (C(users.info), C(rooms.info), C(integrations.history)) run on up
        to this many workers, each with its own keep-alive connection; the listing stays sequential, since its
        paging order matters.
      - Results (RV(removed), RV(not_removed), the diff) are in plan order whatever order the calls finish in, and
        what is removed does not depend on it.
      - All workers share one rate-limit budget, read from the server's C(X-RateLimit-*) headers, so a token without
        C(api-bypass-rate-limit) gets no more HTTP 429 answers than with V(1).
      - Lower it for a server that struggles under load; over a link with 20-100 ms of latency the default makes a
        large prune several times faster than V(1).
    type: int
    default: 8
notes:
  - With only C(manage-own-*) permissions the server lists only the user's own integrations. The module then warns,
    and reports selectors it cannot resolve in RV(not_visible) instead of RV(already_absent).
  - When a removal fails halfway, the module fails and reports what was removed and what was not; running it again
    converges.
seealso:
  - module: chatops.rocketchat.rocketchat_integration
  - module: chatops.rocketchat.rocketchat_integration_info
"""

EXAMPLES = r"""
- name: Remove every outgoing hook whose last 10 deliveries all failed, and disabled hooks older than 90 days
  chatops.rocketchat.rocketchat_integration_prune:
    remove:
      - type: webhook-outgoing
        failing: 10
      - enabled: false
        created_before: 90d
    max_removals: 20
    backup_dir: /var/backups/rocketchat-webhooks

- name: Remove hooks that can no longer post (post-as user deactivated) or post into a deleted channel
  chatops.rocketchat.rocketchat_integration_prune:
    remove:
      - post_as_active: false
      - channel_exists: false

- name: Remove two known-stale webhooks (connection from the ROCKETCHAT_* environment variables)
  chatops.rocketchat.rocketchat_integration_prune:
    remove:
      - name: legacy-jenkins
        type: webhook-incoming
      - name_regex: "^tmp-"

- name: Keep only the declared outgoing webhooks, personal access token, preview with --check --diff first
  chatops.rocketchat.rocketchat_integration_prune:
    server_url: https://chat.example.com
    user_id: "{{ rocketchat_user_id }}"
    auth_token: "{{ vault_rocketchat_token }}"
    types: [webhook-outgoing]
    exclusive: true
    keep:
      - name: deploy-bot
      - name_regex: "^github-"
    max_removals: 25
    backup_dir: /var/backups/rocketchat-webhooks
  register: prune

- name: On a pull request - preview the prune and write the plan for review
  chatops.rocketchat.rocketchat_integration_prune:
    remove:
      - post_as_active: false
    plan_file: "{{ playbook_dir }}/prune-plan.json"
  check_mode: true

- name: On merge - apply exactly the reviewed plan, to hooks unchanged since
  chatops.rocketchat.rocketchat_integration_prune:
    apply_plan: "{{ playbook_dir }}/prune-plan.json"
    plan_max_age_hours: 48

- name: Quarantine first - disable what failed its last 10 deliveries, remove what was disabled 14 days ago
  chatops.rocketchat.rocketchat_integration_prune:
    action: quarantine
    grace_days: 14
    remove:
      - type: webhook-outgoing
        failing: 10
    max_removals: 20
    max_removals_percent: 10
    backup_dir: /var/backups/rocketchat-webhooks

- name: Prune with a login, within the team's naming scope only
  chatops.rocketchat.rocketchat_integration_prune:
    server_url: https://chat.example.com
    login_user: automation
    login_password: "{{ vault_rocketchat_password }}"
    scope_name_regex: "^team-a-"
    exclusive: true
    keep:
      - name: team-a-alerts
"""

RETURN = r"""
notifications:
  description:
    - With O(notify_owners), one entry per hook disabled or removed - C(to) (C(@<creator>) or the fallback room),
      C(sent), and when not sent C(why).
  returned: always
  type: list
  elements: dict
  sample: [{id: 65f1c0ffee0123456789abcd, name: grafana, type: webhook-outgoing, to: "@alice", sent: true}]
plan_file:
  description: The file O(plan_file) wrote.
  returned: when O(plan_file) is set
  type: str
left_alone:
  description:
    - With O(apply_plan), the actions of the plan that were not performed, each with C(why) (the integration changed
      or went since the plan was written).
  returned: always
  type: list
  elements: dict
  sample: [{kind: remove, type: webhook-outgoing, name: grafana, id: 65f1c0ffee0123456789abcd,
            why: "changed since the plan was written (_updatedAt 2026-12-01T10:00:00.000Z, then 2026-12-02T08:00:00.000Z)"}]
action:
  description: The O(action) the run took.
  returned: always
  type: str
  sample: quarantine
disabled:
  description:
    - With O(action=disable) or O(action=quarantine), the integrations disabled (in check mode, the ones a real run
      would disable), each with C(selected_by).
  returned: always
  type: list
  elements: dict
  sample: [{id: 65f1c0ffee0123456789abcd, name: grafana, type: webhook-outgoing,
            selected_by: "remove[0]: last 10 deliveries failed"}]
not_disabled:
  description:
    - Integrations Rocket.Chat refused to disable, each with C(reason), the server's own (its update re-validates the
      integration, so a hook whose room or post-as user is gone is refused). They are not removed.
  returned: always
  type: list
  elements: dict
  sample: [{id: 65f1c0ffee0123456789abce, name: old-ci, type: webhook-incoming, selected_by: "remove[0]: channel #ci gone",
            reason: "Invalid room [error-invalid-room]"}]
already_disabled:
  description: Integrations the selectors selected for disabling that were disabled already.
  returned: always
  type: list
  elements: dict
in_grace:
  description:
    - With O(action=quarantine), the integrations this token's user disabled that wait out O(grace_days), each with
      C(until), the day after which the next run removes it if it is still disabled and untouched.
  returned: always
  type: list
  elements: dict
  sample: [{id: 65f1c0ffee0123456789abcf, name: grafana, type: webhook-outgoing, until: "2026-12-20"}]
removed:
  description:
    - The integrations removed (in check mode, the ones a real run would remove), each with C(selected_by), the
      selector and the facts that selected it (for example C(remove[0]) with C(disabled, creator deactivated)).
  returned: always
  type: list
  elements: dict
  sample: [{id: 65f1c0ffee0123456789abcd, name: legacy-jenkins, type: webhook-incoming,
            selected_by: "remove[0]: name legacy-jenkins"}]
undetermined:
  description:
    - Integrations kept because a fact a selector needs could not be established, each with C(reason). Unknown never
      means "dead"; the warning names the permission that would settle it.
  returned: always
  type: list
  elements: dict
  sample: [{id: 65f1c0ffee0123456789abcf, name: deploy-bot, type: webhook-outgoing,
            reason: "remove[0]: integrations.history answered HTTP 403 (unauthorized)"}]
kept:
  description:
    - How many integrations in scope remain (a count, so that a run over a large workspace stays readable; the
      M(chatops.rocketchat.rocketchat_integration_info) module lists them).
  returned: always
  type: int
  sample: 990
already_absent:
  description:
    - The O(remove) selectors that matched nothing, and integrations that disappeared between the listing and
      their removal.
  returned: always
  type: list
  elements: dict
  sample: [{name: legacy-jenkins, type: webhook-incoming}]
not_removed:
  description:
    - When a removal failed halfway, the planned integrations that were not removed (the first one is the one that
      failed). Empty otherwise.
  returned: always
  type: list
  elements: dict
planned:
  description: When the plan exceeds O(max_removals), every integration it would have removed.
  returned: on that failure
  type: list
  elements: dict
not_visible:
  description:
    - O(remove) selectors that matched nothing while the user sees only part of the integrations, so they may exist
      under another user. They are not reported as absent.
  returned: always
  type: list
  elements: dict
backups:
  description: The backup files written.
  returned: always
  type: list
  elements: str
view:
  description: Which integrations the server shows this user, per type (V(all), V(own), V(none) or V(unknown)).
  returned: always
  type: dict
  sample: {webhook-incoming: all, webhook-outgoing: all}
abstract:
  description:
    - The run in one line for humans - what was (or would be) removed or disabled and what was left undetermined,
      by name (up to 10 of each), then how many were kept, and the other counts that are not zero.
    - Its name puts it first in ad-hoc output, where Ansible prints a result's keys sorted.
  returned: always
  type: str
  sample: "removed 3: deploy-bot, grafana, jenkins-old; undetermined 1: nightly-report (see undetermined); kept 990"
check_mode:
  description: Whether this run only previewed the plan (check mode), so that RV(removed) lists what a real run would remove.
  returned: always
  type: bool
rate_limit_waited:
  description:
    - Seconds this run waited for Rocket.Chat's rate limit (0.0 when it did not). From 1 s on, a warning also names
      the endpoints and the permission C(api-bypass-rate-limit), which spares the wait.
  returned: always
  type: float
  sample: 118.4
api_calls:
  description:
    - The API calls made, by method and endpoint. Also filled when the run fails after the listing, for example on
      O(max_removals).
  returned: always
  type: dict
  sample: {"GET integrations.list": 10, "POST integrations.remove": 900, "GET me": 1}
"""

import datetime
import json

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.chatops.rocketchat.plugins.module_utils._connection import (
    connection_argument_spec,
    run_checks,
    run_with_client,
    without_api_path,
)
from ansible_collections.chatops.rocketchat.plugins.module_utils._deliveries import stored_moment
from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import InvalidInput, PlanRefused
from ansible_collections.chatops.rocketchat.plugins.module_utils._integration import (
    ABSTRACT_NAMES,
    Integration,
    identity,
    listed,
    one_line,
    one_line_of,
)
from ansible_collections.chatops.rocketchat.plugins.module_utils._executor import execute
from ansible_collections.chatops.rocketchat.plugins.module_utils._integrations_api import IntegrationsApi
from ansible_collections.chatops.rocketchat.plugins.module_utils._notify import notify
from ansible_collections.chatops.rocketchat.plugins.module_utils._plan import DISABLE, REMOVE, Plan, removal_actions
from ansible_collections.chatops.rocketchat.plugins.module_utils._planfile import (
    check_plan_options,
    plan_document,
    plan_file_argument_spec,
    replay,
    write_plan,
)
from ansible_collections.chatops.rocketchat.plugins.module_utils._prune import (
    PrunePlan,
    Selector,
    fact_reader,
    parse_input,
    plan_prune,
    prune_scope_argument_spec,
    selector_spec,
    undetermined_warning,
)


MODULE = 'rocketchat_integration_prune'


def argument_spec() -> dict:
    spec = connection_argument_spec()
    spec.update(prune_scope_argument_spec())
    spec.update(
        keep={'type': 'list', 'elements': 'dict', 'default': [], 'options': selector_spec()},
        remove={'type': 'list', 'elements': 'dict', 'default': [], 'options': selector_spec()},
        exclusive={'type': 'bool', 'default': False},
        action={'type': 'str', 'choices': ['remove', 'disable', 'quarantine'], 'default': 'remove'},
        grace_days={'type': 'int', 'default': 14},
        notify_owners={'type': 'bool', 'default': False},
        notify_fallback_room={'type': 'str'},
    )
    spec.update(plan_file_argument_spec())
    return spec


def check_input(params: dict) -> tuple:
    """The prune's input (parse_input), and the quarantine's grace period. Runs before any request."""
    if params['apply_plan']:  # the plan says what to do: the selectors are not evaluated
        params = dict(params, keep=[], remove=[], exclusive=False)
    room = params['notify_fallback_room']
    if room is not None and not (room.startswith('#') and len(room) > 1):
        raise InvalidInput('notify_fallback_room must be a room as #name or #<room id>, got %r.' % room)
    if params['grace_days'] < 1:
        raise InvalidInput('grace_days must be a positive number of days (how long a disabled hook waits before it is '
                           'removed), got %d.' % params['grace_days'])
    return parse_input(params)


def warn_about_the_plan(module, plan: PrunePlan, view: dict) -> None:
    """Say where "not listed" may not mean "absent", and where a keep selector does nothing."""
    params = module.params
    if plan.partial_types:
        module.warn('This user may see only part of the %s integrations (view: %s): integrations of other users were '
                    'not considered, and "not listed" does not mean "does not exist".'
                    % (', '.join(plan.partial_types), ', '.join('%s=%s' % (kind, view[kind])
                                                                for kind in plan.partial_types)))
    if params['keep'] and not params['exclusive']:
        module.warn('keep is set but exclusive is not, so keep changes nothing: only remove selectors remove. Set '
                    'exclusive: true to remove everything in scope that keep does not match.')
    elif plan.unused_keep:
        module.warn('These keep selectors match no integration in scope, so nothing is kept by them (a typo?): %s.'
                    % '; '.join(json.dumps(entry, ensure_ascii=False, sort_keys=True) for entry in plan.unused_keep))


def prune_diff(plan: PrunePlan, executable: Plan) -> list[dict]:
    """The scope before and after, then one diff per integration acted on whose header says why it is selected."""
    gone = {action.target_id for action in executable.of(REMOVE)}
    return [{'before': '\n'.join(one_line(doc) for doc in plan.in_scope) + '\n',
             'after': '\n'.join(one_line(doc) for doc in plan.in_scope if doc.id not in gone) + '\n',
             'before_header': 'integrations in scope', 'after_header': 'after the prune'}] + [
        {'before': one_line_of(action.integration_type, action.name, action.target_id) + '\n',
         'after': '' if action.kind == REMOVE
         else one_line_of(action.integration_type, action.name, action.target_id) + ' (disabled)\n',
         'before_header': one_line_of(action.integration_type, action.name, action.target_id),
         'after_header': '%s (selected by %s)' % ('removed' if action.kind == REMOVE else 'disabled', action.reason)}
        for action in executable.actions]


def quarantine_selector(api: IntegrationsApi, params: dict) -> Selector:
    """The second phase: what this automation's user disabled more than grace_days ago, still disabled and untouched
    since (a human who re-enables or edits a hook is its last changer, and takes it out)."""
    if not api.username:
        raise PlanRefused('action=quarantine needs the name of the token\'s user (the one that disables), and /me did '
                          'not give it; nothing was changed.')
    return Selector({'enabled': False, 'updated_by': api.username, 'updated_before': '%dd' % params['grace_days']},
                    'quarantine')


def executable_plan(plan: PrunePlan, params: dict, now: datetime.datetime, result: dict) -> Plan:
    """The actions: remove what was selected (action=remove), disable it (disable), or in quarantine remove what the
    quarantine selector found and disable what the other selectors found. A hook already disabled is not disabled
    again; in quarantine, one this automation disabled within the grace period is reported with its end."""
    if params['action'] == 'remove':
        return Plan(removal_actions(plan.remove, plan.selected_by))
    after_grace = [doc for doc in plan.remove if plan.selected_by[doc.id].startswith('quarantine:')]
    leaving = {doc.id for doc in after_grace}
    first_phase = [doc for doc in plan.remove if doc.id not in leaving]
    to_disable = [doc for doc in first_phase if doc.enabled is not False]
    result['already_disabled'] = [dict(identity(doc), selected_by=plan.selected_by[doc.id])
                                  for doc in first_phase if doc.enabled is False]
    if params['action'] == 'quarantine':
        result['in_grace'] = in_grace(plan.in_scope, after_grace, params, now)
    return Plan(removal_actions(to_disable, plan.selected_by, DISABLE)
                + removal_actions(after_grace, plan.selected_by, REMOVE))


def in_grace(in_scope: list[Integration], after_grace: list[Integration], params: dict,
             now: datetime.datetime) -> list[dict]:
    """The hooks this automation disabled that wait out the grace period: each with the day it ends."""
    waiting = []
    leaving = {doc.id for doc in after_grace}
    for doc in in_scope:
        updated = stored_moment(doc.updated_at)
        if (doc.enabled is False and doc.id not in leaving and updated is not None
                and doc.updated_by == params['_automation_user']):
            until = updated + datetime.timedelta(days=params['grace_days'])
            waiting.append(dict(identity(doc), until=until.date().isoformat()))
    return waiting


def apply_saved(module, api: IntegrationsApi, saved: dict, result: dict) -> None:
    """apply_plan: only the actions of the reviewed plan, only on targets unchanged since (no selector is evaluated,
    no fact looked up: the listing and the actions, nothing more)."""
    params = module.params
    executable, result['left_alone'] = replay(saved, api.list_integrations())
    if len(executable) > params['max_removals']:
        raise PlanRefused('The saved plan %s %d integrations, more than max_removals=%d; nothing was changed.'
                          % ('removes' if all(action.kind == REMOVE for action in executable.actions) else 'changes',
                             len(executable), params['max_removals']))
    if module.check_mode:
        result.update(changed=bool(executable.actions),
                      removed=[dict(action.identity(), selected_by=action.reason) for action in executable.of(REMOVE)],
                      disabled=[dict(action.identity(), selected_by=action.reason) for action in executable.of(DISABLE)])
        return
    run_plan(module, api, executable, params, result)


def run_plan(module, api: IntegrationsApi, executable: Plan, params: dict, result: dict) -> None:
    """Execute, report, and with notify_owners tell each hook's creator what was done (before a failure is
    raised: what was done is told whatever happened after it)."""
    execution = execute(api, executable, params['parallel'], params['backup_dir'], params['backup_secrets'])
    result.update(changed=execution.changed, removed=execution.removed, backups=execution.backups,
                  disabled=execution.disabled, not_disabled=execution.not_disabled,
                  not_removed=[action.identity() for action in execution.not_done])
    result['already_absent'] += execution.already_absent
    if params['notify_owners']:
        done = {item['id'] for item in execution.removed + execution.disabled}
        acted = [action for action in executable.actions if action.target_id in done]
        until = datetime.date.today() + datetime.timedelta(days=params['grace_days']) \
            if params['action'] == 'quarantine' else None
        result['notifications'] = notify(api, acted, api.username or 'an automation', until,
                                         params['notify_fallback_room'], params['parallel'])
        unsent = [item for item in result['notifications'] if not item['sent']]
        if unsent:
            module.warn('%d owner notification(s) were not sent (see notifications); the prune itself is done: %s.'
                        % (len(unsent), '; '.join('%s: %s' % (item['name'], item['why']) for item in unsent[:5])))
    if execution.error is not None:
        raise execution.error


def prune(module, api: IntegrationsApi, keep, remove, scope, result: dict) -> None:
    """Read, plan, guard, apply; the result filled in as each step ends. Raises CollectionError."""
    params = dict(module.params)
    result['view'] = api.view()
    now = datetime.datetime.now(datetime.timezone.utc)
    if params['_saved_plan'] is not None:
        apply_saved(module, api, params['_saved_plan'], result)
        return
    if params['action'] == 'quarantine':
        remove = [quarantine_selector(api, params)] + remove  # first, so that it says why for what it finds
        params['_automation_user'] = api.username
    docs = api.list_integrations(params['types'][0] if len(params['types']) == 1 else None)
    plan = plan_prune(docs, result['view'], params, keep, remove, scope, fact_reader(api, result['view'], keep + remove))
    result.update(kept=len(plan.keep), already_absent=list(plan.already_absent),
                  not_visible=plan.not_visible, undetermined=plan.undetermined)
    warn_about_the_plan(module, plan, result['view'])
    warning = undetermined_warning(plan)
    if warning:
        module.warn(warning)
    if plan.refusal:
        raise PlanRefused(plan.refusal, planned=[identity(doc) for doc in plan.remove])
    executable = executable_plan(plan, params, now, result)
    if params['plan_file']:
        result['plan_file'] = write_plan(params['plan_file'], plan_document(
            MODULE, without_api_path(params['server_url']), executable, now))
    if module._diff:
        result['diff'] = prune_diff(plan, executable)
    if params['action'] != 'remove':
        result['kept'] = sum(1 for doc in plan.in_scope
                             if doc.id not in {action.target_id for action in executable.of(REMOVE)})
    if module.check_mode:
        result.update(changed=bool(executable.actions),
                      removed=[dict(action.identity(), selected_by=action.reason) for action in executable.of(REMOVE)],
                      disabled=[dict(action.identity(), selected_by=action.reason)
                                for action in executable.of(DISABLE)])
        return
    run_plan(module, api, executable, params, result)


def named(items: list[dict]) -> str:
    """The names of `items`, up to ABSTRACT_NAMES of them, then how many more."""
    return listed([str(item.get('name')) for item in items], ABSTRACT_NAMES)


def abstract(result: dict, check_mode: bool) -> str:
    """One line, names first: what was (or would be) removed or disabled, what was left undetermined, then counts."""
    parts = []
    acted = [('would remove' if check_mode else 'removed', result['removed'])]
    if result['disabled'] or result['action'] != 'remove':
        acted.append(('would disable' if check_mode else 'disabled', result['disabled']))
    for label, items in acted:
        parts.append('%s %d%s' % (label, len(items), ': ' + named(items) if items else ''))
    if result['undetermined']:
        undetermined = result['undetermined']
        parts.append('undetermined %d: %s (see undetermined)' % (len(undetermined), named(undetermined)))
    parts.append('kept %d' % result['kept'])
    for key, label in (('already_absent', 'already absent'), ('not_visible', 'not visible'),
                       ('not_disabled', 'not disabled'), ('in_grace', 'in grace'), ('left_alone', 'left alone'),
                       ('not_removed', 'not removed')):
        if result[key]:
            parts.append('%s %d' % (label, len(result[key])))
    return '; '.join(parts)


def run_module() -> None:
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    module.params['_saved_plan'] = run_checks(module, lambda params: check_plan_options(
        params, module.check_mode, MODULE, without_api_path(params['server_url'] or ''), now))
    keep, remove, scope = run_checks(module, check_input)
    result = {'changed': False, 'removed': [], 'disabled': [], 'not_disabled': [], 'already_disabled': [],
              'in_grace': [], 'left_alone': [], 'notifications': [], 'kept': 0, 'already_absent': [], 'not_removed': [],
              'not_visible': [], 'undetermined': [], 'backups': [], 'view': {}, 'abstract': '', 'api_calls': {},
              'check_mode': module.check_mode, 'action': module.params['action']}
    run_with_client(module, result, lambda client: prune(module, IntegrationsApi(client), keep, remove, scope, result))
    result['abstract'] = abstract(result, module.check_mode)
    module.exit_json(**result)


def main() -> None:
    run_module()


if __name__ == '__main__':
    main()
