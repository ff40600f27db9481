# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this doc fragment is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

from __future__ import annotations


class ModuleDocFragment:

    # The reviewed-plan flow: plugins/module_utils/_planfile.py plan_file_argument_spec()
    DOCUMENTATION = r"""
options:
  plan_file:
    description:
      - In check mode, write the plan to this file (JSON, mode C(0600)) for review - each action with its target's
        C(_id) and C(_updatedAt) and why it was chosen. It holds no secret (no token), and carries a digest.
      - A later run given the file with O(apply_plan) performs exactly that plan.
    type: path
  apply_plan:
    description:
      - Perform only the actions of a plan O(plan_file) wrote, and only on integrations unchanged since (same C(_id),
        same C(_updatedAt); a create only while no integration has its name). What changed or went since is left
        alone and listed in RV(left_alone). Selectors are not evaluated again and no fact is looked up - the run lists
        the integrations and acts. An outgoing token comes from the definitions the task gives, or the stored one is
        sent again, never from the file.
      - Refused before any request when the file does not parse, was edited (its digest), was written for another
        O(server_url) or by another module, or is older than O(plan_max_age_hours).
    type: path
  plan_max_age_hours:
    description: The oldest plan O(apply_plan) accepts, in hours since it was written.
    type: int
    default: 24
"""
