#!/usr/bin/env bash
# The webhooks role as a user runs it: two workspaces in one play, a combined report, the drift gate.
set -euo pipefail
export ANSIBLE_ROLES_PATH=..
ansible-playbook -i "${INVENTORY_PATH}" workspaces.yml "$@"
